"""When the outbox writes to whom about visits and follow-ups: pure functions that return
the `Outgoing` rows a change causes (a new visit, a moved one, a new consultant, a
registered outcome), and small `schedule_*` functions the services call inside their
transaction. Every delay and switch is a campaign setting (campaign.models.Campaign);
reminders whose time has already passed when they are scheduled are left out. What each
row says, and whether it still matters when it is due, is bookings.renderers.

When each kind goes out (local time, Europe/Copenhagen):

| kind | to | when |
| --- | --- | --- |
| company-confirmation | company contact | at once, when booked (.ics, self-service link) |
| company-reminder | company contact | N working days before the visit, 09:00 |
| company-moved / -changed / -cancelled | company contact | at once |
| attendee-notice / -moved / -cancelled | each consultant | at once (.ics REQUEST/CANCEL) |
| ack-reminder | the consultant | N hours after the notice, while unacknowledged |
| ack-escalation | each coordinator | N hours after the notice, while unacknowledged |
| attendee-reminder | each consultant | the working day before the visit, 08:00 |
| outcome-prompt | each consultant | at the visit's end, again N working days later 08:00 |
| outcome-escalation | each coordinator | N working days after the visit, 08:00 |
| followup-due | the owner | the working day before the due date, 08:00 |
| followup-overdue | the owner | the working day after the due date, 08:00 |
| followup-escalation | each coordinator | N working days after the due date, 08:00 |
| vetting-deadline | each coordinator | written by campaign.vetting, not here |

Survey invitations and reminders, the consultants' evaluation and the long-term follow-up
questionnaire belong to the surveys app (see the hook in bookings.outcomes.outcome_register).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings

from bookings.models import Attendee, Booking, FollowUp, Outcome
from bookings.slots import LOCAL_TZ
from campaign.models import Campaign
from common.workdays import add_working_days
from consultants.models import Coordinator
from notifications.services import Outgoing, messages_cancel, messages_enqueue

COMPANY_CONFIRMATION = "company-confirmation"
COMPANY_REMINDER = "company-reminder"
COMPANY_MOVED = "company-moved"
COMPANY_CANCELLED = "company-cancelled"
COMPANY_CHANGED = "company-changed"
ATTENDEE_NOTICE = "attendee-notice"
ATTENDEE_MOVED = "attendee-moved"
ATTENDEE_CANCELLED = "attendee-cancelled"
ACK_REMINDER = "ack-reminder"
ACK_ESCALATION = "ack-escalation"
ATTENDEE_REMINDER = "attendee-reminder"
OUTCOME_PROMPT = "outcome-prompt"
OUTCOME_ESCALATION = "outcome-escalation"
FOLLOWUP_DUE = "followup-due"
FOLLOWUP_OVERDUE = "followup-overdue"
FOLLOWUP_ESCALATION = "followup-escalation"
VETTING_DEADLINE = "vetting-deadline"  # written by campaign.vetting

# Kinds that lose their point once the visit's outcome is registered.
BEFORE_OUTCOME = [
    COMPANY_REMINDER,
    ACK_REMINDER,
    ACK_ESCALATION,
    ATTENDEE_REMINDER,
    OUTCOME_PROMPT,
    OUTCOME_ESCALATION,
]

COMPANY_TIME = dt.time(9, 0)
STAFF_TIME = dt.time(8, 0)


# --- Keys and times --------------------------------------------------------------------------


def booking_ref(booking: Booking) -> str:
    return f"booking:{booking.pk}"


def followup_ref(followup: FollowUp) -> str:
    return f"followup:{followup.pk}"


def start_key(booking: Booking) -> str:
    """The visit's start in message keys: local time, ISO 8601."""
    return booking.starts_at.astimezone(LOCAL_TZ).isoformat()


def local_at(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, LOCAL_TZ)


def _local_day(moment: dt.datetime) -> dt.date:
    return moment.astimezone(LOCAL_TZ).date()


def _coordinators(jobcentre_id: int) -> list[Coordinator]:
    """The jobcentre's coordinators with an e-mail address."""
    return [
        c
        for c in Coordinator.objects.filter(jobcentre_id=jobcentre_id)
        .select_related("user", "user__consultant")
        .order_by("user_id")
        if c.user.email
    ]


def _coordinator_language(coordinator: Coordinator) -> str:
    consultant = getattr(coordinator.user, "consultant", None)
    return consultant.language if consultant is not None else settings.LANGUAGE_CODE


def _to_consultant(kind, booking, attendee, due_at, key, **context) -> Outgoing:
    consultant = attendee.consultant
    return Outgoing(
        key=key,
        kind=kind,
        subject_ref=booking_ref(booking),
        to_email=consultant.email,
        to_name=consultant.name,
        language=consultant.language,
        due_at=due_at,
        context={"booking": booking.pk, "attendee": attendee.pk, **context},
    )


def _to_coordinator(kind, subject_ref, coordinator, due_at, key, **context) -> Outgoing:
    return Outgoing(
        key=key,
        kind=kind,
        subject_ref=subject_ref,
        to_email=coordinator.user.email,
        to_name=coordinator.user.get_full_name() or coordinator.user.get_username(),
        language=_coordinator_language(coordinator),
        due_at=due_at,
        context=context,
    )


def _to_company(kind, booking, due_at, key, **context) -> Outgoing:
    return Outgoing(
        key=key,
        kind=kind,
        subject_ref=booking_ref(booking),
        to_email=booking.contact_email,
        to_name=booking.contact_name,
        language=booking.company.language,
        due_at=due_at,
        context={"booking": booking.pk, **context},
    )


# --- The schedule: pure functions --------------------------------------------------------------


def company_confirmation(booking: Booking, token: str, now: dt.datetime) -> Outgoing:
    """The company's confirmation, at once, with the self-service link's token (the only
    place the token is kept in clear: the link is stored as its hash)."""
    return _to_company(
        COMPANY_CONFIRMATION,
        booking,
        now,
        f"{booking_ref(booking)}:{COMPANY_CONFIRMATION}:{start_key(booking)}",
        self_service_token=token,
    )


def attendee_notice(booking: Booking, attendee: Attendee, now: dt.datetime, **context):
    """A consultant's notice of a new visit (or one newly theirs), at once."""
    key = f"{booking_ref(booking)}:{ATTENDEE_NOTICE}:{attendee.consultant_id}:{start_key(booking)}"
    return _to_consultant(ATTENDEE_NOTICE, booking, attendee, now, key, **context)


def company_reminders(booking: Booking, now: dt.datetime, token: str = "") -> list[Outgoing]:
    """The company's reminder N working days before the visit, at 09:00."""
    campaign = booking.campaign
    if not campaign.company_reminder_enabled:
        return []
    day = add_working_days(_local_day(booking.starts_at), -campaign.company_reminder_working_days)
    due = local_at(day, COMPANY_TIME)
    if not now < due < booking.starts_at:
        return []
    key = f"{booking_ref(booking)}:{COMPANY_REMINDER}:{start_key(booking)}"
    context = {"self_service_token": token} if token else {}
    return [_to_company(COMPANY_REMINDER, booking, due, key, **context)]


def attendee_schedule(
    booking: Booking,
    attendee: Attendee,
    now: dt.datetime,
    coordinators: list[Coordinator] | None = None,
) -> list[Outgoing]:
    """One consultant's rows about a visit that is (newly) theirs: the acknowledgement
    reminder and its escalation to each coordinator, the reminder the working day before,
    and the prompts to register the outcome."""
    campaign: Campaign = booking.campaign
    ref, when, cid = booking_ref(booking), start_key(booking), attendee.consultant_id
    if coordinators is None:
        coordinators = _coordinators(booking.jobcentre_id)
    rows: list[Outgoing] = []
    if campaign.ack_reminders_enabled:
        due = now + dt.timedelta(hours=campaign.ack_reminder_hours)
        if due < booking.starts_at:
            key = f"{ref}:{ACK_REMINDER}:{cid}:{when}"
            rows.append(_to_consultant(ACK_REMINDER, booking, attendee, due, key))
        due = now + dt.timedelta(hours=campaign.ack_escalation_hours)
        if due < booking.starts_at:
            rows += [
                _to_coordinator(
                    ACK_ESCALATION,
                    ref,
                    c,
                    due,
                    f"{ref}:{ACK_ESCALATION}:{cid}:user-{c.user_id}:{when}",
                    booking=booking.pk,
                    attendee=attendee.pk,
                )
                for c in coordinators
            ]
    if campaign.attendee_reminder_enabled:
        due = local_at(add_working_days(_local_day(booking.starts_at), -1), STAFF_TIME)
        if now < due < booking.starts_at:
            key = f"{ref}:{ATTENDEE_REMINDER}:{cid}:{when}"
            rows.append(_to_consultant(ATTENDEE_REMINDER, booking, attendee, due, key))
    if campaign.outcome_prompts_enabled:
        rows.append(
            _to_consultant(
                OUTCOME_PROMPT,
                booking,
                attendee,
                max(booking.ends_at, now),
                f"{ref}:{OUTCOME_PROMPT}:{cid}:{when}",
            )
        )
        day = add_working_days(
            _local_day(booking.ends_at), campaign.outcome_prompt_again_working_days
        )
        rows.append(
            _to_consultant(
                OUTCOME_PROMPT,
                booking,
                attendee,
                max(local_at(day, STAFF_TIME), now),
                f"{ref}:{OUTCOME_PROMPT}:{cid}:{when}:again",
                again=True,
            )
        )
    return rows


def booking_schedule(
    booking: Booking, attendees: Iterable[Attendee], now: dt.datetime, token: str = ""
) -> list[Outgoing]:
    """Every reminder and escalation of a visit that is booked (new, or moved here): the
    company's reminder, each consultant's rows, and the missing-outcome escalation."""
    coordinators = _coordinators(booking.jobcentre_id)
    rows = company_reminders(booking, now, token)
    for attendee in attendees:
        rows += attendee_schedule(booking, attendee, now, coordinators)
    campaign = booking.campaign
    if campaign.outcome_prompts_enabled:
        visit_day = _local_day(booking.ends_at)
        day = add_working_days(visit_day, campaign.outcome_escalation_working_days)
        due = max(local_at(day, STAFF_TIME), now)
        ref, when = booking_ref(booking), start_key(booking)
        rows += [
            _to_coordinator(
                OUTCOME_ESCALATION,
                ref,
                c,
                due,
                f"{ref}:{OUTCOME_ESCALATION}:user-{c.user_id}:{when}",
                booking=booking.pk,
            )
            for c in coordinators
        ]
    return rows


def new_booking_messages(
    booking: Booking, attendees: list[Attendee], token: str, now: dt.datetime
) -> list[Outgoing]:
    """A new visit: the company's confirmation, each consultant's notice, and the schedule."""
    return [
        company_confirmation(booking, token, now),
        *(attendee_notice(booking, a, now) for a in attendees),
        *booking_schedule(booking, attendees, now, token),
    ]


def followup_schedule(followup: FollowUp, booking: Booking, now: dt.datetime) -> list[Outgoing]:
    """A follow-up's reminders: due (the working day before), overdue (the working day
    after) to its owner, and escalation to the coordinators N working days after."""
    campaign = booking.campaign
    if not campaign.followup_reminders_enabled:
        return []
    ref, due_on, owner = followup_ref(followup), followup.due_on.isoformat(), followup.owner
    context = {"followup": followup.pk, "booking": booking.pk}

    def to_owner(kind: str, day: dt.date) -> list[Outgoing]:
        due = local_at(day, STAFF_TIME)
        if due <= now:
            return []
        return [
            Outgoing(
                key=f"{ref}:{kind}:{due_on}",
                kind=kind,
                subject_ref=ref,
                to_email=owner.email,
                to_name=owner.name,
                language=owner.language,
                due_at=due,
                context=context,
            )
        ]

    rows = to_owner(FOLLOWUP_DUE, add_working_days(followup.due_on, -1))
    rows += to_owner(FOLLOWUP_OVERDUE, add_working_days(followup.due_on, 1))
    day = add_working_days(followup.due_on, campaign.followup_escalation_working_days)
    due = max(local_at(day, STAFF_TIME), now)
    rows += [
        _to_coordinator(
            FOLLOWUP_ESCALATION,
            ref,
            c,
            due,
            f"{ref}:{FOLLOWUP_ESCALATION}:user-{c.user_id}:{due_on}",
            **context,
        )
        for c in _coordinators(booking.jobcentre_id)
    ]
    return rows


# --- Called by the services, inside their transaction -----------------------------------------


def schedule_new_booking(
    booking: Booking, attendees: list[Attendee], token: str, now: dt.datetime
) -> None:
    messages_enqueue(messages=new_booking_messages(booking, attendees, token, now))


def schedule_outcome(outcome: Outcome, followups: list[FollowUp], now: dt.datetime) -> None:
    """The outcome is in: the prompts, reminders and escalations about the visit stop, and
    each follow-up gets its reminders."""
    booking = outcome.booking
    messages_cancel(subject_ref=booking_ref(booking), kinds=BEFORE_OUTCOME)
    rows: list[Outgoing] = []
    for followup in followups:
        rows += followup_schedule(followup, booking, now)
    messages_enqueue(messages=rows)


def cancel_followup_messages(followup: FollowUp) -> None:
    """The follow-up is done: its pending reminders are cancelled."""
    messages_cancel(subject_ref=followup_ref(followup))
