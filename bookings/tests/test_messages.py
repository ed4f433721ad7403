"""The outbox schedule of a visit and its follow-ups (bookings/schedules.py and
bookings/renderers.py): who gets which message when, what it says in Danish and English,
and that it is not sent once it no longer matters (the renderer returns None, and the
dispatcher cancels the row)."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.db import transaction
from icalendar import Calendar

from bookings.acknowledgement import attendee_acknowledge
from bookings.changes import booking_cancel, booking_move
from bookings.models import Attendee, FollowUp
from bookings.outcomes import followup_done, outcome_register
from bookings.reassign import booking_reassign
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import CallList, Track
from campaign.vetting import call_list_deadline_set
from consultants.models import Coordinator
from consultants.roles import Role
from notifications.models import Message
from notifications.registry import render
from tests.factories import ConsultantFactory

VISIT = at(14, 10)  # Monday 14 December 2026, 10:00-11:00; booked Monday 7th, 09:00
PENDING = Message.State.PENDING


@pytest.fixture
def coordinator(make_user, jobcentre):
    user = make_user(
        "koordinator",
        Role.COORDINATOR,
        email="koordinator@kk.invalid",
        first_name="Kim",
        last_name="Koordinator",
    )
    Coordinator.objects.create(user=user, jobcentre=jobcentre)
    return user


@pytest.fixture
def consultant_user(make_user, consultant):
    consultant.user = make_user("konsulent", Role.CONSULTANT)
    consultant.save()
    return consultant.user


def book(campaign, company, start=VISIT, now=NOW, **kwargs):
    return booking_create(
        actor=None,
        campaign=campaign,
        company=company,
        track=Track.JOBCENTRE,
        starts_at=start,
        now=now,
        **kwargs,
    )


def rows(subject, **filters):
    ref = subject if isinstance(subject, str) else f"booking:{subject.pk}"
    return Message.objects.filter(subject_ref=ref, **filters).order_by("due_at", "kind", "pk")


def schedule(subject):
    return sorted((m.kind, m.to_email, m.due_at) for m in rows(subject, state=PENDING))


def one(subject, kind, **filters) -> Message:
    return rows(subject, kind=kind, **filters).get()


def ics(email, method):
    (name, content, mimetype) = email.attachments[0]
    assert mimetype == f"text/calendar; charset=utf-8; method={method}"
    calendar = Calendar.from_ical(content)
    assert calendar["method"] == method
    return calendar


# --- The schedule ------------------------------------------------------------------------------


def test_a_new_booking_schedules_every_message_for_the_right_person_and_time(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)

    company_email, consultant_email = "ejer@firma.invalid", consultant.email
    assert schedule(booking) == sorted(
        [
            ("company-confirmation", company_email, NOW),
            ("attendee-notice", consultant_email, NOW),
            # Two working days before, at 09:00: Thursday 10th.
            ("company-reminder", company_email, at(10, 9)),
            # Not acknowledged after 24 hours: the consultant; after 48: the coordinator.
            ("ack-reminder", consultant_email, at(8, 9)),
            ("ack-escalation", "koordinator@kk.invalid", at(9, 9)),
            # The working day before the visit, 08:00: Friday 11th.
            ("attendee-reminder", consultant_email, at(11, 8)),
            # At the visit's end, again two working days later, then the coordinator.
            ("outcome-prompt", consultant_email, at(14, 11)),
            ("outcome-prompt", consultant_email, at(16, 8)),
            ("outcome-escalation", "koordinator@kk.invalid", at(18, 8)),
        ]
    )
    when = VISIT.isoformat()
    ref = f"booking:{booking.pk}"
    assert one(booking, "company-reminder").key == f"{ref}:company-reminder:{when}"
    assert one(booking, "ack-reminder").key == f"{ref}:ack-reminder:{consultant.pk}:{when}"
    escalation = one(booking, "ack-escalation")
    assert escalation.to_name == "Kim Koordinator"
    assert escalation.context["attendee"] == booking.attendees.get().pk


def test_each_coordinator_of_the_jobcentre_is_told(
    campaign, company, consultant, coordinator, make_user, jobcentre
):
    second = make_user("koordinator2", Role.COORDINATOR, email="anden@kk.invalid")
    Coordinator.objects.create(user=second, jobcentre=jobcentre)
    without_email = make_user("koordinator3", Role.COORDINATOR)
    Coordinator.objects.create(user=without_email, jobcentre=jobcentre)

    booking = book(campaign, company)

    for kind in ("ack-escalation", "outcome-escalation"):
        assert sorted(rows(booking, kind=kind).values_list("to_email", flat=True)) == [
            "anden@kk.invalid",
            "koordinator@kk.invalid",
        ]


def test_reminders_whose_time_has_passed_are_left_out(campaign, company, consultant):
    # Wednesday 9th: two working days before is now, so no company reminder.
    booking = book(campaign, company, start=at(9, 10))
    kinds = set(rows(booking).values_list("kind", flat=True))
    assert "company-reminder" not in kinds
    assert one(booking, "attendee-reminder").due_at == at(8, 8)


def test_the_campaigns_switches_turn_kinds_off(campaign, company, consultant, coordinator):
    campaign.company_reminder_enabled = False
    campaign.ack_reminders_enabled = False
    campaign.attendee_reminder_enabled = False
    campaign.outcome_prompts_enabled = False
    campaign.save()

    booking = book(campaign, company)

    assert sorted(rows(booking).values_list("kind", flat=True)) == [
        "attendee-notice",
        "company-confirmation",
    ]


def test_the_campaigns_delays_are_kept(campaign, company, consultant, coordinator):
    campaign.company_reminder_working_days = 3
    campaign.ack_reminder_hours = 4
    campaign.ack_escalation_hours = 30
    campaign.outcome_prompt_again_working_days = 1
    campaign.outcome_escalation_working_days = 2
    campaign.save()

    booking = book(campaign, company)

    assert one(booking, "company-reminder").due_at == at(9, 9)
    assert one(booking, "ack-reminder").due_at == NOW + dt.timedelta(hours=4)
    assert one(booking, "ack-escalation").due_at == NOW + dt.timedelta(hours=30)
    prompts = list(rows(booking, kind="outcome-prompt").values_list("due_at", flat=True))
    assert prompts == [at(14, 11), at(15, 8)]
    assert one(booking, "outcome-escalation").due_at == at(16, 8)


def test_a_rolled_back_booking_writes_nothing(campaign, company, consultant, coordinator):
    with pytest.raises(RuntimeError), transaction.atomic():
        book(campaign, company)
        assert Message.objects.exists()
        raise RuntimeError("the caller fails after booking")
    assert not Message.objects.exists()


# --- What they say -----------------------------------------------------------------------------


def test_every_message_of_a_booking_renders_in_danish(campaign, company, consultant, coordinator):
    booking = book(campaign, company)

    for message in rows(booking):
        email = render(message)
        assert email is not None, message.kind
        assert email.subject and "\n" not in email.subject
        assert "Jobcenter København" in email.text
        assert email.html.startswith("<!DOCTYPE html>")
        assert 'lang="da"' in email.html
        assert "Med venlig hilsen" in email.text and "Med venlig hilsen" in email.html

    confirmation = render(one(booking, "company-confirmation"))
    assert (
        confirmation.subject == "Bekræftelse af jeres møde med Jobcenter København den 14.12.2026"
    )
    token = one(booking, "company-confirmation").context["self_service_token"]
    link = f"{settings.SITE_URL}/visit/{token}/"
    assert link in confirmation.text and f'href="{link}"' in confirmation.html
    assert "mandag 14. december 2026 kl. 10:00–11:00" in confirmation.text
    event = ics(confirmation, "PUBLISH").walk("VEVENT")[0]
    assert event["uid"] == f"booking-{booking.pk}@visitbook"

    notice = render(one(booking, "attendee-notice"))
    assert notice.subject.startswith("Nyt besøg: ")
    visit_link = f"{settings.SITE_URL}/visits/{booking.pk}/"
    assert visit_link in notice.text and "Kvittér for besøget" in notice.html
    ics(notice, "REQUEST")

    assert render(one(booking, "company-reminder")).subject.startswith("Påmindelse: møde med")
    assert link in render(one(booking, "company-reminder")).text
    assert "Ikke kvitteret" not in render(one(booking, "ack-reminder")).subject
    assert render(one(booking, "ack-escalation")).subject.startswith(
        f"Besøg ikke kvitteret af {consultant.name}"
    )
    prompts = [render(m).subject for m in rows(booking, kind="outcome-prompt")]
    assert prompts[0].startswith("Hvordan gik besøget")
    assert prompts[1].startswith("Mangler stadig")
    assert render(one(booking, "outcome-escalation")).subject.startswith("Resultat mangler")


def test_a_recipient_who_chose_english_gets_english(campaign, company, consultant, coordinator):
    company.language = "en"
    company.save()
    consultant.language = "en"
    consultant.save()
    booking = book(campaign, company)

    confirmation = render(one(booking, "company-confirmation"))
    assert confirmation.subject.startswith("Confirmation of your meeting with Jobcenter København")
    assert "Best regards" in confirmation.text and 'lang="en"' in confirmation.html
    ics(confirmation, "PUBLISH")
    notice = render(one(booking, "attendee-notice"))
    assert notice.subject.startswith("New visit: ")
    assert "Acknowledge the visit" in notice.html
    ics(notice, "REQUEST")
    for kind, start in [
        ("company-reminder", "Reminder: meeting with"),
        ("ack-reminder", "Please acknowledge your visit"),
        ("attendee-reminder", "Reminder: visit to"),
        ("outcome-prompt", "How did the visit"),
    ]:
        assert render(rows(booking, kind=kind).first()).subject.startswith(start), kind
    # The coordinator has no language of their own: Danish.
    assert render(one(booking, "ack-escalation")).subject.startswith("Besøg ikke kvitteret")


# --- Cancelled, moved, reassigned ------------------------------------------------------------


def test_nothing_is_sent_for_a_cancelled_visit(campaign, company, consultant, coordinator):
    booking = book(campaign, company)
    before = list(rows(booking))

    booking_cancel(actor=coordinator, booking=booking, by="jobcentre", reason="Konsulenten er syg")

    for message in before:
        message.refresh_from_db()
        assert message.state == Message.State.CANCELLED, message.kind
        assert render(message) is None, message.kind  # even if the dispatcher got it
    assert sorted(rows(booking, state=PENDING).values_list("kind", "to_email")) == [
        ("attendee-cancelled", consultant.email),
        ("company-cancelled", "ejer@firma.invalid"),
    ]
    cancelled = render(one(booking, "attendee-cancelled"))
    assert cancelled.subject.startswith("Besøg fjernet fra din kalender")
    assert "Begrundelse: Konsulenten er syg" in cancelled.text
    ics(cancelled, "CANCEL")
    told = render(one(booking, "company-cancelled"))
    assert "er aflyst" in told.subject and "Konsulenten er syg" in told.text


def test_moving_replaces_the_pending_reminders(campaign, company, consultant, coordinator):
    old = book(campaign, company)
    later = NOW + dt.timedelta(hours=2)

    new = booking_move(actor=None, booking=old, starts_at=at(15, 10), now=later)

    assert not rows(old, state=PENDING).exists()
    assert schedule(new) == sorted(
        [
            ("company-moved", "ejer@firma.invalid", later),
            ("attendee-moved", consultant.email, later),
            ("company-reminder", "ejer@firma.invalid", at(11, 9)),
            ("ack-reminder", consultant.email, later + dt.timedelta(hours=24)),
            ("ack-escalation", "koordinator@kk.invalid", later + dt.timedelta(hours=48)),
            ("attendee-reminder", consultant.email, at(14, 8)),
            ("outcome-prompt", consultant.email, at(15, 11)),
            ("outcome-prompt", consultant.email, at(17, 8)),
            ("outcome-escalation", "koordinator@kk.invalid", at(21, 8)),
        ]
    )
    assert one(new, "company-reminder").key.endswith(at(15, 10).isoformat())
    moved = render(one(new, "company-moved"))
    assert f"/visit/{new.self_service_token}/" in moved.text
    assert "tirsdag 15. december 2026 kl. 10:00" in moved.text
    ics(moved, "PUBLISH")
    ics(render(one(new, "attendee-moved")), "REQUEST")
    # The old booking's reminders no longer render.
    assert render(one(old, "company-reminder")) is None
    assert render(one(old, "attendee-reminder")) is None


def test_a_consultant_who_drops_out_of_a_move_gets_a_cancel(
    campaign, company, consultant, coordinator, jobcentre
):
    old = book(campaign, company, consultant_id=consultant.pk)
    colleague = working_hours(ConsultantFactory(jobcentre=jobcentre, name="Bente Bach"))
    new = booking_move(
        actor=None,
        booking=old,
        starts_at=at(15, 10),
        consultant_id=colleague.pk,
        now=NOW + dt.timedelta(hours=1),
    )
    assert new.attendees.get().consultant == colleague
    cancelled = render(one(old, "attendee-cancelled"))
    assert "flyttet til et tidspunkt, hvor du ikke deltager" in cancelled.text
    ics(cancelled, "CANCEL")
    assert one(new, "ack-reminder").to_email == colleague.email


def test_reassignment_gives_the_new_consultant_their_own_reminders(
    campaign, company, consultant, coordinator, jobcentre
):
    colleague = working_hours(
        ConsultantFactory(
            jobcentre=jobcentre, name="Bente Bach", max_visits_per_day=5, max_visits_per_week=25
        )
    )
    booking = book(campaign, company, consultant_id=consultant.pk)
    old_escalation = one(booking, "ack-escalation")
    later = NOW + dt.timedelta(hours=1)

    booking_reassign(
        actor=coordinator, booking=booking, consultant=colleague, reason="Syg", now=later
    )

    theirs = sorted(
        (m.kind, m.due_at) for m in rows(booking, state=PENDING, to_email=colleague.email)
    )
    assert theirs == sorted(
        [
            ("attendee-notice", later),
            ("ack-reminder", later + dt.timedelta(hours=24)),
            ("attendee-reminder", at(11, 8)),
            ("outcome-prompt", at(14, 11)),
            ("outcome-prompt", at(16, 8)),
        ]
    )
    assert not rows(booking, state=PENDING, to_email=consultant.email).exclude(
        kind="attendee-cancelled"
    )
    new_attendee = booking.attendees.get(is_active=True)
    escalations = rows(booking, kind="ack-escalation", state=PENDING)
    assert {m.context["attendee"] for m in escalations} == {old_escalation.context["attendee"]} | {
        new_attendee.pk
    }
    # The escalation about the old consultant no longer matters; the new one's does.
    assert render(Message.objects.get(pk=old_escalation.pk)) is None
    new_escalation = escalations.get(context__attendee=new_attendee.pk)
    assert "Bente Bach" in render(new_escalation).subject
    cancelled = render(one(booking, "attendee-cancelled"))
    assert "givet til en kollega" in cancelled.text
    ics(cancelled, "CANCEL")
    assert "Bente Bach" in render(one(booking, "company-changed")).text


# --- Relevance at send time ------------------------------------------------------------------


def test_acknowledging_makes_the_ack_reminder_and_escalation_irrelevant(
    campaign, company, consultant, coordinator, consultant_user
):
    booking = book(campaign, company)
    reminder, escalation = one(booking, "ack-reminder"), one(booking, "ack-escalation")
    assert render(reminder) is not None and render(escalation) is not None

    attendee_acknowledge(actor=consultant_user, booking=booking)

    assert render(reminder) is None
    assert render(escalation) is None
    assert render(one(booking, "attendee-reminder")) is not None  # still wanted


def test_registering_the_outcome_makes_the_prompts_irrelevant(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)
    prompts = list(rows(booking, kind__in=["outcome-prompt", "outcome-escalation"]))
    assert all(render(m) is not None for m in prompts)

    with time_machine.travel(at(14, 12), tick=False):
        outcome_register(actor=coordinator, booking=booking, kind="held", now=at(14, 12))

    for message in prompts:
        assert render(message) is None, message.kind
        message.refresh_from_db()
        assert message.state == Message.State.CANCELLED


def test_follow_ups_are_reminded_overdue_and_escalated(campaign, company, consultant, coordinator):
    booking = book(campaign, company)
    with time_machine.travel(at(14, 12), tick=False):
        outcome = outcome_register(
            actor=coordinator,
            booking=booking,
            kind="held",
            followups=[
                {
                    "kind": "candidates",
                    "owner": consultant,
                    "due_on": dt.date(2026, 12, 18),
                    "description": "Tre CV'er",
                }
            ],
            now=at(14, 12),
        )
    followup = outcome.followups.get()
    ref = f"followup:{followup.pk}"

    assert schedule(ref) == sorted(
        [
            # The working day before the due date, and the working day after, at 08:00.
            ("followup-due", consultant.email, at(17, 8)),
            ("followup-overdue", consultant.email, at(21, 8)),
            # Three working days after the due date: the coordinator.
            ("followup-escalation", "koordinator@kk.invalid", at(23, 8)),
        ]
    )
    assert one(ref, "followup-due").key == f"{ref}:followup-due:2026-12-18"
    due = render(one(ref, "followup-due"))
    assert due.subject == f"Opfølgning forfalder fredag 18. december 2026: {company.name}"
    assert "Tre CV'er" in due.text
    assert f"{settings.SITE_URL}/visits/followups/" in due.html
    assert render(one(ref, "followup-overdue")).subject.startswith("Opfølgning overskredet")
    assert consultant.name in render(one(ref, "followup-escalation")).subject


def test_marking_a_follow_up_done_makes_its_reminders_irrelevant(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)
    with time_machine.travel(at(14, 12), tick=False):
        outcome_register(
            actor=coordinator,
            booking=booking,
            kind="held",
            followups=[{"kind": "call", "owner": consultant, "due_on": dt.date(2026, 12, 18)}],
            now=at(14, 12),
        )
    followup = FollowUp.objects.get()
    messages = list(rows(f"followup:{followup.pk}"))
    assert len(messages) == 3

    followup_done(actor=coordinator, followup=followup, note="Ringet op", now=at(15, 9))

    for message in messages:
        assert render(message) is None, message.kind
        message.refresh_from_db()
        assert message.state == Message.State.CANCELLED


def test_a_visit_that_is_not_booked_any_more_gets_no_reminders(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)
    reminders = list(rows(booking).exclude(kind__in=["company-confirmation", "attendee-notice"]))
    # Say the dispatcher claimed them just before the visit's state changed.
    type(booking).objects.filter(pk=booking.pk).update(state="cancelled_company")
    for message in reminders:
        assert render(message) is None, message.kind


def test_an_inactive_attendee_gets_no_notice(campaign, company, consultant):
    booking = book(campaign, company)
    Attendee.objects.filter(booking=booking).update(is_active=False)
    assert render(one(booking, "attendee-notice")) is None


# --- The vetting deadline (written by campaign.vetting) ------------------------------------------


def test_the_vetting_deadline_goes_to_the_coordinator_while_the_list_is_unvetted(
    campaign, jobcentre, coordinator
):
    call_list = CallList.objects.create(
        campaign=campaign, jobcentre=jobcentre, track=Track.JOBCENTRE
    )
    call_list_deadline_set(actor=coordinator, call_list=call_list, deadline=dt.date(2026, 12, 10))
    message = Message.objects.get(kind="vetting-deadline")
    assert (message.to_email, message.due_at) == ("koordinator@kk.invalid", at(10, 8))

    email = render(message)
    assert email.subject.startswith("Frist for gennemgang i dag")
    assert "torsdag 10. december 2026" in email.text
    assert f"{settings.SITE_URL}/vetting/lists/{call_list.pk}/" in email.html

    CallList.objects.filter(pk=call_list.pk).update(status=CallList.Status.RELEASED)
    assert render(message) is None
