"""The e-mail of each message kind about visits and follow-ups, registered with
notifications.registry (imported from BookingsConfig.ready). Each renderer fetches what the
row's context names and returns None when the message is no longer relevant at send time
(the visit was acknowledged, moved, cancelled, its outcome registered, the follow-up
done...): the dispatcher then cancels the row instead of sending it. Otherwise the e-mail
comes from the templates notifications/email/<kind>.subject.txt, .txt and .html, with an
.ics where it helps. When the rows are written is bookings.schedules (vetting-deadline
rows: campaign.vetting).
"""

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bookings.models import Attendee, Booking, BookingState, FollowUp, Outcome
from bookings.schedules import (
    ACK_ESCALATION,
    ACK_REMINDER,
    ATTENDEE_CANCELLED,
    ATTENDEE_MOVED,
    ATTENDEE_NOTICE,
    ATTENDEE_REMINDER,
    COMPANY_CANCELLED,
    COMPANY_CHANGED,
    COMPANY_CONFIRMATION,
    COMPANY_MOVED,
    COMPANY_REMINDER,
    FOLLOWUP_DUE,
    FOLLOWUP_ESCALATION,
    FOLLOWUP_OVERDUE,
    OUTCOME_ESCALATION,
    OUTCOME_PROMPT,
    VETTING_DEADLINE,
)
from bookings.slots import LOCAL_TZ
from bookings.visits import visit_url
from campaign.models import CallList
from notifications.models import Message
from notifications.registry import Email, register, render_templates

ICS = "text/calendar; charset=utf-8; method={method}"

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


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _self_service_url(message: Message) -> str:
    token = message.context.get("self_service_token")
    return site_url(reverse("selfservice:visit", kwargs={"token": token})) if token else ""


def visit_context(booking: Booking, **extra) -> dict:
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
    context = visit_context(booking, self_service_url=_self_service_url(message))
    return render_templates(message, context, attachments=[_company_ics(booking, message.language)])


@register(COMPANY_REMINDER)
def render_company_reminder(message: Message) -> Email | None:
    booking = _booking(message)
    if not _is_booked(booking):
        return None
    context = visit_context(booking, self_service_url=_self_service_url(message))
    return render_templates(message, context)


@register(COMPANY_CHANGED)
def render_company_changed(message: Message) -> Email | None:
    booking = _booking(message)
    if not _is_booked(booking):
        return None
    return render_templates(message, visit_context(booking))


@register(COMPANY_CANCELLED)
def render_company_cancelled(message: Message) -> Email | None:
    booking = _booking(message)
    if booking is None:
        return None
    return render_templates(message, visit_context(booking, reason=message.context.get("reason")))


@register(ATTENDEE_NOTICE)
@register(ATTENDEE_MOVED)
def render_attendee_booked(message: Message) -> Email | None:
    """A new visit (or new time): the .ics REQUEST and the link to acknowledge it. Not sent
    when the visit is no longer booked or no longer theirs."""
    booking, attendee = _booking(message), _attendee(message)
    if not _is_booked(booking) or attendee is None or not attendee.is_active:
        return None
    context = visit_context(booking, attendee=attendee, reason=message.context.get("reason"))
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
    context = visit_context(
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
    context = visit_context(
        booking,
        attendee=attendee,
        consultant=attendee.consultant.name,
        unacknowledged_url=site_url(reverse("visits-unacknowledged")),
    )
    return render_templates(message, context)


@register(ATTENDEE_REMINDER)
def render_attendee_reminder(message: Message) -> Email | None:
    booking, attendee = _booking(message), _attendee(message)
    if not _is_booked(booking) or attendee is None or not attendee.is_active:
        return None
    return render_templates(message, visit_context(booking, attendee=attendee))


def _outcome_missing(booking: Booking | None) -> bool:
    return _is_booked(booking) and not Outcome.objects.filter(booking=booking).exists()


@register(OUTCOME_PROMPT)
def render_outcome_prompt(message: Message) -> Email | None:
    booking, attendee = _booking(message), _attendee(message)
    if not _outcome_missing(booking) or attendee is None or not attendee.is_active:
        return None
    context = visit_context(
        booking,
        attendee=attendee,
        again=message.context.get("again", False),
        outcome_url=site_url(reverse("visit-outcome", kwargs={"pk": booking.pk})),
    )
    return render_templates(message, context)


@register(OUTCOME_ESCALATION)
def render_outcome_escalation(message: Message) -> Email | None:
    booking = _booking(message)
    if not _outcome_missing(booking):
        return None
    context = visit_context(
        booking,
        outcome_url=site_url(reverse("visit-outcome", kwargs={"pk": booking.pk})),
        missing_url=site_url(reverse("outcomes-missing")),
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
    context = visit_context(
        booking,
        followup=followup,
        task=task,
        due=_day(followup.due_on),
        owner=followup.owner.name,
        followups_url=site_url(reverse("followups")),
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
        "call_list_url": site_url(reverse("vetting:call-list", kwargs={"pk": call_list.pk})),
    }
    return render_templates(message, context)
