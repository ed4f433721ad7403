"""Celery tasks of the outbox: thin, taking ids; the work is in notifications/dispatch.py.
No message is ever scheduled as a Celery ETA days ahead: the database holds the schedule and
beat runs `dispatch_due` every minute (CELERY_BEAT_SCHEDULE). The only countdowns are the
retries' backoff, capped below the broker's visibility timeout."""

import dataclasses

from celery import shared_task

from notifications.dispatch import RETRY, message_send, messages_dispatch


@shared_task(ignore_result=True)
def dispatch_due() -> dict:
    """Sweep rows whose send was lost, claim the due ones, hand each to send_message."""
    return dataclasses.asdict(messages_dispatch())


@shared_task(bind=True, ignore_result=True, max_retries=None)
def send_message(self, message_id: int) -> str:
    """Send one claimed outbox row. The row counts the attempts (NOTIFICATIONS_MAX_ATTEMPTS,
    then `failed`), so Celery's own retry limit is off."""
    result = message_send(message_id=message_id, final=bool(self.request.is_eager))
    if result.outcome == RETRY and result.retry_in is not None:
        raise self.retry(countdown=result.retry_in)
    return result.outcome
