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
    """Write the messages to the outbox, idempotently by key: a key already pending or sent
    is skipped; a key whose row was cancelled is queued again with the new content (the
    change that cancelled it was undone, e.g. a deadline moved back to its old date).
    Returns how many rows are new or queued again."""
    rows = {
        m.key: Message(
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
    }
    existing = dict(Message.objects.filter(key__in=rows).values_list("key", "state"))
    new = [row for key, row in rows.items() if key not in existing]
    Message.objects.bulk_create(new, ignore_conflicts=True)
    revived = [rows[key] for key, state in existing.items() if state == Message.State.CANCELLED]
    for row in revived:
        Message.objects.filter(key=row.key, state=Message.State.CANCELLED).update(
            state=Message.State.PENDING,
            due_at=row.due_at,
            to_email=row.to_email,
            to_name=row.to_name,
            language=row.language,
            context=row.context,
            attempts=0,
            last_error="",
        )
    _send_due_now_when_eager(new + revived)
    return len(new) + len(revived)


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


def messages_cancel(
    *, subject_ref: str, kinds: list[str] | None = None, to_email: str | None = None
) -> int:
    """Cancel the pending messages about something (a cancelled or moved visit), or only
    those of some kinds, or only those to one recipient (a consultant taken off a visit)."""
    pending = Message.objects.filter(subject_ref=subject_ref, state=Message.State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    if to_email is not None:
        pending = pending.filter(to_email=to_email)
    return pending.update(state=Message.State.CANCELLED, last_error="", sent_at=None)


@transaction.atomic
def messages_resend(*, ids: list[int]) -> int:
    """Put failed or cancelled rows back in the queue, attempts reset. Their due time stays:
    an overdue row goes out at the next dispatch, a future one when due."""
    return Message.objects.filter(
        pk__in=ids, state__in=[Message.State.FAILED, Message.State.CANCELLED]
    ).update(state=Message.State.PENDING, attempts=0, last_error="", claimed_at=None, sent_at=None)
