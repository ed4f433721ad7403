"""A company moves its visit through the link in its e-mail, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from bookings.models import Booking, BookingState
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from consultants.models import Jobcentre
from notifications.models import Message
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_company_opens_its_link_and_moves_the_visit(page, reference, time_machine, settings):
    # The live server and the test share the clock: Monday 7 December 2026, ticking.
    time_machine.move_to(NOW, tick=True)
    settings.PUBLIC_RATE_LIMIT = 1000  # every run from 127.0.0.1 shares one counter
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    campaign = CampaignFactory()
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=10, accepted_at=NOW)
    working_hours(ConsultantFactory(jobcentre=jobcentre, name="Mette Konsulent"))
    booking = booking_create(
        actor=None,
        campaign=campaign,
        company=CompanyFactory(email="ejer@firma.invalid", address="Havnegade 1"),
        track=Track.JOBCENTRE,
        starts_at=at(9, 10),
        now=NOW,
    )
    token = Message.objects.get(kind="company-confirmation").context["self_service_token"]

    page.goto(f"/visit/{token}/")
    expect(page.locator("main time")).to_contain_text("10:00")
    expect(page.locator("main")).to_contain_text("Mette Konsulent")
    expect(page.locator("main")).to_contain_text("Havnegade 1")

    page.locator(f"a[href='/visit/{token}/move/']").click()
    thursday = page.get_by_role("group", name=re.compile(r"10\. december 2026"))
    # By keyboard: onto a time, Space to choose it, then to the button and Enter.
    thirteen = thursday.get_by_label(re.compile("13:00"))
    thirteen.focus()
    page.keyboard.press("Space")
    expect(thirteen).to_be_checked()
    submit = page.locator("main form button[type=submit]")
    submit.focus()
    page.keyboard.press("Enter")

    expect(page).not_to_have_url(re.compile(token))
    expect(page.get_by_role("status")).to_contain_text("13:00")
    expect(page.locator("main time")).to_have_attribute("datetime", re.compile("^2026-12-10T13:00"))
    expect(page.locator("main time")).to_contain_text("13:00")
    expect(page.locator("main")).to_contain_text("Mette Konsulent")

    booking.refresh_from_db()
    assert booking.state == BookingState.MOVED
    assert Booking.objects.get(replaces=booking).starts_at == at(10, 13)

    # The old link is dead.
    response = page.goto(f"/visit/{token}/")
    assert response.status == 410
    expect(page.locator("main")).not_to_contain_text("Mette Konsulent")
