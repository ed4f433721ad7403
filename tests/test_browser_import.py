"""Agency staff import companies from a CSV file in a real browser: preview, then confirm."""

import re

import pytest
from playwright.sync_api import expect

from campaign.models import CallListEntry
from campaign.tests.import_samples import csv_file, firm
from consultants.roles import Role
from tests.factories import CampaignFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_staff_upload_a_csv_see_the_rejected_row_and_confirm(
    page, make_user, reference, tmp_path
):
    make_user("styrelsen", Role.AGENCY, first_name="Sofie", last_name="Lund")
    campaign = CampaignFactory(name="Virksomhedskampagnen 2026")
    good = firm(navn="Smedjen i Viby ApS")
    bad = firm(navn="Forkert Nummer ApS", cvr="55133019")
    path = tmp_path / "virksomheder.csv"
    path.write_bytes(csv_file([good, bad]))

    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("styrelsen")
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    # Read the page in English, so the test holds whatever the Danish texts become.
    page.get_by_label("Sprog").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Import companies", exact=True).click()
    page.get_by_label("Campaign").select_option(label="Virksomhedskampagnen 2026")
    page.get_by_label("Track").select_option(label="Track 2 (jobcentre)")
    page.get_by_label("File").set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()

    expect(page).to_have_url(re.compile(r"/import/\d+/$"))
    expect(page.locator("#import-status")).to_have_text("Ready for review")
    expect(page.locator("#accepted")).to_contain_text("Smedjen i Viby ApS")
    rejected = page.locator("#rejected")
    expect(rejected.get_by_role("row")).to_have_count(2)  # the header and one row
    expect(rejected).to_contain_text("Forkert Nummer ApS")
    expect(rejected).to_contain_text("55133019 is not a valid CVR number (check digit).")

    page.get_by_role("button", name="Confirm: import 1 company").click()

    expect(page.locator("#import-status")).to_have_text("Imported")
    expect(page.get_by_role("status").first).to_contain_text("1 company was put on the call lists.")
    expect(page.locator("#import-result")).to_contain_text("awaiting the jobcentres' vetting")
    entry = CallListEntry.objects.get(call_list__campaign=campaign)
    assert entry.company.cvr == good["cvr"]
    assert entry.call_list.jobcentre.name == "Jobcenter Aarhus"
