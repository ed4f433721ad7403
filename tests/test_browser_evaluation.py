"""Agency staff open the evaluation report in a real browser: the summary and Table 1 are
there, the charts are drawn, printing hides the navigation and shows the bars, and the kept
report is computed again on request."""

import re

import pytest
from playwright.sync_api import expect

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


def test_agency_staff_open_the_evaluation_report_and_print_it(page, reference, make_user):
    world = World(make_user)
    log_in_in_english(page, "agency")

    page.get_by_role("link", name="Dashboard", exact=True).first.click()
    page.get_by_role("navigation", name="Reports").get_by_role(
        "link", name="Evaluation report"
    ).click()
    expect(page).to_have_url(re.compile(rf"/reports/evaluation/\?campaign={world.campaign.pk}"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of Vinter")

    summary = page.locator("#summary")
    expect(summary.get_by_role("heading", level=2)).to_have_text("Summary")
    expect(page.locator("#summary-text")).to_contain_text(
        "In all, 10 company visits were booked: 1 in track 1"
    )
    expect(page.locator("#key-booked")).to_contain_text("10")
    expect(page.locator("#table-table1")).to_be_visible()
    expect(page.locator("#table1-booked-total")).to_have_text(re.compile(r"10$"))
    expect(page.locator("#table1-outcome_registered-total")).to_have_text(re.compile(r"7$"))
    page.wait_for_function("document.getElementById('chart-table1').chart !== undefined")
    expect(page.locator("#report-pdf")).to_be_visible()
    expect(page.locator("#print-report")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator("header.navbar")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Reports")).to_be_hidden()
    expect(page.locator("#report-filter")).to_be_hidden()
    expect(page.locator("#print-report")).to_be_hidden()
    expect(page.locator("#chart-table1")).to_be_hidden()
    expect(page.locator("#summary-text")).to_be_visible()
    expect(page.locator("#table-table1")).to_be_visible()
    expect(page.locator(".report-bars").first).to_be_visible()
    breaks = page.evaluate("getComputedStyle(document.getElementById('followups')).breakBefore")
    assert breaks == "page"
    repeated = page.evaluate(
        "getComputedStyle(document.querySelector('#table-table1 thead')).display"
    )
    assert repeated == "table-header-group"

    page.emulate_media(media="screen")
    expect(page.locator("header.navbar")).to_be_visible()
    expect(page.locator("#report-computed")).to_be_visible()

    # The report is kept: visits booked since do not show until it is computed again.
    world.more(2)
    page.reload()
    expect(page.locator("#key-booked")).to_contain_text("10")
    page.emulate_media(media="print")
    expect(page.locator("#report-computed")).to_be_hidden()
    page.emulate_media(media="screen")
    page.get_by_role("link", name="Recompute now").click()
    expect(page.locator("#key-booked")).to_contain_text("12")
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluation of Vinter")
