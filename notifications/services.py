"""Writing to the outbox. Call these inside the transaction of the change that causes the
message, so a rolled-back change sends nothing."""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from notifications.models import Message


@dataclass(frozen=True)
class Outgoing:
    key: str
    kind: str
    subject_ref: str
    to_email: str
    due_at: dt.datetime
    to_name: str = ""
    language: str = "da"
    context: dict = field(default_factory=dict)


def messages_enqueue(*, messages: list[Outgoing]) -> int:
    """Write the messages to the outbox; a message whose key is already there is skipped
    (idempotent). Returns how many were new."""
    rows = [
        Message(
            key=m.key,
            kind=m.kind,
            subject_ref=m.subject_ref,
            to_email=m.to_email,
            to_name=m.to_name,
            language=m.language,
            context=m.context,
            due_at=m.due_at,
        )
        for m in messages
        if m.to_email
    ]
    keys = [r.key for r in rows]
    existing = set(Message.objects.filter(key__in=keys).values_list("key", flat=True))
    new = [r for r in rows if r.key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True)
    _send_due_now_when_eager(new)
    return len(new)


def _send_due_now_when_eager(rows: list[Message]) -> None:
    """In the demo (CELERY_TASK_ALWAYS_EAGER, no beat) messages due now go out as soon as
    the transaction that wrote them commits; later ones wait for `manage.py
    dispatch_messages`. In production the beat job sends them within a minute."""
    from config.celery import app

    if not app.conf.task_always_eager or not any(r.due_at <= timezone.now() for r in rows):
        return

    def dispatch() -> None:
        from notifications.dispatch import messages_dispatch

        try:
            messages_dispatch()
        except Exception:  # the change committed; the rows wait for the next dispatch
            logging.getLogger(__name__).exception("Outbox: eager dispatch failed")

    transaction.on_commit(dispatch)


def messages_cancel(*, subject_ref: str, kinds: list[str] | None = None) -> int:
    """Cancel the pending messages about something (a cancelled or moved visit)."""
    pending = Message.objects.filter(subject_ref=subject_ref, state=Message.State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(state=Message.State.CANCELLED, last_error="", sent_at=None)


@transaction.atomic
def messages_resend(*, ids: list[int]) -> int:
    """Put failed or cancelled rows back in the queue, attempts reset. Their due time stays:
    an overdue row goes out at the next dispatch, a future one when due."""
    return Message.objects.filter(
        pk__in=ids, state__in=[Message.State.FAILED, Message.State.CANCELLED]
    ).update(state=Message.State.PENDING, attempts=0, last_error="", claimed_at=None, sent_at=None)
