"""The outbox end to end: a real Redis broker (the tests' own), real Celery workers started
by the test session and an SMTP sink. Run just these with `pytest -m celery`."""

import datetime as dt
import threading
from email.utils import parseaddr

import pytest
from django.db import connection, transaction
from django.utils import timezone

from notifications.dispatch import messages_dispatch
from notifications.models import Message
from notifications.services import Outgoing, messages_enqueue
from notifications.tests.conftest import wait_for
from notifications.tests.outbox_kinds import KIND

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]

State = Message.State


@pytest.fixture(autouse=True)
def outbox(celery_workers, smtp_sink, settings):
    """A clean sink, a short sweep timeout, and a worker running (a test may kill one)."""
    settings.NOTIFICATIONS_SENDING_TIMEOUT = 1
    celery_workers.ensure_one()
    smtp_sink.clear()
    yield celery_workers


def enqueue(*keys: str, to: str = "hr@firma.example", **context) -> None:
    """Write test messages, due now, in a committed transaction."""
    with transaction.atomic():
        messages_enqueue(
            messages=[
                Outgoing(
                    key=key,
                    kind=KIND,
                    subject_ref="booking:1",
                    to_email=to,
                    to_name="Hanne Ærø",
                    due_at=timezone.now() - dt.timedelta(seconds=1),
                    context=context,
                )
                for key in keys
            ]
        )


def all_in(state: str, keys) -> bool:
    return Message.objects.filter(key__in=keys, state=state).count() == len(keys)


def test_a_committed_message_is_sent_exactly_once(smtp_sink):
    enqueue("once")

    first = messages_dispatch()
    wait_for(lambda: all_in(State.SENT, ["once"]), what="the message to be sent")
    second = messages_dispatch()

    assert (first.claimed, first.published, second.claimed) == (1, 1, 0)
    assert smtp_sink.keys() == ["once"]
    mail = smtp_sink.received[0]
    assert mail["Subject"] == "Test once"
    assert parseaddr(mail["To"]) == ("Hanne Ærø", "hr@firma.example")
    assert parseaddr(mail["From"])[1] == "kampagne@visitbook.invalid"
    assert mail.get_body(("plain",)).get_content().startswith("Hej Hanne Ærø")
    assert "<p>Hej Hanne Ærø</p>" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "besøg.ics"
    assert attachment.get_content_type() == "text/calendar"
    row = Message.objects.get(key="once")
    assert row.sent_at is not None
    assert row.attempts == 1
    assert row.claimed_at is None


def test_a_rolled_back_transaction_sends_nothing(smtp_sink):
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue("rolled-back")
        raise RuntimeError("the booking failed")
    enqueue("committed")

    messages_dispatch()
    wait_for(lambda: all_in(State.SENT, ["committed"]), what="the committed message")

    assert not Message.objects.filter(key="rolled-back").exists()
    assert smtp_sink.keys() == ["committed"]


def test_two_dispatchers_at_once_send_each_message_once(smtp_sink):
    keys = [f"race-{n}" for n in range(60)]
    enqueue(*keys)
    barrier = threading.Barrier(2)
    claimed: list[int] = []

    def dispatcher():
        try:
            barrier.wait()
            while n := messages_dispatch(limit=7).claimed:  # small batches: they interleave
                claimed.append(n)
        finally:
            connection.close()

    threads = [threading.Thread(target=dispatcher) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wait_for(lambda: all_in(State.SENT, keys), what="all 60 messages to be sent")

    assert sum(claimed) == 60
    assert sorted(smtp_sink.keys()) == sorted(keys)


def test_a_second_delivery_of_the_same_task_sends_nothing(smtp_sink):
    from notifications.dispatch import messages_claim
    from notifications.tasks import send_message

    enqueue("twice")
    [message_id] = messages_claim()

    send_message.delay(message_id)
    send_message.delay(message_id)  # the broker redelivering it
    wait_for(lambda: all_in(State.SENT, ["twice"]), what="the message to be sent")
    enqueue("marker")  # queued behind both: once it is out, both tasks have run
    messages_dispatch()
    wait_for(lambda: all_in(State.SENT, ["marker"]), what="the marker message")

    assert sorted(smtp_sink.keys()) == ["marker", "twice"]


def test_messages_written_while_redis_is_down_go_out_when_it_is_back(own_redis, smtp_sink):
    own_redis.stop()
    try:
        enqueue("down-1")
        enqueue("down-2", "down-3")  # the changes commit without the broker

        result = messages_dispatch()

        assert result.claimed == 3
        assert result.published == 0
        assert result.unpublished == 3
        assert all_in(State.PENDING, ["down-1", "down-2", "down-3"])
    finally:
        own_redis.start()

    messages_dispatch()
    wait_for(
        lambda: all_in(State.SENT, ["down-1", "down-2", "down-3"]),
        timeout=40,  # the worker reconnects to Redis with its own backoff
        what="the messages after Redis is back",
    )
    assert sorted(smtp_sink.keys()) == ["down-1", "down-2", "down-3"]


def test_a_task_the_broker_lost_is_sent_after_the_sweep(own_redis, smtp_sink, outbox):
    outbox.stop_all()  # no worker: the task waits in Redis...
    enqueue("lost")
    assert messages_dispatch().published == 1
    own_redis.stop()  # ...which dies with it (no persistence)
    own_redis.start()
    outbox.start()
    assert Message.objects.get(key="lost").state == State.SENDING

    def swept_and_sent():
        messages_dispatch()  # after the 1-second timeout the sweep puts it back in the queue
        return all_in(State.SENT, ["lost"])

    wait_for(swept_and_sent, timeout=40, what="the lost message to be swept and sent")
    assert smtp_sink.keys() == ["lost"]


def test_a_worker_killed_mid_send_loses_nothing(smtp_sink, outbox):
    outbox.stop_all()
    victim = outbox.start()
    enqueue("killed", delay=2)
    messages_dispatch()

    def being_sent():
        # The send task holds the row's lock for the length of the send.
        with transaction.atomic():
            free = Message.objects.select_for_update(skip_locked=True).filter(key="killed")
            return not free.exists()

    wait_for(being_sent, what="the worker to start sending")
    outbox.kill(victim)
    outbox.start()

    def swept_and_sent():
        messages_dispatch()
        return all_in(State.SENT, ["killed"])

    wait_for(swept_and_sent, timeout=30, what="the message to be sent after the kill")
    row = Message.objects.get(key="killed")
    assert smtp_sink.keys() == ["killed"]
    assert row.attempts == 1  # the killed attempt rolled back with its connection


def test_a_message_no_longer_relevant_is_cancelled_not_sent(smtp_sink):
    enqueue("gone", gone=True)
    enqueue("kept")

    messages_dispatch()
    wait_for(lambda: all_in(State.SENT, ["kept"]), what="the relevant message")
    wait_for(lambda: all_in(State.CANCELLED, ["gone"]), what="the other to be cancelled")

    assert smtp_sink.keys() == ["kept"]


def test_a_refused_message_is_retried_with_backoff_then_failed(smtp_sink):
    enqueue("refused", to="refuse@firma.example")

    messages_dispatch()
    wait_for(lambda: all_in(State.FAILED, ["refused"]), what="the message to fail")

    row = Message.objects.get(key="refused")
    assert row.attempts == 3  # NOTIFICATIONS_MAX_ATTEMPTS of the test workers
    assert "550" in row.last_error
    assert row.sent_at is None
    assert smtp_sink.received == []


def test_a_resent_failed_message_goes_out(admin_client, smtp_sink):
    enqueue("resend-me")
    Message.objects.filter(key="resend-me").update(
        state=State.FAILED, attempts=3, last_error="SMTPRecipientsRefused"
    )
    row = Message.objects.get(key="resend-me")

    admin_client.post(
        "/admin/notifications/message/", {"action": "resend", "_selected_action": [row.pk]}
    )
    messages_dispatch()
    wait_for(lambda: all_in(State.SENT, ["resend-me"]), what="the resent message")

    assert smtp_sink.keys() == ["resend-me"]
    assert Message.objects.get(key="resend-me").attempts == 1
