"""A consultant's availability: weekly working hours, absences and the most visits they take
a day and a week. The slot finder (bookings.slots) reads all three, so what is kept here is
what phoners can offer.

Who may change it (every service checks, so the pages and the API refuse the same things):
the consultant themself (a Jobservice Danmark representative keeps theirs the same way), the
coordinator of the consultant's jobcentre, and agency staff for anyone.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, PermissionDenied
from consultants.models import Absence, Consultant, WorkingHours
from consultants.roles import Role, consultant_of, has_role, is_agency, jobcentre_id_of

# The service's week, keyed by weekday (Monday = 0): the intervals worked that day.
Week = dict[int, list[tuple[dt.time, dt.time]]]

# The names the pages and the API use for the weekdays, and for their field errors.
WEEKDAY_KEYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A visit in this state still holds a place in the consultant's calendar. Spelled out
# because consultants may not import bookings (see _attendees).
BOOKED_STATE = "booked"

MAX_VISITS_PER_DAY = 20
MAX_VISITS_PER_WEEK = 100


# --- Who may change whose availability -------------------------------------------------------


def can_edit_availability(user, consultant: Consultant) -> bool:
    """Agency staff: anyone. A coordinator: the consultants of their jobcentre. Anyone with a
    consultant profile: their own."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_agency(user):
        return True
    own = consultant_of(user)
    if own is not None and own.pk == consultant.pk:
        return True
    return (
        consultant.jobcentre_id is not None
        and has_role(user, Role.COORDINATOR)
        and jobcentre_id_of(user) == consultant.jobcentre_id
    )


def editable_consultants(user) -> QuerySet[Consultant]:
    """The consultants whose availability the user may see and change (can_edit_availability
    as a queryset): everyone (agency), the jobcentre's (a coordinator), their own."""
    queryset = Consultant.objects.select_related("jobcentre").order_by("name", "pk")
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    if is_agency(user):
        return queryset
    scope = Q(pk__in=[])
    own = consultant_of(user)
    if own is not None:
        scope |= Q(pk=own.pk)
    if has_role(user, Role.COORDINATOR):
        jobcentre_id = jobcentre_id_of(user)
        if jobcentre_id is not None:
            scope |= Q(jobcentre_id=jobcentre_id)
    return queryset.filter(scope)


def _require_editor(actor, consultant: Consultant) -> None:
    if not can_edit_availability(actor, consultant):
        raise PermissionDenied(
            _(
                "Only the consultant, their jobcentre's coordinator and agency staff may "
                "change this availability."
            )
        )


def _lock(consultant: Consultant) -> Consultant:
    # The same row booking_create locks for the consultant it books: a change of hours,
    # absences or caps waits for a booking in progress, and the other way round.
    return Consultant.objects.select_for_update().get(pk=consultant.pk)


# --- Working hours ---------------------------------------------------------------------------


def week_of(consultant: Consultant) -> Week:
    """The consultant's working hours as a week: every weekday, with its sorted intervals."""
    week: Week = {day: [] for day in range(7)}
    for hours in consultant.working_hours.order_by("weekday", "starts_at"):
        week[hours.weekday].append((hours.starts_at, hours.ends_at))
    return week


def _hhmm(moment: dt.time) -> str:
    return moment.strftime("%H:%M")


def week_check(week: Week) -> Week:
    """The week, normalised (every weekday present, intervals sorted), or ApplicationError
    with the problems per weekday (field errors named as WEEKDAY_KEYS): each interval must end
    after it starts, and the intervals of one day must not overlap (touching is fine)."""
    errors: dict[str, list[str]] = {}
    normal: Week = {day: [] for day in range(7)}
    for day, intervals in week.items():
        if not isinstance(day, int) or not 0 <= day <= 6:
            message = _("Unknown weekday: %(day)s.") % {"day": day}
            errors.setdefault("week", []).append(message)
            continue
        name = WorkingHours.Weekday(day).label
        problems = errors.setdefault(WEEKDAY_KEYS[day], [])
        cleaned = []
        for starts_at, ends_at in intervals:
            if not isinstance(starts_at, dt.time) or not isinstance(ends_at, dt.time):
                problems.append(_("%(day)s: give each interval as two times.") % {"day": name})
                continue
            if ends_at <= starts_at:
                problems.append(
                    _("%(day)s: %(start)s-%(end)s must end after it starts.")
                    % {"day": name, "start": _hhmm(starts_at), "end": _hhmm(ends_at)}
                )
                continue
            cleaned.append((starts_at.replace(tzinfo=None), ends_at.replace(tzinfo=None)))
        cleaned.sort()
        for (start_a, end_a), (start_b, end_b) in zip(cleaned, cleaned[1:], strict=False):
            if start_b < end_a:
                problems.append(
                    _("%(day)s: %(first)s and %(second)s overlap.")
                    % {
                        "day": name,
                        "first": f"{_hhmm(start_a)}-{_hhmm(end_a)}",
                        "second": f"{_hhmm(start_b)}-{_hhmm(end_b)}",
                    }
                )
        normal[day] = cleaned
    errors = {key: messages for key, messages in errors.items() if messages}
    if errors:
        first = next(iter(errors.values()))[0]
        raise ApplicationError(first, field_errors=errors)
    return normal


@transaction.atomic
def working_hours_set(*, actor, consultant: Consultant, week: Week) -> Week:
    """Replace the consultant's weekly working hours with `week` (weekday -> intervals; a
    weekday left out is a day off), all or nothing. Unchanged intervals keep their rows;
    the others are deleted and created one by one, so the audit log shows what changed."""
    _require_editor(actor, consultant)
    wanted = week_check(week)
    consultant = _lock(consultant)
    wanted_set = {(day, s, e) for day, intervals in wanted.items() for s, e in intervals}
    kept = set()
    for hours in consultant.working_hours.all():
        key = (hours.weekday, hours.starts_at, hours.ends_at)
        if key in wanted_set and key not in kept:
            kept.add(key)
        else:
            hours.delete()
    for day, start, end in sorted(wanted_set - kept):
        WorkingHours.objects.create(
            consultant=consultant, weekday=day, starts_at=start, ends_at=end
        )
    return week_of(consultant)


# --- Caps --------------------------------------------------------------------------------------


@transaction.atomic
def visit_caps_set(*, actor, consultant: Consultant, per_day: int, per_week: int) -> Consultant:
    """Set the most visits the consultant takes a day and a week. Visits already booked stay
    (lowering a cap only stops new bookings)."""
    _require_editor(actor, consultant)
    errors: dict[str, list[str]] = {}
    if not isinstance(per_day, int) or not 1 <= per_day <= MAX_VISITS_PER_DAY:
        errors["max_visits_per_day"] = [
            _("Between 1 and %(max)d visits a day.") % {"max": MAX_VISITS_PER_DAY}
        ]
    if not isinstance(per_week, int) or not 1 <= per_week <= MAX_VISITS_PER_WEEK:
        errors["max_visits_per_week"] = [
            _("Between 1 and %(max)d visits a week.") % {"max": MAX_VISITS_PER_WEEK}
        ]
    elif not errors and per_week < per_day:
        errors["max_visits_per_week"] = [
            _("The weekly maximum cannot be below the daily maximum (%(per_day)d).")
            % {"per_day": per_day}
        ]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    consultant = _lock(consultant)
    if (consultant.max_visits_per_day, consultant.max_visits_per_week) != (per_day, per_week):
        consultant.max_visits_per_day = per_day
        consultant.max_visits_per_week = per_week
        consultant.save(update_fields=["max_visits_per_day", "max_visits_per_week"])
    return consultant


# --- Absences ----------------------------------------------------------------------------------


def _attendees() -> QuerySet:
    """Visits in consultants' calendars (bookings.Attendee).

    consultants sits at the bottom of the dependency order (bookings imports consultants), so
    it may not import bookings.models. The model is looked up by its app label in the app
    registry when the query is built: no import of bookings, and the query still runs in the
    database."""
    return apps.get_model("bookings", "Attendee").objects.all()


def collisions_of(absences: list[Absence]) -> dict[int, list]:
    """Per absence id, the booked visits of its consultant that overlap it (the consultant's
    active attendee rows, with booking and company), in one query for all the absences."""
    result: dict[int, list] = {a.pk: [] for a in absences}
    if not absences:
        return result
    overlap = Q(pk__in=[])
    for absence in absences:
        overlap |= Q(
            consultant_id=absence.consultant_id,
            starts_at__lt=absence.ends_at,
            booking__ends_at__gt=absence.starts_at,
        )
    rows = (
        _attendees()
        .filter(overlap, is_active=True, booking__state=BOOKED_STATE)
        .select_related("booking__company", "consultant")
        .order_by("starts_at", "pk")
    )
    for row in rows:
        for absence in absences:
            if (
                row.consultant_id == absence.consultant_id
                and row.starts_at < absence.ends_at
                and row.booking.ends_at > absence.starts_at
            ):
                result[absence.pk].append(row)
    return result


@dataclass
class AbsenceCreated:
    """The new absence and the booked visits it collides with (still booked: the coordinator
    reassigns or cancels them)."""

    absence: Absence
    collisions: list = field(default_factory=list)


@transaction.atomic
def absence_create(
    *,
    actor,
    consultant: Consultant,
    kind: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    note: str = "",
) -> AbsenceCreated:
    """Record a time the consultant cannot take visits. An absence over visits already booked
    is allowed (illness does not ask first); the answer lists those visits, so they can be
    reassigned."""
    _require_editor(actor, consultant)
    errors: dict[str, list[str]] = {}
    if kind not in Absence.Kind.values:
        errors["kind"] = [_("Choose holiday, sick, course or other.")]
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, dt.datetime) or timezone.is_naive(value):
            errors[name] = [_("Give a date and time.")]
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = [_("The absence must end after it starts.")]
    note = (note or "").strip()
    max_length = Absence._meta.get_field("note").max_length
    if len(note) > max_length:
        errors["note"] = [_("At most %(max)d characters.") % {"max": max_length}]
    if errors:
        raise ApplicationError(next(iter(errors.values()))[0], field_errors=errors)
    consultant = _lock(consultant)
    absence = Absence.objects.create(
        consultant=consultant, kind=kind, starts_at=starts_at, ends_at=ends_at, note=note
    )
    return AbsenceCreated(absence=absence, collisions=collisions_of([absence])[absence.pk])


@transaction.atomic
def absence_delete(*, actor, absence: Absence) -> None:
    """Remove an absence. It is the consultant's own plan, not history, so it goes; the audit
    log keeps a record of it. Kept simple: no check whether it lies in the past, and nothing
    is re-offered or re-booked (the slot finder simply sees the time as free again)."""
    _require_editor(actor, absence.consultant)
    _lock(absence.consultant)
    locked = Absence.objects.select_for_update().filter(pk=absence.pk).first()
    if locked is not None:  # else removed a moment ago: nothing left to do
        locked.delete()
