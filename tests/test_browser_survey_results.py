"""Agency staff read the survey results in a real browser: the charts are drawn by Chart.js
and every figure is also in the table under its chart."""

import pytest
from playwright.sync_api import expect

from consultants.roles import Role
from surveys.tests import results_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_staff_see_charts_and_the_numbers_behind_them(page, reference, make_user):
    world = results_data.build()
    make_user("agency", Role.AGENCY)

    page.goto("/")
    page.get_by_label("Brugernavn").fill("agency")
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    # The page texts are checked in English, whatever the Danish catalogue holds.
    page.get_by_label("Sprog").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Survey results").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Survey results")
    page.get_by_label("Campaign").select_option(label=world.campaign.name)
    page.get_by_role("button", name="Show").click()

    rate = page.locator("#response-rate")
    expect(rate.get_by_role("row", name="Answered")).to_contain_text("13")
    expect(rate.get_by_role("row", name="Answered")).to_contain_text("81%")

    # Chart.js drew every chart: a canvas with a size and a chart object on it.
    charts = page.locator("canvas[role=img]")
    expect(charts.first).to_have_attribute("data-rendered", "true")
    count = charts.count()
    assert count >= 10
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[role=img]')]"
        ".filter(c => window.Chart.getChart(c) && c.width > 0 && c.height > 0).length"
    )
    assert drawn == count

    overall = page.locator("figure", has_text="Overall, how satisfied are you with the meeting?")
    expect(overall.locator("canvas")).to_be_visible()
    expect(overall.get_by_role("row", name="Satisfied 5 38%", exact=True)).to_be_visible()
    expect(overall.locator("caption")).to_contain_text("Mean 3.77 (1–5); 69% answered 4 or 5.")

    on_time = page.locator('tr[data-group="on_time"]')
    expect(on_time).to_contain_text("4.80")
    expect(on_time).to_contain_text("100%")
    expect(page.locator("#comments")).to_contain_text("Ring til […] på [phone] eller [e-mail].")
