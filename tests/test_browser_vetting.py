"""A coordinator vets a call list in a real browser: filters, excludes the matching firms in
bulk with a reason, approves one firm in place (htmx), approves the rest and releases."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaign.models import CallList, CallListEntry
from campaign.tests.vetting_setup import add_entries, make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_filters_excludes_in_bulk_approves_the_rest_and_releases(
    page, reference, make_user
):
    w = make_world(make_user)
    w.kbh_participation.quota = 30
    w.kbh_participation.accepted_at = timezone.now()
    w.kbh_participation.save()
    small = add_entries(w.kbh_list, 4, employees=9)
    big = add_entries(w.kbh_list, 3, employees=250)

    page.goto("/")
    page.get_by_label("Brugernavn").fill("koordinator")
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    # The page texts are checked in English, whatever the Danish catalogue holds.
    page.get_by_label("Sprog").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Vetting", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campaigns and call lists")
    page.get_by_role("link", name=re.compile(r"^Vet\W+Jobcenter København")).click()
    expect(page.locator("#count-pending")).to_have_text("7")

    # Filter to the large firms and exclude all of them: already customers.
    page.get_by_label("Employees, at least").fill("100")
    page.get_by_role("button", name="Filter", exact=True).click()
    expect(page.locator("#result-count")).to_have_text("3 firms match.")
    page.get_by_label("All 3 firms matching the filter").check()
    page.get_by_label("Reason for excluding them").select_option(label="Already a customer")
    page.get_by_role("button", name="Exclude firms").click()
    expect(page.get_by_role("status")).to_have_text("3 firms changed.")
    expect(page.locator("#count-excluded")).to_have_text("3")
    expect(page.get_by_label("Employees, at least")).to_have_value("100")  # filter kept

    # One small firm approved in its row, in place.
    page.get_by_role("link", name="Reset the filter").click()
    first = small[0].company.name
    page.evaluate("window.samePage = true")
    page.get_by_role("button", name=f"Approve {first}", exact=True).click()
    row = page.locator(f"#entry-{small[0].pk}")
    expect(row).to_contain_text("Approved")
    expect(page.locator("#count-pending")).to_have_text("3")  # the counts follow
    assert page.evaluate("window.samePage") is True  # swapped by htmx, no page load

    # The rest: every firm not vetted yet, approved at once; then release.
    page.get_by_label("Vetting", exact=True).select_option(label="Not vetted")
    page.get_by_role("button", name="Filter", exact=True).click()
    page.get_by_label("All 3 firms matching the filter").check()
    page.get_by_role("button", name="Approve firms").click()
    expect(page.locator("#count-pending")).to_have_text("0")
    page.get_by_role("button", name="Release the list").click()
    expect(page.get_by_role("status")).to_have_text("The call list is released to the phoners.")
    expect(page.locator("#list-status")).to_contain_text("Released to phoners")

    w.kbh_list.refresh_from_db()
    assert w.kbh_list.status == CallList.Status.RELEASED
    vetted = {e.pk: (e.vetting, e.exclusion_reason) for e in CallListEntry.objects.all()}
    assert vetted == {
        **{e.pk: ("excluded", "customer") for e in big},
        **{e.pk: ("approved", "") for e in small},
    }
