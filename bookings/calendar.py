"""The consultants' side of a visit: the visit page's facts (the chain of moves, the history
of every change, the messages), acknowledging a visit, the unacknowledged visits of a
jobcentre, the calendar's events, and the secret calendar-feed link.

Shared by the pages (bookings.visit_views) and the API (bookings.visit_api). The iCalendar
output is bookings.feed; moving and cancelling are bookings.changes.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.changes import booking_move
from bookings.models import (
    Agreement,
    Attendee,
    Booking,
    BookingState,
    FollowUp,
    Outcome,
)
from bookings.queries import bookings_for
from bookings.slots import LOCAL_TZ, RELEASED_STATES
from common.errors import ApplicationError, NotFound, PermissionDenied
from common.tokens import new_token, token_hash
from consultants.models import Consultant
from consultants.roles import (
    Role,
    can_manage_jobcentre,
    consultant_of,
    has_role,
    is_agency,
    jobcentre_id_of,
)
from notifications.models import Message

CANCELLED_STATES = (BookingState.CANCELLED_COMPANY, BookingState.CANCELLED_JOBCENTRE)
HELD_STATES = (BookingState.HELD, BookingState.HELD_SHORT, BookingState.HELD_PHONE)
NO_SHOW_STATES = (BookingState.NO_SHOW_COMPANY, BookingState.NO_SHOW_CONSULTANT)

# Who may open visit pages and change visits there (scoped by bookings_for).
STAFF = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)
REASON_MAX_LENGTH = Booking._meta.get_field("cancel_reason").max_length


def visits_for(user) -> QuerySet[Booking]:
    """The visits the user may open: bookings_for(user), with what the visit page shows."""
    return bookings_for(user).select_related(
        "company__municipality",
        "booked_by",
        "call_list__campaign",
        "call_list__jobcentre",
        "replaces",
        "replaced_by",
    )


def display_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


# --- Moves: a visit's chain of bookings ------------------------------------------------------


def move_chains(bookings: Iterable[Booking]) -> dict[int, list[Booking]]:
    """Each booking's chain of moves, first booking first, keyed by every booking's id in it.

    A move keeps the old booking (state 'moved') and books a new one that `replaces` it, so
    one visit is a chain. Loads the missing links a level at a time: one query per move
    in the longest chain, whatever the number of bookings."""
    known = {b.pk: b for b in bookings}
    base = Booking.objects.select_related("company", "campaign", "jobcentre", "booked_by")
    missing = {b.replaces_id for b in known.values() if b.replaces_id} - set(known)
    while missing:
        found = list(base.filter(pk__in=missing))
        known.update((b.pk, b) for b in found)
        missing = {b.replaces_id for b in found if b.replaces_id} - set(known)
    frontier = set(known)
    while frontier:
        found = list(base.filter(replaces_id__in=frontier).exclude(pk__in=list(known)))
        known.update((b.pk, b) for b in found)
        frontier = {b.pk for b in found}

    successor = {b.replaces_id: b for b in known.values() if b.replaces_id}
    chains: dict[int, list[Booking]] = {}
    for booking in known.values():
        if booking.pk in chains:
            continue
        root = booking
        while root.replaces_id and root.replaces_id in known:
            root = known[root.replaces_id]
        chain = [root]
        while chain[-1].pk in successor:
            chain.append(successor[chain[-1].pk])
        for link in chain:
            chains[link.pk] = chain
    return chains


def chain_sequence(chain: list[Booking], rows: Iterable[Attendee] = ()) -> int:
    """The iCalendar SEQUENCE of a visit as one consultant sees it; it grows with every
    change: each booking's own revision (bumped by every change), one more per move, and
    one more each time the consultant was taken off a visit that went on without them
    (`rows`: that consultant's attendee rows in the chain)."""
    states = {b.pk: b.state for b in chain}
    dropped = sum(
        1
        for row in rows
        if not row.is_active and states.get(row.booking_id) not in (*RELEASED_STATES, None)
    )
    return sum(b.sequence for b in chain) + len(chain) - 1 + dropped


def visit_url(booking: Booking) -> str:
    """The visit page's full address, for e-mail and calendar entries."""
    return settings.SITE_URL.rstrip("/") + reverse("visit-detail", kwargs={"pk": booking.pk})


# --- History: every change, from the audit log -----------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    at: dt.datetime
    actor: str
    action: str
    reason: str = ""
    booking_id: int | None = None


def _when(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _change_text(model, field_name: str, values) -> str:
    """'field: old → new' for a change the history has no sentence for."""
    try:
        field = model._meta.get_field(field_name)
    except FieldDoesNotExist:
        return ""
    if getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False):
        return ""  # ids say nothing to a reader
    choices = dict(field.choices) if getattr(field, "choices", None) else {}

    def show(value):
        if value in (None, "None", ""):
            return "–"
        if value in choices:
            return str(choices[value])
        if field.get_internal_type() == "DateTimeField":
            parsed = parse_datetime(str(value))
            if parsed is not None:
                return _when(parsed)
        return str(value)

    old, new = (list(values) + [None, None])[:2]
    return f"{field.verbose_name}: {show(old)} → {show(new)}"


def visit_history(booking: Booking, chain: list[Booking] | None = None) -> list[HistoryItem]:
    """Every recorded change of the visit, newest first: its bookings (the whole chain of
    moves), their attendees, its outcome with its agreements and follow-ups. Who, when,
    what and why, from django-auditlog's rows; nothing is ever deleted."""
    chain = chain or move_chains([booking])[booking.pk]
    by_id = {b.pk: b for b in chain}
    ids = list(by_id)
    attendees = {
        a.pk: a for a in Attendee.objects.filter(booking_id__in=ids).select_related("consultant")
    }
    outcomes = {
        o.pk: o for o in Outcome.objects.filter(booking_id__in=ids).select_related("registered_by")
    }
    agreement_ids = list(
        Agreement.objects.filter(outcome_id__in=list(outcomes)).values_list("pk", flat=True)
    )
    followup_ids = list(
        FollowUp.objects.filter(outcome_id__in=list(outcomes)).values_list("pk", flat=True)
    )
    types = ContentType.objects.get_for_models(Booking, Attendee, Outcome, Agreement, FollowUp)
    wanted = {
        Booking: ids,
        Attendee: list(attendees),
        Outcome: list(outcomes),
        Agreement: agreement_ids,
        FollowUp: followup_ids,
    }
    scope = Q(pk__in=[])
    for model, object_ids in wanted.items():
        if object_ids:
            scope |= Q(content_type=types[model], object_id__in=object_ids)
    entries = LogEntry.objects.filter(scope).select_related("actor").order_by("-timestamp", "-pk")
    model_of = {ct.pk: model for model, ct in types.items()}

    items = []
    logged = set()  # what the audit log has: (model, id) created, ("state", id) changed
    for entry in entries:
        model = model_of[entry.content_type_id]
        if entry.action == LogEntry.Action.CREATE:
            logged.add((model, entry.object_id))
        elif model is Booking and "state" in (entry.changes_dict or {}):
            logged.add(("state", entry.object_id))
        changes = entry.changes_dict or {}
        actor = display_name(entry.actor)
        reason = ""
        booking_id = None
        if model is Booking:
            subject = by_id.get(entry.object_id)
            booking_id = entry.object_id
            action, reason, fallback_actor = _booking_change(entry, subject, changes, chain)
            actor = actor or fallback_actor
        elif model is Attendee:
            attendee = attendees.get(entry.object_id)
            booking_id = attendee.booking_id if attendee else None
            action = _attendee_change(entry, attendee, changes)
        elif model is Outcome:
            outcome = outcomes.get(entry.object_id)
            booking_id = outcome.booking_id if outcome else None
            if entry.action == LogEntry.Action.CREATE and outcome is not None:
                action = _("Outcome registered: %(kind)s") % {"kind": outcome.get_kind_display()}
                reason = (changes.get("reason") or ["", ""])[1] or ""
            else:
                action = _generic(entry, Outcome, changes, _("Outcome"))
        else:
            label = str(model._meta.verbose_name).capitalize()
            action = _generic(entry, model, changes, label)
        items.append(
            HistoryItem(
                at=entry.timestamp,
                actor=actor or _("Visitbook"),
                action=action,
                reason=reason if reason not in ("None",) else "",
                booking_id=booking_id,
            )
        )
    # Rows written without the audit log (imports, the demo's bulk data) still say when
    # they were booked and registered, and by whom.
    for link in chain:
        if (Booking, link.pk) not in logged:
            action, _reason, actor = _booking_change(
                LogEntry(action=LogEntry.Action.CREATE), link, {}, chain
            )
            if not link.replaces_id:
                actor = display_name(link.booked_by)
            items.append(HistoryItem(link.booked_at, actor or _("Visitbook"), action, "", link.pk))
        if (
            link.state in (*CANCELLED_STATES, BookingState.MOVED)
            and ("state", link.pk) not in logged
        ):
            fake = LogEntry(action=LogEntry.Action.UPDATE)
            action, reason, _actor = _booking_change(fake, link, {"state": ["", link.state]}, chain)
            actor = _("The company") if link.state == BookingState.CANCELLED_COMPANY else "–"
            following = next((b for b in chain if b.replaces_id == link.pk), None)
            at = following.booked_at if following else link.changed_at
            items.append(HistoryItem(at, actor, action, reason, link.pk))
    for outcome in outcomes.values():
        if (Outcome, outcome.pk) not in logged:
            items.append(
                HistoryItem(
                    outcome.registered_at,
                    display_name(outcome.registered_by) or _("Visitbook"),
                    _("Outcome registered: %(kind)s") % {"kind": outcome.get_kind_display()},
                    outcome.reason,
                    outcome.booking_id,
                )
            )
    items.sort(key=lambda item: item.at, reverse=True)
    return items


def _generic(entry: LogEntry, model, changes: dict, label: str) -> str:
    if entry.action == LogEntry.Action.CREATE:
        return _("%(what)s added: %(name)s") % {"what": label, "name": entry.object_repr}
    if entry.action == LogEntry.Action.DELETE:
        return _("%(what)s deleted: %(name)s") % {"what": label, "name": entry.object_repr}
    parts = [t for t in (_change_text(model, f, v) for f, v in changes.items()) if t]
    return _("%(what)s changed") % {"what": label} + (": " + "; ".join(parts) if parts else "")


def _booking_change(entry: LogEntry, booking: Booking | None, changes: dict, chain):
    """(what, why, who when the row has no actor) for a change of a booking."""
    state = changes.get("state")
    new_state = state[1] if state else None
    position = next((i for i, b in enumerate(chain) if booking and b.pk == booking.pk), None)
    if entry.action == LogEntry.Action.CREATE:
        when = _when(booking.starts_at) if booking else ""
        booked_by = display_name(booking.booked_by) if booking else ""
        if booking is not None and booking.replaces_id:
            # Booked by a move: staff moves carry their actor; without one it was the
            # company's self-service link (the original booker did not do it).
            text = _("New time booked: %(when)s") % {"when": when}
            return text, "", _("The company (self-service link)")
        text = _("Visit booked for %(when)s") % {"when": when}
        if booking is not None and booking.call_list_id:
            text += " " + _("from the call list %(list)s") % {"list": booking.call_list}
        return text, "", booked_by
    if new_state == BookingState.MOVED and booking is not None:
        following = (
            chain[position + 1] if position is not None and position + 1 < len(chain) else None
        )
        text = _("Moved from %(old)s") % {"old": _when(booking.starts_at)}
        if following is not None:
            text = _("Moved from %(old)s to %(new)s") % {
                "old": _when(booking.starts_at),
                "new": _when(following.starts_at),
            }
        reason = (entry.additional_data or {}).get("reason", "")
        return text, reason, _("The company (self-service link)")
    if new_state in CANCELLED_STATES:
        reason = (changes.get("cancel_reason") or ["", ""])[1] or ""
        if not reason and booking is not None:
            reason = booking.cancel_reason
        text = (
            _("Cancelled by the company")
            if new_state == BookingState.CANCELLED_COMPANY
            else _("Cancelled by the jobcentre")
        )
        fallback = _("The company (self-service link)") if new_state == "cancelled_company" else ""
        return text, reason, fallback
    return _generic(entry, Booking, changes, _("Visit")), "", ""


def _attendee_change(entry: LogEntry, attendee: Attendee | None, changes: dict) -> str:
    name = attendee.consultant.name if attendee else entry.object_repr
    if entry.action == LogEntry.Action.CREATE:
        return _("%(name)s attends the visit") % {"name": name}
    acknowledged = changes.get("acknowledged_at")
    if acknowledged and acknowledged[1] not in (None, "None", ""):
        return _("%(name)s acknowledged the visit") % {"name": name}
    active = changes.get("is_active")
    if active and active[1] == "False":
        return _("%(name)s no longer attends the visit") % {"name": name}
    if active and active[1] == "True":
        return _("%(name)s attends the visit again") % {"name": name}
    return _generic(entry, Attendee, changes, _("Attendee"))


# --- Messages: the outbox rows about a visit ------------------------------------------------

MESSAGE_KINDS = {
    "company-confirmation": gettext_lazy("Confirmation to the company"),
    "attendee-notice": gettext_lazy("New visit, to the consultant"),
    "company-cancelled": gettext_lazy("Cancellation, to the company"),
    "attendee-cancelled": gettext_lazy("Cancellation, to the consultant"),
    "company-moved": gettext_lazy("New time, to the company"),
    "attendee-moved": gettext_lazy("New time, to the consultant"),
    "company-reminder": gettext_lazy("Reminder, to the company"),
    "company-changed": gettext_lazy("New consultant, to the company"),
    "ack-reminder": gettext_lazy("Acknowledgement reminder, to the consultant"),
    "ack-escalation": gettext_lazy("Not acknowledged, to the coordinator"),
    "attendee-reminder": gettext_lazy("Reminder before the visit, to the consultant"),
    "outcome-prompt": gettext_lazy("Outcome prompt, to the consultant"),
    "outcome-escalation": gettext_lazy("Outcome missing, to the coordinator"),
    "followup-due": gettext_lazy("Follow-up due, to its owner"),
    "followup-overdue": gettext_lazy("Follow-up overdue, to its owner"),
    "followup-escalation": gettext_lazy("Overdue follow-up, to the coordinator"),
}


def message_kind_label(kind: str) -> str:
    return str(MESSAGE_KINDS.get(kind, kind))


def visit_messages(chain: list[Booking]) -> list[Message]:
    """The outbox rows about the visit and the bookings it replaced, newest first."""
    refs = [f"booking:{b.pk}" for b in chain]
    messages = list(Message.objects.filter(subject_ref__in=refs).order_by("-due_at", "-pk"))
    for message in messages:
        message.kind_label = message_kind_label(message.kind)
    return messages


# --- The visit page --------------------------------------------------------------------------


@dataclass
class VisitOverview:
    booking: Booking
    chain: list[Booking]
    attendees: list[Attendee]
    history: list[HistoryItem]
    messages: list[Message]
    my_attendance: Attendee | None
    can_acknowledge: bool
    can_change: bool


def visit_overview(*, user, booking: Booking, now: dt.datetime | None = None) -> VisitOverview:
    now = now or timezone.now()
    chain = move_chains([booking])[booking.pk]
    attendees = sorted(
        booking.attendees.select_related("consultant"),
        key=lambda a: (not a.is_active, a.role != Attendee.Role.LOCAL, a.consultant.name),
    )
    consultant = consultant_of(user)
    mine = next(
        (a for a in attendees if a.is_active and consultant and a.consultant_id == consultant.pk),
        None,
    )
    return VisitOverview(
        booking=booking,
        chain=chain,
        attendees=attendees,
        history=visit_history(booking, chain),
        messages=visit_messages(chain),
        my_attendance=mine,
        can_acknowledge=mine is not None and mine.acknowledged_at is None,
        can_change=booking.state == BookingState.BOOKED
        and booking.starts_at > now
        and has_role(user, *STAFF),
    )


# --- Acknowledging ---------------------------------------------------------------------------


@transaction.atomic
def attendee_acknowledge(*, actor, booking: Booking, now: dt.datetime | None = None) -> Attendee:
    """The actor confirms the visit is in their calendar: sets acknowledged_at on their own
    active attendee row. Doing it again changes nothing. Only an attendee may."""
    consultant = consultant_of(actor)
    row = None
    if consultant is not None:
        row = (
            Attendee.objects.select_for_update()
            .select_related("consultant")
            .filter(booking_id=booking.pk, consultant=consultant, is_active=True)
            .first()
        )
    if row is None:
        raise PermissionDenied(_("Only a consultant who attends this visit can acknowledge it."))
    if row.acknowledged_at is None:
        row.acknowledged_at = now or timezone.now()
        row.save(update_fields=["acknowledged_at"])  # save(): the audit log sees it
    return row


def unacknowledged_for(user, *, now: dt.datetime | None = None) -> QuerySet[Booking]:
    """Booked visits not over yet that an attendee has not acknowledged, in the user's
    scope (a coordinator: their jobcentre), the oldest booking first."""
    now = now or timezone.now()
    waiting = Attendee.objects.filter(
        booking=OuterRef("pk"), is_active=True, acknowledged_at__isnull=True
    )
    return (
        bookings_for(user)
        .filter(state=BookingState.BOOKED, ends_at__gt=now)
        .filter(Exists(waiting))
        .prefetch_related(
            Prefetch(
                "attendees",
                queryset=Attendee.objects.filter(is_active=True)
                .select_related("consultant")
                .order_by("role", "pk"),
                to_attr="active_attendees",
            )
        )
        .order_by("booked_at", "pk")
    )


# --- Moving (staff) -------------------------------------------------------------------------


def visit_move(
    *,
    actor,
    booking: Booking,
    starts_at: dt.datetime,
    reason: str,
    now: dt.datetime | None = None,
) -> Booking:
    """Staff move a visit to another free time, saying why (bookings.changes.booking_move;
    the reason goes into the visit's history)."""
    reason = (reason or "").strip()
    if not reason:
        message = _("Please give a reason for the move.")
        raise ApplicationError(message, field_errors={"reason": [message]})
    if len(reason) > REASON_MAX_LENGTH:
        message = _("Please keep the reason under %(count)d characters.") % {
            "count": REASON_MAX_LENGTH
        }
        raise ApplicationError(message, field_errors={"reason": [message]})
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied()
    return booking_move(actor=actor, booking=booking, starts_at=starts_at, reason=reason, now=now)


# --- The calendar ----------------------------------------------------------------------------

# Dark enough for white text (WCAG AA); a state also has a marker and a label.
STATE_COLOURS = {
    BookingState.BOOKED: "#0a58ca",
    BookingState.HELD: "#146c43",
    BookingState.HELD_SHORT: "#146c43",
    BookingState.HELD_PHONE: "#146c43",
    BookingState.CANCELLED_COMPANY: "#6c757d",
    BookingState.CANCELLED_JOBCENTRE: "#6c757d",
    BookingState.MOVED: "#6c757d",
    BookingState.NO_SHOW_COMPANY: "#b02a37",
    BookingState.NO_SHOW_CONSULTANT: "#b02a37",
}
STATE_MARKERS = {
    BookingState.BOOKED: "●",
    BookingState.HELD: "✓",
    BookingState.HELD_SHORT: "✓",
    BookingState.HELD_PHONE: "✓",
    BookingState.CANCELLED_COMPANY: "✕",
    BookingState.CANCELLED_JOBCENTRE: "✕",
    BookingState.MOVED: "→",
    BookingState.NO_SHOW_COMPANY: "!",
    BookingState.NO_SHOW_CONSULTANT: "!",
}
CONSULTANT_COLOURS = (
    "#0a58ca",
    "#146c43",
    "#6f42c1",
    "#b02a37",
    "#0f5963",
    "#8a4b08",
    "#7a1f5c",
    "#1c3d7a",
    "#495057",
    "#5c6b00",
)
MAX_RANGE = dt.timedelta(days=100)


@dataclass(frozen=True)
class CalendarScope:
    """Whose calendar: `selected` (None: all of `choices` side by side), what the user may
    choose from, and a colour for each of them."""

    selected: Consultant | None
    own: Consultant | None
    choices: list[Consultant]
    can_see_all: bool

    @property
    def colours(self) -> dict[int, str]:
        return {
            c.pk: CONSULTANT_COLOURS[i % len(CONSULTANT_COLOURS)]
            for i, c in enumerate(self.choices)
        }

    @property
    def value(self) -> str:
        return str(self.selected.pk) if self.selected else "all"


def managed_consultants(user) -> QuerySet[Consultant]:
    """Consultants whose calendars the user may look at besides their own: every active
    one for agency staff, their jobcentre's for a coordinator, none otherwise."""
    if is_agency(user):
        return Consultant.objects.filter(is_active=True)
    jobcentre_id = jobcentre_id_of(user)
    if has_role(user, Role.COORDINATOR) and jobcentre_id is not None:
        return Consultant.objects.filter(is_active=True, jobcentre_id=jobcentre_id)
    return Consultant.objects.none()


def calendar_scope(user, consultant: str | int | None = None) -> CalendarScope:
    """Resolve the calendar asked for: '' or None is one's own (or everyone's, for a
    coordinator without a calendar of their own), 'all' everyone's the user manages, an
    id that consultant's. Anything else is NotFound, so nobody learns of other people."""
    own = consultant_of(user) if has_role(user, *STAFF) else None
    managed = list(managed_consultants(user).order_by("name", "pk"))
    choices = list(managed)
    if own is not None and all(c.pk != own.pk for c in choices):
        choices.insert(0, own)
    can_see_all = is_agency(user) or (
        has_role(user, Role.COORDINATOR) and jobcentre_id_of(user) is not None
    )
    value = str(consultant or "").strip()
    if value in ("", "me"):
        if own is not None:
            selected = own
        elif can_see_all:
            selected = None
        else:
            raise NotFound(_("You have no calendar."))
    elif value == "all":
        if not can_see_all:
            raise NotFound(_("No such calendar."))
        selected = None
    else:
        selected = next((c for c in choices if str(c.pk) == value), None)
        if selected is None:
            raise NotFound(_("No such calendar."))
    return CalendarScope(selected=selected, own=own, choices=choices, can_see_all=can_see_all)


def parse_moment(value: str | None, field: str) -> dt.datetime | None:
    """A datetime from a query parameter: ISO 8601 with or without offset (without: local
    time), or a date (its local midnight)."""
    if not value:
        return None
    value = value.strip().replace(" ", "+")  # a '+' in a query string arrives as ' '
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is not None:
            moment = dt.datetime.combine(day, dt.time.min)
    if moment is None:
        message = _("Not a date or time.")
        raise ApplicationError(message, field_errors={field: [message]})
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


def calendar_range(start: str | None, end: str | None, *, now=None) -> tuple:
    """[start, end) from the query; by default this week (Monday to Monday)."""
    begin = parse_moment(start, "start")
    finish = parse_moment(end, "end")
    if begin is None:
        today = timezone.localtime(now or timezone.now(), LOCAL_TZ).date()
        monday = today - dt.timedelta(days=today.weekday())
        begin = dt.datetime.combine(monday, dt.time.min, LOCAL_TZ)
    if finish is None:
        finish = begin + dt.timedelta(days=7)
    if finish <= begin:
        message = _("The end must be after the start.")
        raise ApplicationError(message, field_errors={"end": [message]})
    if finish - begin > MAX_RANGE:
        message = _("Ask for at most %(days)d days at a time.") % {"days": MAX_RANGE.days}
        raise ApplicationError(message, field_errors={"end": [message]})
    return begin, finish


@dataclass(frozen=True)
class CalendarEvent:
    id: int
    url: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    company: str
    cvr: str
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    track: str
    track_label: str
    state: str
    state_label: str
    marker: str
    colour: str
    consultants: list[str]
    consultant_ids: list[int]
    acknowledged: bool


def calendar_events(
    *, user, scope: CalendarScope, start: dt.datetime, end: dt.datetime
) -> list[CalendarEvent]:
    """The visits in [start, end) of the chosen calendar: the consultant's visits (those
    they attend, and those cancelled while they were on them), or, for everyone, each visit
    of the user's scope once, coloured by its local consultant. Moved bookings are left
    out: the booking that replaced them is the visit. A fixed number of queries."""
    visits = (
        bookings_for(user)
        .filter(starts_at__lt=end, ends_at__gt=start)
        .exclude(state=BookingState.MOVED)
    )
    if scope.selected is not None:
        theirs = Attendee.objects.filter(booking=OuterRef("pk"), consultant=scope.selected)
        visits = visits.filter(
            Exists(theirs.filter(is_active=True)) | (Q(state__in=CANCELLED_STATES) & Exists(theirs))
        )
    visits = visits.prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.select_related("consultant").order_by("role", "pk"),
        )
    ).order_by("starts_at", "pk")
    colours = scope.colours
    events = []
    for booking in visits:
        cancelled = booking.state in CANCELLED_STATES
        shown = [a for a in booking.attendees.all() if a.is_active or cancelled]
        if scope.selected is not None:
            mine = [a for a in shown if a.consultant_id == scope.selected.pk]
            acknowledged = any(a.acknowledged_at for a in mine)
            colour = STATE_COLOURS.get(booking.state, "#495057")
        else:
            acknowledged = bool(shown) and all(a.acknowledged_at for a in shown if a.is_active)
            local = next((a for a in shown if a.role == Attendee.Role.LOCAL), None)
            first = local or (shown[0] if shown else None)
            colour = colours.get(first.consultant_id, "#495057") if first else "#495057"
        company = booking.company
        events.append(
            CalendarEvent(
                id=booking.pk,
                url=reverse("visit-detail", kwargs={"pk": booking.pk}),
                starts_at=booking.starts_at,
                ends_at=booking.ends_at,
                company=company.name,
                cvr=company.cvr,
                address=booking.location,
                contact_name=booking.contact_name,
                contact_phone=booking.contact_phone,
                contact_email=booking.contact_email,
                track=booking.track,
                track_label=str(booking.get_track_display()),
                state=booking.state,
                state_label=str(booking.get_state_display()),
                marker=STATE_MARKERS.get(booking.state, "•"),
                colour=colour,
                consultants=[a.consultant.name for a in shown],
                consultant_ids=[a.consultant_id for a in shown],
                acknowledged=acknowledged,
            )
        )
    return events


def fullcalendar_event(event: CalendarEvent) -> dict:
    """One event in FullCalendar's format. Times are local wall-clock times without an
    offset: the page runs FullCalendar in the site's time zone (settings.TIME_ZONE)."""

    def local(moment):
        return timezone.localtime(moment, LOCAL_TZ).replace(tzinfo=None).isoformat()

    classes = [f"vb-state-{event.state}"]
    if event.state in CANCELLED_STATES:
        classes.append("vb-cancelled")
    if event.state == BookingState.BOOKED and not event.acknowledged:
        classes.append("vb-unacknowledged")
    return {
        "id": str(event.id),
        "title": f"{event.marker} {event.company}",
        "start": local(event.starts_at),
        "end": local(event.ends_at),
        "url": event.url,
        "backgroundColor": event.colour,
        "borderColor": event.colour,
        "textColor": "#ffffff",
        "classNames": classes,
        "extendedProps": {
            "company": event.company,
            "address": event.address,
            "contact": event.contact_name,
            "phone": event.contact_phone,
            "track": event.track_label,
            "state": event.state,
            "stateLabel": event.state_label,
            "marker": event.marker,
            "consultants": event.consultants,
            "acknowledged": event.acknowledged,
        },
    }


# --- The calendar feed link ------------------------------------------------------------------


def _require_feed_manager(actor, consultant: Consultant) -> None:
    own = consultant.user_id is not None and consultant.user_id == getattr(actor, "pk", None)
    manages = is_agency(actor) or (
        consultant.jobcentre_id is not None and can_manage_jobcentre(actor, consultant.jobcentre_id)
    )
    if not (own or manages):
        raise PermissionDenied(_("You may not change this consultant's calendar link."))


def feed_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calendar-feed", kwargs={"token": token})


@transaction.atomic
def feed_token_rotate(*, actor, consultant: Consultant) -> str:
    """A new secret calendar-subscription link for the consultant (by themselves, their
    coordinator or agency staff): a 256-bit token, stored only as its hash, so the old link
    stops working. Returns the token; it cannot be shown again."""
    _require_feed_manager(actor, consultant)
    token = new_token()
    consultant.feed_token_hash = token_hash(token)
    consultant.save(update_fields=["feed_token_hash"])
    return token


@transaction.atomic
def feed_token_revoke(*, actor, consultant: Consultant) -> bool:
    """Switch the consultant's calendar link off. Returns whether there was one."""
    _require_feed_manager(actor, consultant)
    had_one = consultant.feed_token_hash is not None
    if had_one:
        consultant.feed_token_hash = None
        consultant.save(update_fields=["feed_token_hash"])
    return had_one
