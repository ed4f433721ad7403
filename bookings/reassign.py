"""Giving a booked visit to another consultant of the same jobcentre (a coordinator's job,
or agency staff's): when the consultant falls ill, goes on holiday, or has too much on.

The new consultant must be free at the visit's time by the slot finder's rules: inside
their working hours, outside their absences, the travel buffer away from their other visits,
and under their daily and weekly caps. `free_at` checks them all and says why not, for a
whole jobcentre in a fixed number of queries (the reassign page lists every consultant).

Why not bookings.slots.find_slots with a window of the visit's time: the finder serves new
bookings, so it also keeps the booking window (minimum notice, horizon) and its half-hour
grid from the start of the working hours. A visit already booked for tomorrow, or at 10:15,
must still be reassignable; and the coordinator needs to know why someone is not free.
The rules are the same, and a test holds the two to them: on random calendars both must name
the same consultants free at every half hour of a week
(bookings/tests/test_reassign.py, test_the_reassign_check_and_the_slot_finder_agree...). The
database's no-overlap constraint backs them as it does for booking_create.
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.changes import _attendee_message, _company_message, _lock_booked, _ref
from bookings.models import Attendee, Booking
from bookings.schedules import attendee_schedule
from bookings.services import attendees_seat
from bookings.slots import LOCAL_TZ
from campaign.models import Participation
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Absence, Consultant, WorkingHours
from consultants.roles import can_manage_jobcentre
from notifications.models import Message
from notifications.services import Outgoing, messages_cancel, messages_enqueue

REASON_MAX_LENGTH = 300


@dataclass(frozen=True)
class Candidate:
    """A consultant of the visit's jobcentre, and why they cannot take it (empty: free)."""

    consultant: Consultant
    reason: str = ""
    is_current: bool = False

    @property
    def is_free(self) -> bool:
        return not self.reason


def jobcentre_consultants(booking: Booking) -> QuerySet[Consultant]:
    """The consultants who may take the visit: active local consultants of its jobcentre."""
    return Consultant.objects.filter(
        jobcentre_id=booking.jobcentre_id, kind=Consultant.Kind.LOCAL, is_active=True
    ).order_by("name", "pk")


def _wrong_consultant(booking: Booking, consultant: Consultant) -> str:
    if consultant.kind != Consultant.Kind.LOCAL or consultant.jobcentre_id != booking.jobcentre_id:
        return _("%(name)s is not a consultant of %(jobcentre)s.") % {
            "name": consultant.name,
            "jobcentre": booking.jobcentre,
        }
    if not consultant.is_active:
        return _("%(name)s is no longer active.") % {"name": consultant.name}
    return ""


def free_at(booking: Booking, consultants: list[Consultant]) -> dict[int, str]:
    """Per consultant id, why they cannot take `booking` at its time, or "" when they can.
    Three queries (working hours, absences, visits) whatever the number of consultants."""
    ids = [c.pk for c in consultants]
    start, end = booking.starts_at, booking.ends_at
    local_start, local_end = start.astimezone(LOCAL_TZ), end.astimezone(LOCAL_TZ)
    day = local_start.date()
    buffer = dt.timedelta(minutes=booking.campaign.travel_buffer_minutes)

    hours: dict[int, list[tuple[dt.time, dt.time]]] = {cid: [] for cid in ids}
    for row in WorkingHours.objects.filter(consultant_id__in=ids, weekday=day.weekday()):
        hours[row.consultant_id].append((row.starts_at, row.ends_at))

    away: dict[int, Absence] = {}
    for absence in Absence.objects.filter(
        consultant_id__in=ids, starts_at__lt=end, ends_at__gt=start
    ).order_by("starts_at"):
        away.setdefault(absence.consultant_id, absence)

    # Their other visits in the visit's ISO week: for the overlap and for the caps, counted
    # as the slot finder counts them (active attendee rows, by local start day).
    monday = day - dt.timedelta(days=day.weekday())
    week_start = dt.datetime.combine(monday, dt.time.min, LOCAL_TZ)
    week_end = week_start + dt.timedelta(days=7)
    clash: set[int] = set()
    per_day: dict[int, int] = dict.fromkeys(ids, 0)
    per_week: dict[int, int] = dict.fromkeys(ids, 0)
    others = (
        Attendee.objects.filter(
            consultant_id__in=ids,
            is_active=True,
            starts_at__lt=max(week_end, end + buffer),
            blocked_until__gt=min(week_start, start),
        )
        .exclude(booking_id=booking.pk)
        .values_list("consultant_id", "starts_at", "blocked_until")
    )
    for cid, other_start, other_blocked in others:
        # Busy from its start to its end plus buffer; our visit needs the same around it.
        if other_start < end + buffer and other_blocked > start:
            clash.add(cid)
        other_day = other_start.astimezone(LOCAL_TZ).date()
        if other_day == day:
            per_day[cid] += 1
        if week_start <= other_start < week_end:
            per_week[cid] += 1

    reasons = {}
    for consultant in consultants:
        cid, name = consultant.pk, consultant.name
        within = local_end.date() == day and any(
            s <= local_start.time() and local_end.time() <= e for s, e in hours[cid]
        )
        if reason := _wrong_consultant(booking, consultant):
            pass
        elif cid in away:
            reason = _("%(name)s is away (%(kind)s) at that time.") % {
                "name": name,
                "kind": away[cid].get_kind_display().lower(),
            }
        elif not within:
            reason = _("The visit is outside %(name)s's working hours.") % {"name": name}
        elif cid in clash:
            reason = _("%(name)s has another visit at that time (travel time included).") % {
                "name": name
            }
        elif per_day[cid] >= consultant.max_visits_per_day:
            reason = _("%(name)s has reached the day's maximum of %(count)d visits.") % {
                "name": name,
                "count": consultant.max_visits_per_day,
            }
        elif per_week[cid] >= consultant.max_visits_per_week:
            reason = _("%(name)s has reached the week's maximum of %(count)d visits.") % {
                "name": name,
                "count": consultant.max_visits_per_week,
            }
        reasons[cid] = str(reason)
    return reasons


def current_local(booking: Booking) -> Attendee | None:
    """The visit's active local consultant (track 1 also has a Jobservice representative,
    who is not reassigned here)."""
    return (
        booking.attendees.filter(is_active=True, role=Attendee.Role.LOCAL)
        .select_related("consultant")
        .first()
    )


def reassign_candidates(booking: Booking) -> list[Candidate]:
    """Every consultant of the visit's jobcentre, the current one first, and whether each is
    free at the visit's time (and why not)."""
    current = current_local(booking)
    consultants = list(jobcentre_consultants(booking))
    reasons = free_at(booking, consultants)
    current_id = current.consultant_id if current else None
    candidates = [
        Candidate(
            consultant=c,
            reason=(_("Has the visit now.") if c.pk == current_id else reasons[c.pk]),
            is_current=c.pk == current_id,
        )
        for c in consultants
    ]
    return sorted(candidates, key=lambda c: not c.is_current)


def _unique(messages: list[Outgoing], booking: Booking) -> list[Outgoing]:
    """The outbox skips a key it has seen. A consultant can be given the same visit twice
    (given away, then back), or the company told of a second change: those keys get the
    visit's revision, so the message is written again."""
    existing = set(
        Message.objects.filter(key__in=[m.key for m in messages]).values_list("key", flat=True)
    )
    return [
        replace(m, key=f"{m.key}:rev{booking.sequence}") if m.key in existing else m
        for m in messages
    ]


@transaction.atomic
def booking_reassign(
    *,
    actor,
    booking: Booking,
    consultant: Consultant,
    reason: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Give a booked, future visit to `consultant`, a free consultant of its jobcentre.

    The old local attendee row stays, inactive; a new active one is written for the new
    consultant (track 1: the Jobservice representative stays). The visit's revision goes up
    (calendar feeds update it). The old consultant's pending messages about the visit are
    cancelled and they get 'attendee-cancelled'; the new one gets 'attendee-notice'; the
    company gets 'company-changed'. Nothing is deleted.

    Refuses (Conflict, naming why) when the consultant is not free then; ApplicationError
    for someone outside the jobcentre; PermissionDenied unless the actor manages it."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        message = _("Please say why the visit changes consultant.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Please keep the reason under %(count)d characters.") % {
            "count": REASON_MAX_LENGTH
        }
        raise ApplicationError(message, field_errors={"reason": [message]})
    if not can_manage_jobcentre(actor, booking.jobcentre_id):
        raise PermissionDenied(
            _("Only the jobcentre's coordinator and agency staff may reassign its visits.")
        )

    # Lock order as in booking_create and booking_move, so none of them deadlock: the
    # jobcentre's participation row, then the visit, then the consultants by id. Under these
    # locks the checks below see every booking committed before us.
    Participation.objects.select_for_update().filter(
        campaign_id=booking.campaign_id, jobcentre_id=booking.jobcentre_id
    ).first()
    booking = _lock_booked(booking, now)
    current = current_local(booking)
    ids = {consultant.pk} | ({current.consultant_id} if current else set())
    locked = {
        c.pk: c for c in Consultant.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    }
    consultant = locked[consultant.pk]

    def refuse(message, error=ApplicationError):
        raise error(message, field_errors={"consultant": [message]})

    if wrong := _wrong_consultant(booking, consultant):
        refuse(wrong)
    if current is not None and current.consultant_id == consultant.pk:
        refuse(_("%(name)s already has this visit.") % {"name": consultant.name})
    if why := free_at(booking, [consultant])[consultant.pk]:
        refuse(why, Conflict)

    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])  # save(): the audit log sees it
    taken = _("%(name)s has another visit at that time (travel time included).") % {
        "name": consultant.name
    }
    # A visit for them may have been committed in between by another jobcentre's track-1
    # booking, which takes other locks: then the database refuses the seat.
    (new,) = attendees_seat(
        booking,
        [consultant],
        on_taken=lambda: Conflict(taken, field_errors={"consultant": [taken]}),
    )
    booking.sequence += 1
    booking.save(update_fields=["sequence", "changed_at"])

    messages = []
    if current is not None:
        # What the old consultant was still to get about this visit (its notice, reminders)
        # is no longer theirs.
        messages_cancel(subject_ref=_ref(booking), to_email=current.consultant.email)
        messages.append(
            _attendee_message(
                "attendee-cancelled",
                booking,
                current,
                now,
                reassigned_to=consultant.pk,
                reason=reason,
            )
        )
    messages.append(
        _attendee_message(
            "attendee-notice",
            booking,
            new,
            now,
            reassigned_from=current.consultant_id if current else None,
            reason=reason,
        )
    )
    messages.append(_company_message("company-changed", booking, now, consultant=consultant.pk))
    # The new consultant's own reminders: acknowledge, the day before, the outcome.
    messages += attendee_schedule(booking, new, now)
    messages_enqueue(messages=_unique(messages, booking))
    return booking
