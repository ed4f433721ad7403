"""Changing a booked visit: cancelling it, or moving it to another time.

Both are guarded by state (only a booked visit that has not started can change) and keep
everything: a cancelled visit keeps its row with the reason, a moved visit keeps its row in
state 'moved' and the new booking points back to it (`replaces`). Either way the visit's
pending messages are cancelled, its self-service links revoked, its attendees freed, and
new outbox rows tell the people concerned.

Callers: the company's self-service link (actor None, by "company") and staff views (a
logged-in actor). Who may change which visit is the calling view's business (its scoped
queryset); the services only refuse what no one may do.
"""

import datetime as dt
from typing import Literal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Attendee, Booking, BookingLink, BookingState
from bookings.schedules import booking_schedule
from bookings.services import SlotUnavailable, _pick, attendees_seat, booking_link_create
from bookings.slots import LOCAL_TZ, SlotSearch, find_slots
from campaign.models import Participation, Track
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Consultant
from notifications.services import Outgoing, messages_cancel, messages_enqueue

CancelledBy = Literal["company", "jobcentre"]

CANCELLED_STATES = {
    "company": BookingState.CANCELLED_COMPANY,
    "jobcentre": BookingState.CANCELLED_JOBCENTRE,
}


def _ref(booking: Booking) -> str:
    return f"booking:{booking.pk}"


def _when(booking: Booking) -> str:
    """The start in message keys, in local time as booking_create writes it."""
    return booking.starts_at.astimezone(LOCAL_TZ).isoformat()


def _lock_booked(booking: Booking, now: dt.datetime) -> Booking:
    """The booking's row, locked, if it may still change; else a refusal. Two changes of
    one visit (a company cancelling while a consultant moves it) queue here, and the second
    finds the state the first left."""
    locked = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("campaign", "company", "jobcentre")
        .get(pk=booking.pk)
    )
    if locked.state != BookingState.BOOKED:
        raise Conflict(_("This visit is no longer booked, so it cannot be changed."))
    if locked.starts_at <= now:
        raise ApplicationError(_("This visit has already started. Register its outcome instead."))
    return locked


def _release(booking: Booking, now: dt.datetime) -> list[Attendee]:
    """Free the visit's attendees, cancel its pending messages and revoke its links.
    Returns the attendees it had. save() per attendee (one or two), so the audit log sees
    each change."""
    attendees = list(booking.attendees.filter(is_active=True).select_related("consultant"))
    for attendee in attendees:
        attendee.is_active = False
        attendee.save(update_fields=["is_active"])
    messages_cancel(subject_ref=_ref(booking))
    BookingLink.objects.filter(booking=booking, revoked_at__isnull=True).update(revoked_at=now)
    return attendees


def _attendee_message(kind: str, booking: Booking, attendee: Attendee, now, **context):
    consultant = attendee.consultant
    return Outgoing(
        key=f"{_ref(booking)}:{kind}:{consultant.pk}:{_when(booking)}",
        kind=kind,
        subject_ref=_ref(booking),
        to_email=consultant.email,
        to_name=consultant.name,
        language=consultant.language,
        due_at=now,
        context={"booking": booking.pk, "attendee": attendee.pk, **context},
    )


def _company_message(kind: str, booking: Booking, now, **context):
    return Outgoing(
        key=f"{_ref(booking)}:{kind}:{_when(booking)}",
        kind=kind,
        subject_ref=_ref(booking),
        to_email=booking.contact_email,
        to_name=booking.contact_name,
        language=booking.company.language,
        due_at=now,
        context={"booking": booking.pk, **context},
    )


@transaction.atomic
def booking_cancel(
    *,
    actor,
    booking: Booking,
    by: CancelledBy,
    reason: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Cancel a booked visit on behalf of the company or the jobcentre, with a reason.

    The visit keeps its row (state cancelled_company / cancelled_jobcentre) and frees its
    attendees and its place in the quota; its pending messages are cancelled, each
    attendee is told, and when the jobcentre cancels the company is told too. Its
    self-service links stop working. Only the jobcentre's side needs a signed-in actor."""
    now = now or timezone.now()
    if by not in CANCELLED_STATES:
        raise ApplicationError(_("Say who cancels: the company or the jobcentre."))
    reason = (reason or "").strip()
    if not reason:
        message = _("Please give a reason for the cancellation.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    max_length = Booking._meta.get_field("cancel_reason").max_length
    if len(reason) > max_length:
        message = _("Please keep the reason under %(count)d characters.") % {"count": max_length}
        raise ApplicationError(message, field_errors={"reason": [message]})
    if by == "jobcentre" and not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Only jobcentre staff can cancel on the jobcentre's behalf."))

    booking = _lock_booked(booking, now)
    booking.state = CANCELLED_STATES[by]
    booking.cancel_reason = reason
    booking.sequence += 1
    booking.save(update_fields=["state", "cancel_reason", "sequence", "changed_at"])
    attendees = _release(booking, now)

    # After _release: it cancels every pending message about the visit, these included.
    messages = [
        _attendee_message("attendee-cancelled", booking, a, now, cancelled_by=by, reason=reason)
        for a in attendees
    ]
    if by == "jobcentre":
        messages.append(_company_message("company-cancelled", booking, now, reason=reason))
    messages_enqueue(messages=messages)
    return booking


@transaction.atomic
def booking_move(
    *,
    actor,
    booking: Booking,
    starts_at: dt.datetime,
    now: dt.datetime | None = None,
    consultant_id: int | None = None,
    reason: str = "",
) -> Booking:
    """Move a booked visit to `starts_at`. Returns the new booking.

    The same consultant(s) keep the visit when free then (`consultant_id` first, if
    given); otherwise any free consultant of the same kind takes it, chosen as
    booking_create chooses (track 1 keeps both a local consultant and a Jobservice
    representative). The old booking becomes 'moved' and frees its attendees; a new
    booking with new attendees replaces it. Its pending messages are cancelled, the company
    gets a new self-service link in the 'company-moved' message, every attendee of the new
    visit gets 'attendee-moved', and a consultant who drops out gets 'attendee-cancelled'.
    The returned booking carries `self_service_token`, the new link's token (the one in the
    e-mail), for the company's page and the API to go on with.
    `reason` (why staff moved it; the company's self-service gives none) has no column of
    its own: it is kept on the audit-log row of the old booking's change to 'moved'
    (LogEntry.additional_data = {"reason": ...}), where the visit's history reads it.
    Raises SlotUnavailable with the times free now when `starts_at` is not free."""
    now = now or timezone.now()
    if timezone.is_naive(starts_at):
        raise ApplicationError(
            _("The time needs a time zone."), field_errors={"starts_at": [_("Invalid time.")]}
        )

    # Lock order as in booking_create, so a move and a new booking never deadlock: the
    # jobcentre's participation row (its quota and its calendars), then this visit, then
    # the chosen consultants by id.
    Participation.objects.select_for_update().filter(
        campaign_id=booking.campaign_id, jobcentre_id=booking.jobcentre_id
    ).first()
    old = _lock_booked(booking, now)
    if starts_at == old.starts_at:
        message = _("The visit is already at that time. Please choose another.")
        raise ApplicationError(message, field_errors={"starts_at": [message]})
    campaign = old.campaign

    search = find_slots(
        campaign=campaign,
        jobcentre=old.jobcentre,
        track=old.track,
        now=now,
        exclude_booking=old,
        window=(starts_at, starts_at + dt.timedelta(minutes=campaign.visit_minutes)),
    )
    offer = search.offer_at(starts_at)
    if offer is None:
        raise SlotUnavailable(_fresh(old, now))

    old_attendees = list(old.attendees.filter(is_active=True).select_related("consultant"))
    current = {a.role: a.consultant_id for a in old_attendees}
    local_pref = consultant_id if consultant_id in offer.local_ids else None
    chosen = [
        _pick(
            offer.local_ids,
            local_pref or current.get(Attendee.Role.LOCAL),
            search.free_by_consultant,
        )
    ]
    if old.track == Track.JOBSERVICE:
        rep_pref = consultant_id if consultant_id in offer.jobservice_ids else None
        chosen.append(
            _pick(
                offer.jobservice_ids,
                rep_pref or current.get(Attendee.Role.JOBSERVICE),
                search.free_by_consultant,
            )
        )
    list(Consultant.objects.select_for_update().filter(pk__in=chosen).order_by("pk"))

    old.state = BookingState.MOVED
    old.sequence += 1
    reason = (reason or "").strip()
    if reason:
        # django-auditlog asks the instance for get_additional_data() when it writes the
        # row for this save: the reason goes on the very row that records the move.
        old.get_additional_data = lambda: {"reason": reason}
    old.save(update_fields=["state", "sequence", "changed_at"])
    # Free the old attendees before the new ones are written: the no-overlap constraint
    # would otherwise refuse a move by less than the visit's length for the same person.
    _release(old, now)

    new = Booking.objects.create(
        campaign=campaign,
        track=old.track,
        company=old.company,
        jobcentre=old.jobcentre,
        starts_at=offer.starts_at,
        ends_at=offer.ends_at,
        location=old.location,
        contact_name=old.contact_name,
        contact_email=old.contact_email,
        contact_phone=old.contact_phone,
        booked_by=old.booked_by,
        call_list=old.call_list,
        replaces=old,
        booked_at=now,
    )
    attendees = attendees_seat(
        new,
        [search.consultants[cid] for cid in chosen],
        on_taken=lambda: SlotUnavailable(_fresh(old, now)),
    )

    token = booking_link_create(booking=new)
    # Not stored (only its hash is): the company's page goes on to the new link with it.
    new.self_service_token = token
    messages = [
        _company_message("company-moved", new, now, replaces=old.pk, self_service_token=token)
    ]
    messages += [
        _attendee_message("attendee-moved", new, a, now, replaces=old.pk) for a in attendees
    ]
    messages += [
        _attendee_message("attendee-cancelled", old, a, now, moved_to=new.pk)
        for a in old_attendees
        if a.consultant_id not in chosen
    ]
    # The new booking's reminders and escalations, as for a new visit.
    messages += booking_schedule(new, attendees, now, token)
    messages_enqueue(messages=messages)
    return new


def _fresh(booking: Booking, now: dt.datetime) -> SlotSearch:
    return find_slots(
        campaign=booking.campaign,
        jobcentre=booking.jobcentre,
        track=booking.track,
        now=now,
        exclude_booking=booking,
    )
