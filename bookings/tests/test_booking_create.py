"""Booking a visit through the service."""

import pytest

from bookings.models import Attendee, Booking, BookingLink
from bookings.services import SlotUnavailable, booking_create
from bookings.tests.conftest import NOW, at
from campaign.models import Track
from common.errors import ApplicationError
from common.tokens import token_hash
from notifications.models import Message
from tests.factories import CompanyFactory


def create(campaign, company, start, **kwargs):
    kwargs.setdefault("track", Track.JOBCENTRE)
    return booking_create(
        actor=None, campaign=campaign, company=company, starts_at=start, now=NOW, **kwargs
    )


def test_it_books_a_visit_in_the_consultants_calendar(campaign, company, consultant):
    booking = create(campaign, company, at(9, 10))
    assert booking.state == "booked"
    assert booking.ends_at == at(9, 11)
    assert booking.contact_email == "ejer@firma.invalid"
    attendee = booking.attendees.get()
    assert attendee.consultant == consultant
    assert attendee.blocked_until == at(9, 11, 30)


def test_it_writes_the_confirmation_and_notices_to_the_outbox(campaign, company, consultant):
    booking = create(campaign, company, at(9, 10))
    messages = Message.objects.filter(subject_ref=f"booking:{booking.pk}")
    # At once: the confirmation and the notice; later: the reminders (test_messages.py).
    assert sorted(messages.filter(due_at=NOW).values_list("kind", "to_email")) == [
        ("attendee-notice", consultant.email),
        ("company-confirmation", "ejer@firma.invalid"),
    ]
    assert sorted(messages.filter(due_at__gt=NOW).values_list("kind", flat=True)) == [
        "ack-reminder",
        "attendee-reminder",
        "outcome-prompt",
        "outcome-prompt",
    ]
    token = messages.get(kind="company-confirmation").context["self_service_token"]
    link = BookingLink.objects.get(booking=booking)
    assert link.token_hash == token_hash(token) != token
    assert link.expires_at == booking.starts_at


def test_a_taken_time_is_refused_with_fresh_times(campaign, company, consultant):
    create(campaign, company, at(9, 10))
    with pytest.raises(SlotUnavailable) as refused:
        create(campaign, CompanyFactory(), at(9, 10, 30))
    assert refused.value.status_code == 409
    assert refused.value.search.offers  # other times to offer at once
    assert refused.value.search.offer_at(at(9, 10, 30)) is None
    assert Booking.objects.count() == 1


def test_a_time_outside_the_window_is_refused(campaign, company, consultant):
    with pytest.raises(SlotUnavailable):
        create(campaign, company, at(8, 10))  # only one working day's notice


def test_it_takes_the_preferred_consultant_when_free(campaign, company, consultant):
    from bookings.tests.conftest import working_hours
    from tests.factories import ConsultantFactory

    other = working_hours(ConsultantFactory(jobcentre=consultant.jobcentre))
    booking = create(campaign, company, at(9, 10), consultant_id=other.id)
    assert booking.attendees.get().consultant == other


def test_track_1_books_a_representative_and_a_local_consultant(
    campaign, company, consultant, jobservice_rep
):
    booking = create(campaign, company, at(9, 10), track=Track.JOBSERVICE)
    roles = dict(booking.attendees.values_list("role", "consultant"))
    assert roles == {
        Attendee.Role.LOCAL: consultant.id,
        Attendee.Role.JOBSERVICE: jobservice_rep.id,
    }
    assert Message.objects.filter(kind="attendee-notice").count() == 2


def test_a_do_not_contact_company_cannot_be_booked(campaign, consultant):
    company = CompanyFactory(do_not_contact=True)
    with pytest.raises(ApplicationError):
        create(campaign, company, at(9, 10))
    assert not Booking.objects.exists()
