"""Cancelling and moving a booked visit through the services."""

import datetime as dt

import pytest

from bookings.changes import booking_cancel, booking_move
from bookings.models import Attendee, Booking, BookingLink, BookingState
from bookings.services import SlotUnavailable, booking_create
from bookings.slots import find_slots
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from common.errors import ApplicationError, Conflict, PermissionDenied
from common.tokens import token_hash
from consultants.roles import Role
from notifications.models import Message
from tests.factories import CompanyFactory, ConsultantFactory

LATER = NOW + dt.timedelta(hours=3)  # the change happens after the booking


def book(campaign, company, start, track=Track.JOBCENTRE, **kwargs):
    return booking_create(
        actor=None,
        campaign=campaign,
        company=company,
        track=track,
        starts_at=start,
        now=NOW,
        **kwargs,
    )


def cancel(booking, by="company", reason="Vi har ikke tid alligevel", actor=None):
    return booking_cancel(actor=actor, booking=booking, by=by, reason=reason, now=LATER)


def move(booking, start, **kwargs):
    return booking_move(actor=None, booking=booking, starts_at=start, now=LATER, **kwargs)


def pending(subject_ref, **filters):
    return sorted(
        Message.objects.filter(
            subject_ref=subject_ref, state=Message.State.PENDING, **filters
        ).values_list("kind", "to_email")
    )


def offered(campaign, jobcentre, start, track=Track.JOBCENTRE):
    search = find_slots(campaign=campaign, jobcentre=jobcentre, track=track, now=LATER)
    return search.offer_at(start) is not None


# --- Cancelling ----------------------------------------------------------------------------


def test_cancelling_keeps_the_visit_and_frees_its_attendees(
    campaign, company, consultant, jobcentre
):
    booking = book(campaign, company, at(9, 10))
    assert not offered(campaign, jobcentre, at(9, 10))

    cancel(booking)

    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED_COMPANY
    assert booking.cancel_reason == "Vi har ikke tid alligevel"
    assert booking.sequence == 1
    assert not booking.attendees.filter(is_active=True).exists()
    assert booking.attendees.count() == 1  # kept, inactive
    assert Booking.objects.count() == 1
    assert offered(campaign, jobcentre, at(9, 10))


def test_cancelling_cancels_pending_messages_and_tells_the_attendees(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    ref = f"booking:{booking.pk}"

    cancel(booking)

    assert sorted(
        Message.objects.filter(subject_ref=ref, state=Message.State.CANCELLED).values_list(
            "kind", flat=True
        )
    ) == [
        "ack-reminder",
        "attendee-notice",
        "attendee-reminder",
        "company-confirmation",
        "outcome-prompt",
        "outcome-prompt",
    ]
    # The company cancelled itself: only the consultant is told.
    assert pending(ref) == [("attendee-cancelled", consultant.email)]
    notice = Message.objects.get(kind="attendee-cancelled")
    assert notice.key == f"{ref}:attendee-cancelled:{consultant.pk}:{at(9, 10).isoformat()}"
    assert notice.context["reason"] == "Vi har ikke tid alligevel"


def test_when_the_jobcentre_cancels_the_company_is_told_too(
    campaign, company, consultant, make_user
):
    booking = book(campaign, company, at(9, 10))
    staff = make_user("koordinator", Role.COORDINATOR)

    cancel(booking, by="jobcentre", reason="Konsulenten er syg", actor=staff)

    booking.refresh_from_db()
    assert booking.state == BookingState.CANCELLED_JOBCENTRE
    assert pending(f"booking:{booking.pk}") == [
        ("attendee-cancelled", consultant.email),
        ("company-cancelled", "ejer@firma.invalid"),
    ]


def test_only_a_signed_in_actor_cancels_for_the_jobcentre(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    with pytest.raises(PermissionDenied):
        cancel(booking, by="jobcentre")
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_cancelling_revokes_the_self_service_link(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    cancel(booking)
    link = BookingLink.objects.get(booking=booking)
    assert link.revoked_at == LATER


def test_a_second_cancel_is_refused(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    cancel(booking)
    with pytest.raises(Conflict) as refused:
        cancel(booking, by="company", reason="Igen")
    assert refused.value.status_code == 409
    booking.refresh_from_db()
    assert booking.cancel_reason == "Vi har ikke tid alligevel"
    assert booking.sequence == 1


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_cancel_needs_a_reason(campaign, company, consultant, reason):
    booking = book(campaign, company, at(9, 10))
    with pytest.raises(ApplicationError) as refused:
        cancel(booking, reason=reason)
    assert "reason" in refused.value.field_errors
    booking.refresh_from_db()
    assert booking.state == BookingState.BOOKED


def test_an_unknown_side_is_refused(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    with pytest.raises(ApplicationError):
        cancel(booking, by="phoner")


def test_a_visit_that_has_started_cannot_be_cancelled(campaign, company, consultant):
    booking = book(campaign, company, at(9, 10))
    with pytest.raises(ApplicationError):
        booking_cancel(
            actor=None, booking=booking, by="company", reason="For sent", now=at(9, 10, 15)
        )


# --- Moving --------------------------------------------------------------------------------


def test_moving_keeps_the_old_visit_and_books_one_that_replaces_it(
    campaign, company, consultant, make_user
):
    phoner = make_user("phoner", Role.PHONER)
    old = booking_create(
        actor=phoner,
        campaign=campaign,
        company=company,
        track=Track.JOBCENTRE,
        starts_at=at(9, 10),
        now=NOW,
    )

    new = move(old, at(10, 13))

    old.refresh_from_db()
    assert old.state == BookingState.MOVED
    assert old.sequence == 1
    assert not old.attendees.filter(is_active=True).exists()
    assert new.replaces == old
    assert old.replaced_by == new
    assert new.state == BookingState.BOOKED
    assert (new.starts_at, new.ends_at) == (at(10, 13), at(10, 14))
    assert new.booked_at == LATER
    assert new.booked_by == phoner
    for field in ("campaign", "company", "track", "jobcentre", "location", "contact_email"):
        assert getattr(new, field) == getattr(old, field)
    attendee = new.attendees.get()
    assert attendee.consultant == consultant
    assert attendee.is_active
    assert attendee.blocked_until == at(10, 14, 30)
    assert Booking.objects.count() == 2


def test_moving_keeps_the_consultant_when_free(campaign, company, consultant, jobcentre):
    other = working_hours(
        ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=5, max_visits_per_week=25)
    )
    old = book(campaign, company, at(9, 10), consultant_id=consultant.id)
    # The consultant has less free time left than the other one, who would take a new
    # booking; a move still stays with the consultant the company knows.
    book(campaign, CompanyFactory(), at(11, 10), consultant_id=consultant.id)

    new = move(old, at(10, 13))

    assert new.attendees.get().consultant == consultant
    assert other.attendances.count() == 0


def test_moving_takes_another_consultant_when_the_own_is_busy(
    campaign, company, consultant, jobcentre
):
    other = working_hours(
        ConsultantFactory(jobcentre=jobcentre, max_visits_per_day=5, max_visits_per_week=25)
    )
    old = book(campaign, company, at(9, 10), consultant_id=consultant.id)
    book(campaign, CompanyFactory(), at(10, 13), consultant_id=consultant.id)

    new = move(old, at(10, 13))

    assert new.attendees.get().consultant == other
    # The consultant who drops out is told the old visit is off; the new one is told of
    # the moved visit.
    assert pending(f"booking:{old.pk}") == [("attendee-cancelled", consultant.email)]
    assert ("attendee-moved", other.email) in pending(f"booking:{new.pk}")


def test_a_preferred_consultant_takes_the_moved_visit_when_free(
    campaign, company, consultant, jobcentre
):
    other = working_hours(ConsultantFactory(jobcentre=jobcentre))
    old = book(campaign, company, at(9, 10), consultant_id=consultant.id)
    new = move(old, at(10, 13), consultant_id=other.id)
    assert new.attendees.get().consultant == other


def test_moving_to_a_time_nobody_has_free_is_refused_with_fresh_times(
    campaign, company, consultant
):
    old = book(campaign, company, at(9, 10))
    book(campaign, CompanyFactory(), at(10, 13))
    messages_before = pending(f"booking:{old.pk}")

    with pytest.raises(SlotUnavailable) as refused:
        move(old, at(10, 13))

    assert refused.value.status_code == 409
    assert refused.value.search.offers
    assert refused.value.search.offer_at(at(10, 13)) is None
    # The visit's own time is free again for it in the fresh search.
    assert refused.value.search.offer_at(at(9, 10)) is not None
    old.refresh_from_db()
    assert old.state == BookingState.BOOKED
    assert old.attendees.get().is_active
    assert Booking.objects.count() == 2
    assert pending(f"booking:{old.pk}") == messages_before


def test_a_move_keeps_the_travel_buffer(campaign, company, consultant):
    book(campaign, CompanyFactory(), at(10, 10))  # busy 10:00-11:00, travelling until 11:30
    old = book(campaign, company, at(9, 10))

    with pytest.raises(SlotUnavailable):
        move(old, at(10, 11))  # inside the travel time after the other visit
    with pytest.raises(SlotUnavailable):
        move(old, at(10, 9))  # would end at 10:00, travelling into the other visit

    new = move(old, at(10, 11, 30))
    assert new.attendees.get().blocked_until == at(10, 13)


def test_a_visit_moves_by_less_than_its_length(campaign, company, consultant):
    """The old attendee is freed before the new one is written, so the no-overlap rule in
    the database does not trip over the visit itself."""
    old = book(campaign, company, at(9, 10))
    new = move(old, at(9, 10, 30))
    assert new.attendees.get().consultant == consultant
    assert Attendee.objects.filter(consultant=consultant, is_active=True).count() == 1


def test_moving_cancels_the_old_messages_and_writes_new_ones(campaign, company, consultant):
    old = book(campaign, company, at(9, 10))

    new = move(old, at(10, 13))

    assert not Message.objects.filter(
        subject_ref=f"booking:{old.pk}", state=Message.State.PENDING
    ).exists()
    assert pending(f"booking:{new.pk}", due_at=LATER) == [
        ("attendee-moved", consultant.email),
        ("company-moved", "ejer@firma.invalid"),
    ]
    # The new booking has the whole schedule again (its times: test_messages.py).
    assert pending(f"booking:{new.pk}", due_at__gt=LATER) == [
        ("ack-reminder", consultant.email),
        ("attendee-reminder", consultant.email),
        ("company-reminder", "ejer@firma.invalid"),
        ("outcome-prompt", consultant.email),
        ("outcome-prompt", consultant.email),
    ]
    company_moved = Message.objects.get(kind="company-moved")
    assert company_moved.key == f"booking:{new.pk}:company-moved:{at(10, 13).isoformat()}"
    assert company_moved.context["replaces"] == old.pk
    token = company_moved.context["self_service_token"]
    assert token == new.self_service_token
    assert BookingLink.objects.get(booking=new).token_hash == token_hash(token)
    assert BookingLink.objects.get(booking=old).revoked_at == LATER
    attendee_moved = Message.objects.get(kind="attendee-moved")
    assert attendee_moved.key == (
        f"booking:{new.pk}:attendee-moved:{consultant.pk}:{at(10, 13).isoformat()}"
    )


def test_track_1_keeps_both_the_representative_and_the_local_consultant(
    campaign, company, consultant, jobservice_rep, jobcentre
):
    other_rep = working_hours(
        ConsultantFactory(
            jobcentre=None,
            kind="jobservice",
            name="JSD Vest",
            max_visits_per_day=5,
            max_visits_per_week=25,
        )
    )
    old = book(campaign, company, at(9, 10), track=Track.JOBSERVICE)
    # The representative has less free time left than the other one, who would take a
    # new booking; the move stays with the two who were booked.
    book(
        campaign,
        CompanyFactory(),
        at(11, 10),
        track=Track.JOBSERVICE,
        consultant_id=jobservice_rep.id,
    )

    new = move(old, at(10, 13))

    roles = dict(new.attendees.values_list("role", "consultant"))
    assert roles == {
        Attendee.Role.LOCAL: consultant.id,
        Attendee.Role.JOBSERVICE: jobservice_rep.id,
    }
    assert other_rep.attendances.count() == 0
    assert len(pending(f"booking:{new.pk}", due_at=LATER)) == 3  # company + two attendees


def test_track_1_moves_only_where_both_are_free(campaign, company, consultant, jobservice_rep):
    old = book(campaign, company, at(9, 10), track=Track.JOBSERVICE)
    book(campaign, CompanyFactory(), at(10, 13))  # the local consultant, on track 2
    with pytest.raises(SlotUnavailable):
        move(old, at(10, 13))


def test_a_move_needs_no_quota_of_its_own(campaign, company, consultant, jobcentre):
    Participation.objects.filter(campaign=campaign).update(quota=1)
    old = book(campaign, company, at(9, 10))
    new = move(old, at(10, 13))
    assert new.state == BookingState.BOOKED


def test_a_moved_or_cancelled_visit_cannot_be_changed_again(campaign, company, consultant):
    old = book(campaign, company, at(9, 10))
    new = move(old, at(10, 13))
    with pytest.raises(Conflict):
        move(old, at(11, 13))
    with pytest.raises(Conflict):
        cancel(old)
    cancel(new)
    with pytest.raises(Conflict):
        move(new, at(11, 13))


def test_moving_to_the_same_time_is_refused(campaign, company, consultant):
    old = book(campaign, company, at(9, 10))
    with pytest.raises(ApplicationError) as refused:
        move(old, at(9, 10))
    assert "starts_at" in refused.value.field_errors
