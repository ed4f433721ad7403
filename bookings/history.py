"""What happened to a visit, for its page: every recorded change of the whole chain of
moves, its attendees, its outcome with its agreements and follow-ups (visit_history, read
from django-auditlog's rows), the outbox messages about it (visit_messages), and the visit
page's facts put together (visit_overview). Read only: the changes themselves are
bookings.changes, bookings.acknowledgement and bookings.outcomes.
"""

import datetime as dt
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bookings.models import Agreement, Attendee, Booking, BookingState, FollowUp, Outcome
from bookings.visits import CANCELLED_STATES, STAFF, display_name, move_chains
from consultants.roles import consultant_of, has_role
from notifications.models import Message

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
    "survey-invitation": gettext_lazy("Survey invitation, to the company"),
    "survey-reminder": gettext_lazy("Survey reminder, to the company"),
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
