"""A consultant takes next Wednesday off on the availability page, in a real browser."""

import datetime as dt

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import expect

from bookings.tests.conftest import working_hours
from consultants.models import Absence, Jobcentre
from consultants.roles import Role
from tests.factories import ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consultant_sets_wednesday_off_and_sees_it_listed(page, reference, make_user):
    user = make_user("konsulent", Role.CONSULTANT)
    consultant = working_hours(
        ConsultantFactory(user=user, jobcentre=Jobcentre.objects.get(name="Jobcenter København"))
    )
    today = timezone.localdate()
    wednesday = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)

    page.goto("/")
    page.get_by_label("Brugernavn").fill("konsulent")
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    # The page texts are checked in English, whatever the Danish catalogue holds.
    page.get_by_label("Sprog").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("link", name="Availability", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Availability: {consultant.name}")
    expect(page.locator("#absences")).to_contain_text("No absences.")
    expect(page.get_by_label("Wednesday, interval 1, from")).to_have_value("08:00")

    page.get_by_label("Kind", exact=True).select_option(label="Holiday")
    page.get_by_label("From date", exact=True).fill(wednesday.isoformat())
    page.get_by_label("To date", exact=True).fill(wednesday.isoformat())
    page.get_by_label("Note (optional)").fill("Wednesday off")
    page.get_by_role("button", name="Add absence").click()

    expect(page.get_by_role("status").first).to_have_text("The absence is saved.")
    with translation.override("en"):
        shown = date_format(wednesday, "SHORT_DATE_FORMAT")
    row = page.locator("#absences tbody tr").first
    expect(row).to_contain_text("Holiday")
    expect(row).to_contain_text(f"{shown} (whole day)")
    expect(row).to_contain_text("Wednesday off")

    absence = Absence.objects.get(consultant=consultant)
    starts = timezone.localtime(absence.starts_at)
    assert (starts.date(), starts.time()) == (wednesday, dt.time.min)
    assert absence.ends_at - absence.starts_at == dt.timedelta(days=1)
