"""Writing to the outbox: idempotent by key, a cancelled key queued again, cancelling by
recipient."""

import datetime as dt

from django.utils import timezone

from notifications.models import Message
from notifications.services import Outgoing, messages_cancel, messages_enqueue

State = Message.State


def outgoing(key, to="a@firma.example", due_in=dt.timedelta(days=1), **context):
    return Outgoing(key=key, kind="test", subject_ref="booking:1", to_email=to,
                    due_at=timezone.now() + due_in, context=context)  # fmt: skip


def test_a_key_already_pending_or_sent_is_skipped(db):
    assert messages_enqueue(messages=[outgoing("k1"), outgoing("k2")]) == 2
    Message.objects.filter(key="k2").update(state=State.SENT)
    assert messages_enqueue(messages=[outgoing("k1", n=2), outgoing("k2", n=2)]) == 0
    assert Message.objects.get(key="k1").context == {}


def test_a_cancelled_key_is_queued_again_with_the_new_content(db):
    messages_enqueue(messages=[outgoing("k")])
    messages_cancel(subject_ref="booking:1")
    Message.objects.filter(key="k").update(attempts=2, last_error="x")
    assert messages_enqueue(messages=[outgoing("k", due_in=dt.timedelta(days=3), n=2)]) == 1
    row = Message.objects.get(key="k")
    assert (row.state, row.context, row.attempts, row.last_error) == (
        State.PENDING,
        {"n": 2},
        0,
        "",
    )
    assert row.due_at > timezone.now() + dt.timedelta(days=2)


def test_cancelling_can_pick_one_recipient(db):
    messages_enqueue(messages=[outgoing("a", to="a@x.example"), outgoing("b", to="b@x.example")])
    assert messages_cancel(subject_ref="booking:1", to_email="a@x.example") == 1
    assert dict(Message.objects.values_list("key", "state")) == {
        "a": State.CANCELLED, "b": State.PENDING,
    }  # fmt: skip
