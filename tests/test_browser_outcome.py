"""A consultant registers a held visit with an agreement and a follow-up using only the
keyboard, then finds the follow-up in their list and marks it done."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from bookings.models import BookingState, FollowUp, Outcome
from consultants.models import Jobcentre
from consultants.reference import reference_load
from consultants.roles import Role
from tests.factories import AttendeeFactory, BookingFactory, CampaignFactory, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def visit(make_user):
    """A visit of the consultant that ended an hour ago, without an outcome."""
    reference_load()
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    today = timezone.localdate()
    campaign = CampaignFactory(
        starts_on=today - dt.timedelta(days=30), ends_on=today + dt.timedelta(days=60)
    )
    consultant = ConsultantFactory(
        jobcentre=jobcentre, name="Karen Konsulent", user=make_user("konsulent", Role.CONSULTANT)
    )
    starts_at = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=2)
    booking = BookingFactory(
        campaign=campaign,
        company__name="Vindmøllen ApS",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
    )
    AttendeeFactory(booking=booking, consultant=consultant)
    return booking


def log_in_in_english(page, username):
    page.goto("/login/")
    page.get_by_label("Brugernavn").fill(username)
    page.get_by_label("Adgangskode").fill("pw")
    page.get_by_role("button", name="Log ind").click()
    expect(page.get_by_label("Sprog")).to_be_visible()
    with page.expect_navigation():
        page.get_by_label("Sprog").select_option("en")
    expect(page.get_by_label("Language")).to_be_visible()


def test_a_consultant_registers_a_held_visit_by_keyboard_and_does_the_followup(page, visit):
    log_in_in_english(page, "konsulent")
    page.goto(f"/visits/{visit.pk}/outcome/")

    # "Held" is chosen and has the focus: A adds an agreement line, its kind by typing.
    expect(page.locator("#kind-held")).to_be_focused()
    expect(page.locator("#kind-held")).to_be_checked()
    page.keyboard.press("1")
    page.keyboard.press("a")
    expect(page.get_by_label("Kind of agreement")).to_be_focused()
    page.keyboard.type("Job")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Positions")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    # Out of the number field, F adds a follow-up; its due date and owner are filled in.
    page.keyboard.press("Tab")
    page.keyboard.press("f")
    expect(page.get_by_label("Kind of follow-up")).to_be_focused()
    page.keyboard.type("Call")
    page.keyboard.press("Tab")
    page.keyboard.type("Ring om to lagerjob")
    expect(page.get_by_label("Owner")).to_have_value(str(visit.attendees.get().consultant_id))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text(
        "Vindmøllen ApS: Held saved. 1 agreement. 1 follow-up."
    )
    expect(page.get_by_role("heading", name="Registered outcome")).to_be_visible()
    outcome = Outcome.objects.get()
    assert outcome.kind == "held"
    assert list(outcome.agreements.values_list("kind", "positions")) == [("job_order", 2)]
    task = FollowUp.objects.get()
    assert (task.kind, task.description) == ("call", "Ring om to lagerjob")
    assert task.due_on == timezone.localdate() + dt.timedelta(days=14)
    visit.refresh_from_db()
    assert visit.state == BookingState.HELD

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Follow-ups"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My follow-ups")
    row = page.locator(f"#followup-{task.pk}")
    expect(row).to_contain_text("Call the company")
    expect(row).to_contain_text("Vindmøllen ApS")
    page.get_by_label("What was done: Call the company, Vindmøllen ApS").fill("Ringet, CV'er sendt")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Follow-up done")
    expect(page).to_have_url(re.compile(r"/visits/followups/$"))
    expect(page.locator(f"#followup-{task.pk}")).to_have_count(0)
    task.refresh_from_db()
    assert task.done_at is not None
    assert task.done_note == "Ringet, CV'er sendt"


def test_the_common_case_is_a_number_key_and_enter(page, visit):
    log_in_in_english(page, "konsulent")
    page.goto(f"/visits/{visit.pk}/outcome/")

    page.keyboard.press("2")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Registered outcome")).to_be_visible()
    visit.refresh_from_db()
    assert visit.state == BookingState.HELD_SHORT
    assert not FollowUp.objects.exists()


def test_a_company_cancellation_asks_for_its_reason_at_once(page, visit):
    log_in_in_english(page, "konsulent")
    page.goto(f"/visits/{visit.pk}/outcome/")
    expect(page.get_by_label("Kind of agreement")).to_have_count(0)
    expect(page.get_by_role("button", name="Add an agreement")).to_be_visible()

    page.keyboard.press("4")  # the reason field shows and takes the focus; agreements hide
    expect(page.get_by_label("The company's reason for cancelling")).to_be_focused()
    expect(page.get_by_role("button", name="Add an agreement")).to_be_hidden()
    page.keyboard.type("Ny ejer")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Registered outcome")).to_be_visible()
    visit.refresh_from_db()
    assert (visit.state, visit.cancel_reason) == (BookingState.CANCELLED_COMPANY, "Ny ejer")
