"""Agency staff open the dashboard in a real browser: the charts are drawn, the tables hold
the numbers, and a figure leads to the visits behind it."""

import re

import pytest
from playwright.sync_api import expect

from consultants.models import RarArea
from reports.tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in_in_english(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_label("Sprog")).to_be_visible()
    with page.expect_navigation():
        page.get_by_label("Sprog").select_option("en")
    expect(page.get_by_label("Language")).to_be_visible()


def test_agency_staff_open_the_dashboard_and_follow_a_figure_to_its_visits(
    page, reference, make_user
):
    world = World(make_user)
    log_in_in_english(page, "agency")

    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.locator("canvas#report-chart")).to_be_visible()
    page.wait_for_function("document.getElementById('report-chart').chart !== undefined")
    expect(page.locator("#table-funnel")).to_be_visible()
    expect(page.locator("#funnel-total-booked")).to_contain_text("10")

    page.get_by_role("navigation", name="Reports").get_by_role("link", name="Table 1").click()
    expect(page).to_have_url(re.compile(r"/reports/table1/\?campaign="))
    expect(page.locator("canvas#report-chart")).to_be_visible()
    page.wait_for_function("document.getElementById('report-chart').chart !== undefined")
    labels = page.evaluate("document.getElementById('report-chart').chart.data.labels")
    assert labels[0] == "Nordjylland" and len(labels) == 8

    hovedstaden = RarArea.objects.get(name="Hovedstaden").pk
    cell = page.locator(f"#table1-booked-{hovedstaden}")
    expect(cell).to_have_text(re.compile(r"5$"))
    cell.get_by_role("link").click()

    expect(page).to_have_url(re.compile(rf"/reports/visits/\?.*rar_area={hovedstaden}"))
    expect(page.locator("#result-count")).to_have_text("5 visits.")
    rows = page.locator("#visit-list tbody tr")
    expect(rows).to_have_count(5)
    shown = {int(i.removeprefix("visit-")) for i in rows.evaluate_all("rs => rs.map(r => r.id)")}
    assert shown == {w.pk for w in (world.v1, world.v2, world.v3, world.v4, world.v6)}
    expect(page.locator("#drilldown-description")).to_contain_text("Hovedstaden")
