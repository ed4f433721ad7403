"""What came of a visit: the outcome registered after the visit time, its agreements (and
how many of their positions were later filled) and its follow-up tasks. Every write is one
function here, in one transaction, called by the pages, the API and the admin alike; the
reads the outcome pages and the API share are here too.

Who may do what:
- register an outcome: the visit's attendees, the jobcentre's coordinator, agency staff;
- record filled positions: the jobcentre's consultants, the visit's attendees, the
  coordinator, agency staff;
- mark a follow-up done: its owner, the jobcentre's coordinator, agency staff.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import (
    HELD_KINDS,
    Agreement,
    AgreementKind,
    Attendee,
    Booking,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from bookings.queries import bookings_for
from bookings.schedules import cancel_followup_messages, schedule_outcome
from bookings.signals import outcome_registered
from common.errors import ApplicationError, Conflict, PermissionDenied
from consultants.models import Consultant
from consultants.roles import (
    Role,
    can_manage_jobcentre,
    consultant_of,
    has_role,
    is_agency,
    jobcentre_q,
)

# A guard against typing errors (and integer overflow): no visit agrees on more.
MAX_POSITIONS = 1000
REASON_MAX_LENGTH = Outcome._meta.get_field("reason").max_length
DESCRIPTION_MAX_LENGTH = FollowUp._meta.get_field("description").max_length
DONE_NOTE_MAX_LENGTH = FollowUp._meta.get_field("done_note").max_length


@dataclass(frozen=True)
class AgreementInput:
    """One agreement line: its kind and the positions the company wants filled."""

    kind: str
    positions: int = 1


@dataclass(frozen=True)
class FollowUpInput:
    """One follow-up task: its kind, owner (a Consultant or its id) and due date."""

    kind: str
    owner: Consultant | int | None
    due_on: dt.date | None
    description: str = ""


# --- Who may ---------------------------------------------------------------------------------


def _attends(user, booking: Booking) -> bool:
    consultant = consultant_of(user)
    if consultant is None or not has_role(user, Role.CONSULTANT):
        return False
    return Attendee.objects.filter(booking=booking, consultant=consultant, is_active=True).exists()


def can_register_outcome(user, booking: Booking) -> bool:
    """The visit's attendees, the jobcentre's coordinator and agency staff."""
    return can_manage_jobcentre(user, booking.jobcentre_id) or _attends(user, booking)


def can_fill_agreement(user, booking: Booking) -> bool:
    """As for the outcome, and every consultant of the visit's jobcentre: a job order is
    often filled by a colleague."""
    if can_register_outcome(user, booking):
        return True
    consultant = consultant_of(user)
    return (
        consultant is not None
        and has_role(user, Role.CONSULTANT)
        and consultant.jobcentre_id == booking.jobcentre_id
    )


def can_finish_followup(user, followup: FollowUp) -> bool:
    """The owner, the coordinator of the visit's jobcentre, agency staff."""
    consultant = consultant_of(user)
    if consultant is not None and consultant.pk == followup.owner_id:
        return True
    return can_manage_jobcentre(user, followup.outcome.booking.jobcentre_id)


# --- Defaults the form and the API share -------------------------------------------------------


def followup_owner_choices(booking: Booking) -> QuerySet[Consultant]:
    """Who may own a follow-up of this visit: the active consultants of its jobcentre."""
    return Consultant.objects.filter(
        jobcentre_id=booking.jobcentre_id, kind=Consultant.Kind.LOCAL, is_active=True
    ).order_by("name")


def followup_default_owner(booking: Booking) -> Consultant | None:
    """The local consultant at the visit, if they may own it."""
    attendee = (
        booking.attendees.filter(
            is_active=True,
            role=Attendee.Role.LOCAL,
            consultant__jobcentre_id=booking.jobcentre_id,
            consultant__is_active=True,
        )
        .select_related("consultant")
        .first()
    )
    return attendee.consultant if attendee else None


def followup_default_due(booking: Booking, now: dt.datetime | None = None) -> dt.date:
    """Today plus the campaign's follow-up period."""
    today = timezone.localdate(now or timezone.now())
    return today + dt.timedelta(days=booking.campaign.followup_due_days)


# --- Registering the outcome -------------------------------------------------------------------


def _field(item, name: str, default=None):
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def _positions(value) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _check_agreements(rows: list, outcome_kind: str) -> tuple[list[AgreementInput], list]:
    if rows and outcome_kind not in HELD_KINDS:
        return [], [_("Agreements are registered only for a visit that was held.")]
    errors: list = []
    checked = []
    for number, row in enumerate(rows, start=1):
        kind = _field(row, "kind", "")
        positions = _positions(_field(row, "positions", 1))
        row_errors = []
        if kind not in AgreementKind.values:
            row_errors.append(_("choose the kind of agreement"))
        if positions is None or positions < 1:
            row_errors.append(_("an agreement has at least one position"))
        elif positions > MAX_POSITIONS:
            row_errors.append(_("at most %(max)d positions") % {"max": MAX_POSITIONS})
        if row_errors:
            errors.append(
                _("Agreement %(number)d: %(errors)s.")
                % {"number": number, "errors": "; ".join(str(e) for e in row_errors)}
            )
        else:
            checked.append(AgreementInput(kind=kind, positions=positions))
    return checked, errors


def _check_followups(
    rows: list, outcome_kind: str, booking: Booking
) -> tuple[list[FollowUpInput], list]:
    if rows and outcome_kind not in HELD_KINDS:
        return [], [_("Follow-ups are registered only for a visit that was held.")]
    errors: list = []
    owner_ids = {
        owner.pk if isinstance(owner, Consultant) else owner
        for owner in (_field(row, "owner") for row in rows)
        if owner is not None
    }
    owners = (
        {c.pk: c for c in followup_owner_choices(booking).filter(pk__in=owner_ids)}
        if owner_ids
        else {}
    )
    visit_day = timezone.localdate(booking.starts_at)
    checked = []
    for number, row in enumerate(rows, start=1):
        kind = _field(row, "kind", "")
        owner = _field(row, "owner")
        owner = owners.get(owner.pk if isinstance(owner, Consultant) else owner)
        due_on = _field(row, "due_on")
        description = (_field(row, "description", "") or "").strip()
        row_errors = []
        if kind not in FollowUpKind.values:
            row_errors.append(_("choose the kind of follow-up"))
        if not isinstance(due_on, dt.date):
            row_errors.append(_("a follow-up needs a due date"))
        elif due_on < visit_day:
            row_errors.append(_("the due date cannot be before the visit"))
        if owner is None:
            row_errors.append(_("the owner must be an active consultant of the visit's jobcentre"))
        if len(description) > DESCRIPTION_MAX_LENGTH:
            row_errors.append(
                _("the description is longer than %(max)d characters")
                % {"max": DESCRIPTION_MAX_LENGTH}
            )
        if row_errors:
            errors.append(
                _("Follow-up %(number)d: %(errors)s.")
                % {"number": number, "errors": "; ".join(str(e) for e in row_errors)}
            )
        else:
            checked.append(
                FollowUpInput(kind=kind, owner=owner, due_on=due_on, description=description)
            )
    return checked, errors


def _lock_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("campaign", "company")
        .get(pk=booking.pk)
    )


@transaction.atomic
def outcome_register(
    *,
    actor,
    booking: Booking,
    kind: str,
    reason: str = "",
    note: str = "",
    agreements: Iterable[AgreementInput | Mapping] = (),
    followups: Iterable[FollowUpInput | Mapping] = (),
    now: dt.datetime | None = None,
) -> Outcome:
    """Register what came of a visit, once, after its start: sets the visit's state to the
    outcome and bumps its revision. Agreements and follow-ups only for a held visit; a
    company's cancellation needs its reason."""
    now = now or timezone.now()
    if not can_register_outcome(actor, booking):
        raise PermissionDenied(
            _(
                "Only the visit's consultants, the jobcentre's coordinator and agency staff "
                "may register its outcome."
            )
        )
    # One registration at a time per visit: the second waits here, then sees the first.
    locked = _lock_booking(booking)
    if Outcome.objects.filter(booking=locked).exists():
        raise Conflict(_("The outcome of this visit has already been registered."))
    if locked.state != BookingState.BOOKED:
        raise Conflict(
            _("This visit is no longer booked (%(state)s), so it gets no outcome.")
            % {"state": locked.get_state_display()}
        )
    if now < locked.starts_at:
        when = formats.date_format(timezone.localtime(locked.starts_at), "DATETIME_FORMAT")
        raise ApplicationError(
            _("The visit has not started yet. Register its outcome from %(when)s.") % {"when": when}
        )

    field_errors: dict[str, list] = {}
    if kind not in OutcomeKind.values:
        field_errors["kind"] = [_("Choose what came of the visit.")]
    reason = (reason or "").strip()
    if kind == OutcomeKind.CANCELLED_COMPANY:
        if not reason:
            field_errors["reason"] = [_("Give the company's reason for cancelling.")]
        elif len(reason) > REASON_MAX_LENGTH:
            field_errors["reason"] = [
                _("The reason is longer than %(max)d characters.") % {"max": REASON_MAX_LENGTH}
            ]
    else:
        reason = ""  # a reason belongs to a cancellation only
    agreement_rows, errors = _check_agreements(list(agreements), kind)
    if errors:
        field_errors["agreements"] = errors
    followup_rows, errors = _check_followups(list(followups), kind, locked)
    if errors:
        field_errors["followups"] = errors
    if field_errors:
        raise ApplicationError(_("The outcome was not saved."), field_errors=field_errors)

    outcome = Outcome(
        booking=locked,
        kind=kind,
        reason=reason,
        note=(note or "").strip(),
        registered_by=actor if actor is not None and actor.is_authenticated else None,
        registered_at=now,
    )
    try:
        with transaction.atomic():
            outcome.save()
    except IntegrityError as exc:  # the one-outcome rule, should the lock be bypassed
        raise Conflict(_("The outcome of this visit has already been registered.")) from exc
    # One save per row (not bulk_create), so the audit log records each.
    for row in agreement_rows:
        Agreement.objects.create(outcome=outcome, kind=row.kind, positions=row.positions)
    followups = [
        FollowUp.objects.create(
            outcome=outcome,
            kind=row.kind,
            owner=row.owner,
            due_on=row.due_on,
            description=row.description,
        )
        for row in followup_rows
    ]
    locked.state = kind
    locked.sequence += 1
    fields = ["state", "sequence", "changed_at"]
    if kind == OutcomeKind.CANCELLED_COMPANY:
        locked.cancel_reason = reason
        fields.append("cancel_reason")
    locked.save(update_fields=fields)
    booking.state, booking.sequence = locked.state, locked.sequence
    # The outbox: the prompts to register the outcome stop, the follow-ups get reminders.
    schedule_outcome(outcome, followups, now)
    # The company's survey invitation is written by the surveys app, in this transaction.
    outcome_registered.send(sender=Outcome, outcome=outcome, now=now)
    return outcome


# --- Agreements filled, follow-ups done ---------------------------------------------------------


@transaction.atomic
def agreement_filled(
    *,
    actor,
    agreement: Agreement,
    filled_positions: int,
    filled_on: dt.date | None,
    now: dt.datetime | None = None,
) -> Agreement:
    """Record how many of an agreement's positions were filled (a job order filled), and
    when. Zero clears it."""
    locked = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("outcome__booking")
        .get(pk=agreement.pk)
    )
    booking = locked.outcome.booking
    if not can_fill_agreement(actor, booking):
        raise PermissionDenied(
            _("Only the jobcentre's consultants and coordinator and agency staff may do this.")
        )
    today = timezone.localdate(now or timezone.now())
    field_errors: dict[str, list] = {}
    filled = _positions(filled_positions)
    if filled is None or filled < 0:
        field_errors["filled_positions"] = [_("Give the number of positions filled.")]
    elif filled > locked.positions:
        field_errors["filled_positions"] = [
            _("At most %(positions)d positions were agreed.") % {"positions": locked.positions}
        ]
    if filled:
        if filled_on is None:
            field_errors["filled_on"] = [_("Give the date the positions were filled.")]
        elif filled_on > today:
            field_errors["filled_on"] = [_("The date cannot be in the future.")]
        elif filled_on < timezone.localdate(booking.starts_at):
            field_errors["filled_on"] = [_("The date cannot be before the visit.")]
    if field_errors:
        raise ApplicationError(_("The filled positions were not saved."), field_errors=field_errors)
    locked.filled_positions = filled
    locked.filled_on = filled_on if filled else None
    locked.save(update_fields=["filled_positions", "filled_on"])
    return locked


@transaction.atomic
def followup_done(*, actor, followup: FollowUp, note: str, now: dt.datetime | None = None):
    """Mark a follow-up done, with a note of what was done. Done once: a second time is
    refused, so the first note and time stay."""
    locked = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("outcome__booking", "owner")
        .get(pk=followup.pk)
    )
    if not can_finish_followup(actor, locked):
        raise PermissionDenied(
            _("Only its owner, the jobcentre's coordinator and agency staff may do this.")
        )
    if locked.done_at is not None:
        when = formats.date_format(timezone.localtime(locked.done_at), "DATETIME_FORMAT")
        raise Conflict(_("This follow-up was already marked done (%(when)s).") % {"when": when})
    note = (note or "").strip()
    if len(note) > DONE_NOTE_MAX_LENGTH:
        message = _("The note is longer than %(max)d characters.") % {"max": DONE_NOTE_MAX_LENGTH}
        raise ApplicationError(message, field_errors={"note": [message]})
    locked.done_at = now or timezone.now()
    locked.done_note = note
    locked.save(update_fields=["done_at", "done_note"])
    cancel_followup_messages(locked)
    return locked


# --- Reads ---------------------------------------------------------------------------------------


class FollowUpStatus:
    OPEN = "open"
    OVERDUE = "overdue"
    DONE = "done"
    ALL = "all"
    CHOICES = [
        (OPEN, _("Open")),
        (OVERDUE, _("Overdue")),
        (DONE, _("Done")),
        (ALL, _("All")),
    ]


def followups_for(user) -> QuerySet[FollowUp]:
    """Follow-ups the user may see: agency all; coordinators and consultants their
    jobcentre's; everyone with a consultant row their own."""
    queryset = FollowUp.objects.select_related(
        "owner", "outcome__booking__company", "outcome__booking__jobcentre"
    )
    if is_agency(user):
        return queryset
    scope = jobcentre_q(user, "outcome__booking__jobcentre")
    consultant = consultant_of(user)
    if consultant is not None:
        scope |= Q(owner=consultant)
    return queryset.filter(scope)


def agreements_for(user) -> QuerySet[Agreement]:
    """Agreements of the visits the user may see."""
    return Agreement.objects.select_related("outcome__booking__company").filter(
        outcome__booking__in=bookings_for(user).values("pk")
    )


def followups_filter(
    queryset: QuerySet[FollowUp],
    *,
    status: str = FollowUpStatus.OPEN,
    owner_id: int | None = None,
    jobcentre_id: int | None = None,
    today: dt.date | None = None,
) -> QuerySet[FollowUp]:
    """Filter by status and owner; open ones by due date (overdue first), done ones last,
    the latest done first."""
    today = today or timezone.localdate()
    if status == FollowUpStatus.OPEN:
        queryset = queryset.filter(done_at__isnull=True)
    elif status == FollowUpStatus.OVERDUE:
        queryset = queryset.filter(done_at__isnull=True, due_on__lt=today)
    elif status == FollowUpStatus.DONE:
        queryset = queryset.filter(done_at__isnull=False)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if jobcentre_id is not None:
        queryset = queryset.filter(outcome__booking__jobcentre_id=jobcentre_id)
    return queryset.order_by(F("done_at").desc(nulls_first=True), "due_on", "pk")


def outcomes_missing_for(
    user,
    *,
    now: dt.datetime | None = None,
    consultant_id: int | None = None,
    jobcentre_id: int | None = None,
) -> QuerySet[Booking]:
    """Visits whose time has passed without an outcome, oldest first, with their active
    attendees: the user's scope (bookings_for), narrowed to one consultant's or one
    jobcentre's when asked."""
    now = now or timezone.now()
    queryset = bookings_for(user).filter(
        state=BookingState.BOOKED, ends_at__lt=now, outcome__isnull=True
    )
    if consultant_id is not None:
        queryset = queryset.filter(
            attendees__consultant_id=consultant_id, attendees__is_active=True
        )
    if jobcentre_id is not None:
        queryset = queryset.filter(jobcentre_id=jobcentre_id)
    return queryset.prefetch_related(
        Prefetch(
            "attendees",
            queryset=Attendee.objects.filter(is_active=True).select_related("consultant"),
            to_attr="active_attendees",
        )
    ).order_by("starts_at", "pk")
