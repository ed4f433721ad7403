"""A phoner's headset day in a real browser: next company by keyboard, an outcome by
keyboard, then a booking from the slot panel."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import Booking
from bookings.tests.conftest import working_hours
from campaign.models import CallAttempt, Participation
from consultants.models import Jobcentre
from consultants.reference import reference_load
from consultants.roles import Role
from tests.factories import CampaignFactory, ConsultantFactory, released_call_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def call_list():
    reference_load()
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    today = timezone.localdate()
    campaign = CampaignFactory(starts_on=today, ends_on=today + dt.timedelta(days=120))
    Participation.objects.create(
        campaign=campaign, jobcentre=jobcentre, quota=50, accepted_at=timezone.now()
    )
    working_hours(ConsultantFactory(jobcentre=jobcentre, name="Bo Strickertson"))
    return released_call_list(campaign, jobcentre, companies=2)


def log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()


def test_a_phoner_works_the_list_with_the_keyboard_and_books(page, make_user, call_list):
    make_user("phoner", Role.PHONER)
    first, second = call_list.entries.order_by("position")
    log_in(page, "phoner")
    page.goto("/workspace/")

    page.keyboard.press("n")
    expect(page.get_by_role("heading", level=1)).to_have_text(first.company.name)
    page.keyboard.press("1")  # no answer, then the next company opens
    expect(page.get_by_role("heading", level=1)).to_have_text(second.company.name)
    assert CallAttempt.objects.get().outcome == "no_answer"

    slots = page.locator(".slot-list label")
    expect(slots.first).to_be_visible()
    slots.first.click()
    page.get_by_role("button", name="Book besøget").click()
    expect(page.get_by_role("status").first).to_contain_text("Bo Strickertson")
    expect(page).to_have_url(re.compile(r"/workspace/$"))
    booking = Booking.objects.get()
    assert booking.company == second.company
    assert booking.attendees.get().consultant.name == "Bo Strickertson"


def test_preferring_a_consultant_narrows_the_times(page, make_user, call_list):
    make_user("phoner", Role.PHONER)
    other = working_hours(
        ConsultantFactory(jobcentre=call_list.jobcentre, name="Lone Draborg"),
        start=dt.time(13),
        end=dt.time(15),
    )
    first = call_list.entries.order_by("position").first()
    log_in(page, "phoner")
    page.goto(f"/workspace/entry/{first.pk}/")
    before = page.locator(".slot-list label").count()
    page.get_by_label("Foretræk en konsulent").select_option(str(other.pk))
    expect(page.locator(".slot-list label")).not_to_have_count(before)
    times = page.locator(".slot-list label").all_inner_texts()
    assert times and all("13:00" <= t <= "14:00" for t in times)
