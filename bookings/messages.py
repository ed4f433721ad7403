"""What the outbox says about visits and follow-ups, and when.

Two halves:

- **The schedule**: pure functions that return the `Outgoing` rows a change causes (a new
  visit, a moved one, a new consultant, a registered outcome), and small `schedule_*`
  functions the services call inside their transaction. Every delay and switch is a
  campaign setting (campaign.models.Campaign); reminders whose time has already passed
  when they are scheduled are left out.
- **The renderers**: one per kind, registered with notifications.registry (imported from
  BookingsConfig.ready). Each fetches what the row's context names and returns None when
  the message is no longer relevant at send time (the visit was acknowledged, moved,
  cancelled, its outcome registered, the follow-up done...): the dispatcher then cancels
  the row instead of sending it. Otherwise the e-mail comes from the templates
  notifications/email/<kind>.subject.txt, .txt and .html, with an .ics where it helps.

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
| vetting-deadline | each coordinator | written by campaign.vetting; rendered here |

Survey invitations and reminders, the consultants' evaluation and the long-term follow-up
questionnaire belong to the surveys app (see the hook in bookings.outcomes.outcome_register).
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bookings.models import Attendee, Booking, BookingState, FollowUp, Outcome
from bookings.slots import LOCAL_TZ
from campaign.models import CallList, Campaign
from common.workdays import add_working_days
from consultants.models import Coordinator
from notifications.models import Message
from notifications.registry import Email, register, render_templates
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
ICS = "text/calendar; charset=utf-8; method={method}"


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


# --- Renderers: relevance at send time and the e-mail ------------------------------------------


def _booking(message: Message) -> Booking | None:
    return (
        Booking.objects.select_related("company", "campaign", "jobcentre")
        .filter(pk=message.context.get("booking"))
        .first()
    )


def _attendee(message: Message) -> Attendee | None:
    return (
        Attendee.objects.select_related("consultant")
        .filter(pk=message.context.get("attendee"))
        .first()
    )


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _self_service_url(message: Message) -> str:
    token = message.context.get("self_service_token")
    return _site(reverse("selfservice:visit", kwargs={"token": token})) if token else ""


def _visit_context(booking: Booking, **extra) -> dict:
    from bookings.calendar import visit_url  # here: calendar imports the services, they this

    attendees = list(
        booking.attendees.filter(is_active=True).select_related("consultant").order_by("role")
    )
    start, end = booking.starts_at.astimezone(LOCAL_TZ), booking.ends_at.astimezone(LOCAL_TZ)
    return {
        "booking": booking,
        "when": _("%(day)s at %(time)s")
        % {"day": _day(start), "time": formats.time_format(start, "H:i")},
        "until": formats.time_format(end, "H:i"),
        "date": formats.date_format(start, "SHORT_DATE_FORMAT"),
        "company": booking.company,
        "jobcentre": booking.jobcentre,
        "attendees": attendees,
        "consultant_names": ", ".join(a.consultant.name for a in attendees),
        "visit_url": visit_url(booking),
        **extra,
    }


def _day(moment: dt.datetime | dt.date) -> str:
    """'onsdag 9. december 2026' / 'Wednesday Dec. 9, 2026', in the active language."""
    weekday = formats.date_format(moment, "l")
    if get_language() == "da":
        weekday = weekday.lower()  # Danish weekdays are not capitalised
    return f"{weekday} {formats.date_format(moment, 'DATE_FORMAT')}"


def _is_booked(booking: Booking | None) -> bool:
    return booking is not None and booking.state == BookingState.BOOKED


def _ics(booking: Booking, attendee: Attendee, method: str) -> tuple[str, bytes, str]:
    from bookings.feed import ics_for_booking

    content = ics_for_booking(booking, method=method, attendee=attendee)
    name = "invite.ics" if method == "REQUEST" else "cancel.ics"
    return (name, content, ICS.format(method=method))


def _company_ics(booking: Booking, language: str) -> tuple[str, bytes, str]:
    from bookings.feed import ics_for_company

    return ("visit.ics", ics_for_company(booking, language=language), ICS.format(method="PUBLISH"))


@register(COMPANY_CONFIRMATION)
@register(COMPANY_MOVED)
def render_company_booked(message: Message) -> Email | None:
    """The confirmation (or the new time): with the .ics and the self-service link."""
    booking = _booking(message)
    if not _is_booked(booking):
        return None
    context = _visit_context(booking, self_service_url=_self_service_url(message))
    return render_templates(message, context, attachments=[_company_ics(booking, message.language)])


@register(COMPANY_REMINDER)
def render_company_reminder(message: Message) -> Email | None:
    booking = _booking(message)
    if not _is_booked(booking):
        return None
    context = _visit_context(booking, self_service_url=_self_service_url(message))
    return render_templates(message, context)


@register(COMPANY_CHANGED)
def render_company_changed(message: Message) -> Email | None:
    booking = _booking(message)
    if not _is_booked(booking):
        return None
    return render_templates(message, _visit_context(booking))


@register(COMPANY_CANCELLED)
def render_company_cancelled(message: Message) -> Email | None:
    booking = _booking(message)
    if booking is None:
        return None
    return render_templates(message, _visit_context(booking, reason=message.context.get("reason")))


@register(ATTENDEE_NOTICE)
@register(ATTENDEE_MOVED)
def render_attendee_booked(message: Message) -> Email | None:
    """A new visit (or new time): the .ics REQUEST and the link to acknowledge it. Not sent
    when the visit is no longer booked or no longer theirs."""
    booking, attendee = _booking(message), _attendee(message)
    if not _is_booked(booking) or attendee is None or not attendee.is_active:
        return None
    context = _visit_context(booking, attendee=attendee, reason=message.context.get("reason"))
    return render_templates(message, context, attachments=[_ics(booking, attendee, "REQUEST")])


@register(ATTENDEE_CANCELLED)
def render_attendee_cancelled(message: Message) -> Email | None:
    """The visit was cancelled, moved to a time without them, or given to a colleague: the
    .ics CANCEL takes it out of their calendar."""
    booking, attendee = _booking(message), _attendee(message)
    if booking is None or attendee is None:
        return None
    moved_to = Booking.objects.filter(pk=message.context.get("moved_to")).first()
    reason = message.context.get("reason")
    if message.context.get("cancelled_by") == "company" and not reason:
        reason = booking.cancel_reason
    context = _visit_context(
        booking,
        attendee=attendee,
        moved_to=moved_to,
        reassigned=bool(message.context.get("reassigned_to")),
        reason=reason,
    )
    return render_templates(message, context, attachments=[_ics(booking, attendee, "CANCEL")])


def _unacknowledged(message: Message) -> tuple[Booking, Attendee] | None:
    booking, attendee = _booking(message), _attendee(message)
    if (
        not _is_booked(booking)
        or attendee is None
        or not attendee.is_active
        or attendee.acknowledged_at is not None
        or booking.starts_at <= message.due_at
    ):
        return None
    return booking, attendee


@register(ACK_REMINDER)
@register(ACK_ESCALATION)
def render_ack(message: Message) -> Email | None:
    """Only while the consultant has not acknowledged the visit and it is still ahead."""
    found = _unacknowledged(message)
    if found is None:
        return None
    booking, attendee = found
    context = _visit_context(
        booking,
        attendee=attendee,
        consultant=attendee.consultant.name,
        unacknowledged_url=_site(reverse("visits-unacknowledged")),
    )
    return render_templates(message, context)


@register(ATTENDEE_REMINDER)
def render_attendee_reminder(message: Message) -> Email | None:
    booking, attendee = _booking(message), _attendee(message)
    if not _is_booked(booking) or attendee is None or not attendee.is_active:
        return None
    return render_templates(message, _visit_context(booking, attendee=attendee))


def _outcome_missing(booking: Booking | None) -> bool:
    return _is_booked(booking) and not Outcome.objects.filter(booking=booking).exists()


@register(OUTCOME_PROMPT)
def render_outcome_prompt(message: Message) -> Email | None:
    booking, attendee = _booking(message), _attendee(message)
    if not _outcome_missing(booking) or attendee is None or not attendee.is_active:
        return None
    context = _visit_context(
        booking,
        attendee=attendee,
        again=message.context.get("again", False),
        outcome_url=_site(reverse("visit-outcome", kwargs={"pk": booking.pk})),
    )
    return render_templates(message, context)


@register(OUTCOME_ESCALATION)
def render_outcome_escalation(message: Message) -> Email | None:
    booking = _booking(message)
    if not _outcome_missing(booking):
        return None
    context = _visit_context(
        booking,
        outcome_url=_site(reverse("visit-outcome", kwargs={"pk": booking.pk})),
        missing_url=_site(reverse("outcomes-missing")),
    )
    return render_templates(message, context)


@register(FOLLOWUP_DUE)
@register(FOLLOWUP_OVERDUE)
@register(FOLLOWUP_ESCALATION)
def render_followup(message: Message) -> Email | None:
    """Only while the follow-up is open."""
    followup = (
        FollowUp.objects.select_related(
            "owner", "outcome__booking__company", "outcome__booking__jobcentre"
        )
        .filter(pk=message.context.get("followup"))
        .first()
    )
    if followup is None or followup.done_at is not None:
        return None
    booking = followup.outcome.booking
    task = followup.get_kind_display()
    if followup.description:
        task = f"{task} ({followup.description})"
    context = _visit_context(
        booking,
        followup=followup,
        task=task,
        due=_day(followup.due_on),
        owner=followup.owner.name,
        followups_url=_site(reverse("followups")),
    )
    return render_templates(message, context)


@register(VETTING_DEADLINE)
def render_vetting_deadline(message: Message) -> Email | None:
    """Only while the list still awaits vetting with that deadline."""
    call_list = (
        CallList.objects.select_related("campaign", "jobcentre")
        .filter(pk=message.context.get("call_list"))
        .first()
    )
    if (
        call_list is None
        or call_list.status != CallList.Status.VETTING
        or call_list.vetting_deadline is None
        or call_list.vetting_deadline.isoformat() != message.context.get("deadline")
    ):
        return None
    context = {
        "call_list": call_list,
        "campaign": call_list.campaign.name,
        "jobcentre": call_list.jobcentre.name,
        "track": call_list.get_track_display(),
        "deadline": _day(call_list.vetting_deadline),
        "call_list_url": _site(reverse("vetting:call-list", kwargs={"pk": call_list.pk})),
    }
    return render_templates(message, context)
