"""Writing to the outbox. Call these inside the transaction of the change that causes the
message, so a rolled-back change sends nothing."""

import datetime as dt
from dataclasses import dataclass, field

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
    return len(new)


def messages_cancel(*, subject_ref: str, kinds: list[str] | None = None) -> int:
    """Cancel the pending messages about something (a cancelled or moved visit)."""
    pending = Message.objects.filter(subject_ref=subject_ref, state=Message.State.PENDING)
    if kinds is not None:
        pending = pending.filter(kind__in=kinds)
    return pending.update(state=Message.State.CANCELLED, last_error="", sent_at=None)
