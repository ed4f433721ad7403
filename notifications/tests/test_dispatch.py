"""The outbox's dispatcher, send step, eager demo path and admin, in the test process (mail
in Django's locmem outbox). The end-to-end tests with workers are in test_outbox_worker.py."""

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from notifications import dispatch
from notifications.dispatch import (
    message_send,
    messages_claim,
    messages_dispatch,
    messages_sweep,
    retry_countdown,
)
from notifications.models import Message
from notifications.services import Outgoing, messages_enqueue
from notifications.tests.outbox_kinds import KIND

State = Message.State
NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 9, 0))


def row(key: str, *, due: dt.datetime = NOW, **fields) -> Message:
    return Message.objects.create(
        key=key,
        kind=KIND,
        subject_ref="booking:1",
        to_email=f"{key}@firma.example",
        to_name="Hanne",
        due_at=due,
        **fields,
    )


@pytest.fixture
def published(monkeypatch):
    """Stand-in for the broker: the ids handed to send_message.delay."""
    from notifications.tasks import send_message

    ids: list[int] = []
    monkeypatch.setattr(send_message, "delay", ids.append)
    return ids


def test_the_claim_takes_due_pending_rows_oldest_first_up_to_the_limit(db):
    late = row("late", due=NOW - dt.timedelta(minutes=1))
    early = row("early", due=NOW - dt.timedelta(hours=1))
    row("future", due=NOW + dt.timedelta(minutes=1))
    row("sent", state=State.SENT)
    row("third", due=NOW)

    ids = messages_claim(now=NOW, limit=2)

    assert ids == [early.pk, late.pk]
    assert set(Message.objects.filter(state=State.SENDING).values_list("key", flat=True)) == {
        "early",
        "late",
    }
    assert Message.objects.get(key="early").claimed_at == NOW


def test_the_sweep_returns_only_stale_sending_rows(db, settings):
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 600
    row("stale", state=State.SENDING, claimed_at=NOW - dt.timedelta(minutes=11))
    row("fresh", state=State.SENDING, claimed_at=NOW - dt.timedelta(minutes=9))
    row("retry-later", state=State.SENDING, claimed_at=NOW + dt.timedelta(minutes=5))

    assert messages_sweep(now=NOW) == 1

    states = dict(Message.objects.values_list("key", "state"))
    assert states == {"stale": State.PENDING, "fresh": State.SENDING, "retry-later": State.SENDING}


def test_dispatch_publishes_only_after_the_outer_transaction_commits(
    db, published, django_capture_on_commit_callbacks
):
    message = row("due")

    with django_capture_on_commit_callbacks(execute=True):
        result = messages_dispatch(now=NOW)
        assert published == []

    assert published == [message.pk]
    assert (result.claimed, result.published) == (1, 1)


def test_a_broker_refusal_puts_the_rows_back_to_pending(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from notifications.tasks import send_message

    def refuse(message_id):
        raise ConnectionRefusedError("Redis is down")

    monkeypatch.setattr(send_message, "delay", refuse)
    row("a")
    row("b")

    with django_capture_on_commit_callbacks(execute=True):
        result = messages_dispatch(now=NOW)

    assert (result.claimed, result.published, result.unpublished) == (2, 0, 2)
    assert set(Message.objects.values_list("state", flat=True)) == {State.PENDING}


def test_the_send_step_sends_text_html_and_attachments_and_marks_the_row_sent(db):
    message = row("confirmation", state=State.SENDING, claimed_at=NOW)

    result = message_send(message_id=message.pk)

    assert result.outcome == dispatch.SENT
    [email] = mail.outbox
    assert email.to == ["Hanne <confirmation@firma.example>"]
    assert email.alternatives[0].mimetype == "text/html"
    assert email.attachments[0][0] == "besøg.ics"
    message.refresh_from_db()
    assert (message.state, message.attempts, message.claimed_at) == (State.SENT, 1, None)
    assert message.sent_at is not None


@pytest.mark.parametrize("state", [State.PENDING, State.SENT, State.CANCELLED, State.FAILED])
def test_the_send_step_sends_only_a_claimed_row(db, state):
    message = row("not-claimed", state=state)

    assert message_send(message_id=message.pk).outcome == dispatch.SKIPPED
    assert mail.outbox == []
    assert Message.objects.get(pk=message.pk).state == state


def test_a_message_rendered_as_none_is_cancelled(db):
    message = row("gone", state=State.SENDING, context={"gone": True})

    assert message_send(message_id=message.pk).outcome == dispatch.CANCELLED
    assert mail.outbox == []
    assert Message.objects.get(pk=message.pk).state == State.CANCELLED


def test_a_failure_counts_an_attempt_and_asks_for_a_retry_until_the_last(db, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    message = row("broken", state=State.SENDING, context={"broken": True})

    first = message_send(message_id=message.pk)
    second = message_send(message_id=message.pk)
    last = message_send(message_id=message.pk)

    assert (first.outcome, first.retry_in) == (dispatch.RETRY, retry_countdown(1))
    assert (second.outcome, second.retry_in) == (dispatch.RETRY, retry_countdown(2))
    assert last.outcome == dispatch.FAILED
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.FAILED, 3)
    assert message.last_error == "RuntimeError: the test renderer is broken"


def test_the_backoff_doubles_up_to_the_cap(settings):
    settings.NOTIFICATIONS_RETRY_BACKOFF = 60
    settings.NOTIFICATIONS_RETRY_BACKOFF_MAX = 1800

    assert [retry_countdown(n) for n in range(1, 8)] == [60, 120, 240, 480, 960, 1800, 1800]


@pytest.fixture
def eager():
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_in_eager_mode_a_message_due_now_is_sent_when_its_transaction_commits(
    db, django_capture_on_commit_callbacks, eager
):
    now = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        messages_enqueue(
            messages=[
                Outgoing(key="now", kind=KIND, subject_ref="b:1", to_email="a@b.dk", due_at=now),
                Outgoing(
                    key="later",
                    kind=KIND,
                    subject_ref="b:1",
                    to_email="a@b.dk",
                    due_at=now + dt.timedelta(days=2),
                ),
            ]
        )

    assert [m.subject for m in mail.outbox] == ["Test now"]
    assert dict(Message.objects.values_list("key", "state")) == {
        "now": State.SENT,
        "later": State.PENDING,
    }


def test_dispatch_messages_runs_the_beat_job_once(
    db, published, django_capture_on_commit_callbacks
):
    message = row("due", due=timezone.now())
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("dispatch_messages", stdout=out)

    assert published == [message.pk]
    assert "claimed 1" in out.getvalue()


def test_the_beat_schedule_runs_the_dispatcher_every_minute(settings):
    from config.celery import app

    [job] = [j for j in app.conf.beat_schedule.values() if "dispatch_due" in j["task"]]
    assert job["task"] == "notifications.tasks.dispatch_due"
    assert job["schedule"] == 60.0
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert app.conf.accept_content == ["json"]
    assert (
        app.conf.broker_transport_options["visibility_timeout"]
        > app.conf.task_time_limit + settings.NOTIFICATIONS_RETRY_BACKOFF_MAX
    )


URL = "admin:notifications_message_changelist"


def test_the_admin_lists_failed_messages_and_searches_by_address(admin_client):
    row("failed-one", state=State.FAILED, last_error="550")
    row("sent-one", state=State.SENT)

    failed = admin_client.get(reverse(URL), {"state__exact": State.FAILED})
    found = admin_client.get(reverse(URL), {"q": "sent-one@firma"})

    assert [m.key for m in failed.context["cl"].result_list] == ["failed-one"]
    assert [m.key for m in found.context["cl"].result_list] == ["sent-one"]


def test_the_admin_resend_action_puts_failed_and_cancelled_rows_back(admin_client):
    failed = row("failed", state=State.FAILED, attempts=5, last_error="550 refused")
    cancelled = row("cancelled", state=State.CANCELLED)
    sent = row("sent", state=State.SENT, attempts=1, sent_at=NOW)

    response = admin_client.post(
        reverse(URL),
        {"action": "resend", "_selected_action": [failed.pk, cancelled.pk, sent.pk]},
    )

    assert response.status_code == 302
    states = {m.key: (m.state, m.attempts, m.last_error) for m in Message.objects.all()}
    assert states == {
        "failed": (State.PENDING, 0, ""),
        "cancelled": (State.PENDING, 0, ""),
        "sent": (State.SENT, 1, ""),
    }
