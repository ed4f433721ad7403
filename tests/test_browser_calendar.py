"""A consultant opens the calendar, finds a new visit in the week view, opens it and
acknowledges it, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Attendee
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from consultants.models import Jobcentre
from consultants.roles import Role
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_consultant_finds_a_visit_in_the_calendar_and_acknowledges_it(
    page, reference, make_user, time_machine
):
    # The live server and the test share the clock: Monday 7 December 2026, ticking.
    time_machine.move_to(NOW, tick=True)
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    campaign = CampaignFactory()
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=10, accepted_at=NOW)
    user = make_user("konsulent", Role.CONSULTANT, first_name="Mette")
    working_hours(ConsultantFactory(jobcentre=jobcentre, name="Mette Konsulent", user=user))
    booking = booking_create(
        actor=None,
        campaign=campaign,
        company=CompanyFactory(name="Bageriet Havnen ApS", address="Havnegade 1"),
        track=Track.JOBCENTRE,
        starts_at=at(9, 10),
        now=NOW,
    )

    page.goto("/login/")
    page.get_by_label("Brugernavn").fill("konsulent")
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_label("Sprog").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("navigation").get_by_role("link", name="Calendar").click()
    expect(page).to_have_url(re.compile(r"/visits/calendar/"))
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()
    event = page.locator(".fc-event", has_text="Bageriet Havnen ApS")
    expect(event).to_be_visible()
    expect(event).to_contain_text("Havnegade 1")
    expect(event).to_contain_text("10:00")
    expect(event).to_contain_text("Not acknowledged")

    event.click()
    expect(page).to_have_url(re.compile(rf"/visits/{booking.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Bageriet Havnen ApS")
    expect(page.locator("#attendees")).to_contain_text("not acknowledged yet")

    page.get_by_role("button", name="Acknowledge: the visit is in my calendar").click()
    expect(page.get_by_role("status").first).to_contain_text("acknowledged")
    expect(page.locator("#attendees")).to_contain_text("acknowledged")
    expect(page.locator("#attendees")).not_to_contain_text("not acknowledged yet")
    expect(page.locator("#history")).to_contain_text("Mette Konsulent acknowledged the visit")
    assert Attendee.objects.get(booking=booking).acknowledged_at is not None
