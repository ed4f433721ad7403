"""Sending the outbox. The database holds the schedule: a beat job every minute
(`notifications.tasks.dispatch_due`) sweeps rows whose send was lost, claims the rows now due
and hands each id to the send task (`notifications.tasks.send_message`), which calls
`message_send`.

The guarantees, and what gives them:

- Only one process moves a row from pending to sending: the claim selects due rows
  `FOR UPDATE SKIP LOCKED`, so two dispatchers running at once claim disjoint rows.
- A row is sent at most once per claim: the send task locks the row (`SKIP LOCKED`) for the
  length of the send and sends it only while it is `sending`; it marks it sent with a
  conditional update. A second delivery of the same task, or a task for a row swept and
  claimed again, finds the row locked or no longer `sending`, and does nothing.
- Nothing is lost: a row whose task never ran (Redis down or restarted, worker killed) stays
  `sending` without a lock; the sweep returns it to pending after
  NOTIFICATIONS_SENDING_TIMEOUT and the next run claims it again. A failed publish returns
  the row to pending at once.
"""

import dataclasses
import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from notifications.models import Message
from notifications.registry import render

logger = logging.getLogger(__name__)

SENT = "sent"
CANCELLED = "cancelled"
FAILED = "failed"
RETRY = "retry"
SKIPPED = "skipped"


@dataclasses.dataclass
class DispatchResult:
    swept: int = 0  # rows found stuck in `sending` and returned to pending
    claimed: int = 0  # rows moved from pending to sending
    published: int = 0  # send tasks handed to the broker
    unpublished: int = 0  # claimed rows the broker did not take (back to pending)


@dataclasses.dataclass(frozen=True)
class SendResult:
    outcome: str  # SENT, CANCELLED, FAILED, RETRY or SKIPPED
    retry_in: int | None = None  # seconds, with RETRY


def retry_countdown(attempts: int) -> int:
    """Seconds before the next try after `attempts` failed ones: exponential, capped."""
    backoff = settings.NOTIFICATIONS_RETRY_BACKOFF * 2 ** max(attempts - 1, 0)
    return min(backoff, settings.NOTIFICATIONS_RETRY_BACKOFF_MAX)


def messages_sweep(*, now: dt.datetime | None = None) -> int:
    """Return rows stuck in `sending` longer than the timeout to pending. A row being sent
    right now is locked by its send task and skipped."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=settings.NOTIFICATIONS_SENDING_TIMEOUT)
    with transaction.atomic():
        stuck = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True))
            .filter(state=Message.State.SENDING)
            .values_list("pk", flat=True)
        )
        if stuck:
            Message.objects.filter(pk__in=stuck, state=Message.State.SENDING).update(
                state=Message.State.PENDING, claimed_at=None
            )
    if stuck:
        logger.warning("Outbox sweep: %d message(s) stuck in sending, back to pending", len(stuck))
    return len(stuck)


def messages_claim(*, now: dt.datetime | None = None, limit: int | None = None) -> list[int]:
    """Claim up to `limit` due pending rows (oldest due first): state sending, claimed now.
    Rows another dispatcher holds are skipped, not waited for."""
    now = now or timezone.now()
    limit = limit or settings.NOTIFICATIONS_DISPATCH_BATCH
    with transaction.atomic():
        ids = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(state=Message.State.PENDING, due_at__lte=now)
            .order_by("due_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids, state=Message.State.PENDING).update(
                state=Message.State.SENDING, claimed_at=now
            )
    return ids


def messages_dispatch(
    *, now: dt.datetime | None = None, limit: int | None = None
) -> DispatchResult:
    """The beat job: sweep, claim, and hand each claimed id to the send task."""
    result = DispatchResult(swept=messages_sweep(now=now))
    ids = messages_claim(now=now, limit=limit)
    result.claimed = len(ids)
    # Publish only once the claim has committed: a worker that picked a task up before the
    # commit would still see the row pending and skip it. messages_claim committed already
    # when called outside a transaction, and on_commit then runs at once; inside an outer
    # transaction (a test, a caller's atomic block) it waits for that commit.
    transaction.on_commit(lambda: _publish(ids, result))
    return result


def _publish(ids: list[int], result: DispatchResult) -> None:
    from notifications.tasks import send_message  # the tasks module imports this one

    for n, message_id in enumerate(ids):
        try:
            send_message.delay(message_id)
        except Exception:
            # The broker is unreachable: put the rest back in the queue now rather than
            # waiting for the sweep. (Should this publish have reached the broker after all,
            # its task finds the row pending, or claimed again and locked, and does nothing
            # twice: see message_send.)
            rest = ids[n:]
            Message.objects.filter(pk__in=rest, state=Message.State.SENDING).update(
                state=Message.State.PENDING, claimed_at=None
            )
            result.unpublished = len(rest)
            logger.exception("Outbox: broker refused; %d message(s) back to pending", len(rest))
            return
        result.published += 1


def message_send(*, message_id: int, final: bool = False) -> SendResult:
    """Render and send one claimed row, and record the outcome. The row stays locked for the
    length of the send, so nothing else sends, sweeps or re-claims it meanwhile; if the
    process dies, the database drops the lock and the row is still `sending` for the sweep.
    `final`: no retry is possible (eager mode), so a failure puts the row back to pending
    (or failed after the last attempt) at once."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, state=Message.State.SENDING)
            .first()
        )
        if message is None:
            return SendResult(SKIPPED)  # sent, cancelled, not claimed, or in another's hands
        claimed = Message.objects.filter(pk=message.pk, state=Message.State.SENDING)
        attempts = message.attempts + 1
        try:
            email = render(message)
            if email is not None:
                _deliver(message, email)
        except Exception as error:
            logger.warning("Outbox: message %s failed (attempt %d)", message.pk, attempts)
            last_error = f"{type(error).__name__}: {error}"[:2000]
            if attempts >= settings.NOTIFICATIONS_MAX_ATTEMPTS:
                claimed.update(
                    state=Message.State.FAILED,
                    attempts=attempts,
                    last_error=last_error,
                    claimed_at=None,
                )
                return SendResult(FAILED)
            countdown = retry_countdown(attempts)
            if final:
                claimed.update(
                    state=Message.State.PENDING,
                    attempts=attempts,
                    last_error=last_error,
                    claimed_at=None,
                )
                return SendResult(RETRY)
            # Still claimed until the retry is due, so the sweep leaves it alone till then.
            claimed.update(
                attempts=attempts,
                last_error=last_error,
                claimed_at=now + dt.timedelta(seconds=countdown),
            )
            return SendResult(RETRY, retry_in=countdown)
        if email is None:  # no longer relevant (the visit was acknowledged, cancelled...)
            claimed.update(state=Message.State.CANCELLED, claimed_at=None)
            return SendResult(CANCELLED)
        claimed.update(
            state=Message.State.SENT,
            sent_at=timezone.now(),
            attempts=attempts,
            last_error="",
            claimed_at=None,
        )
        return SendResult(SENT)


def _deliver(message: Message, email) -> None:
    """One e-mail with Django's mail framework: plain text, an HTML alternative and the
    attachments, to the row's recipient."""
    from email.headerregistry import Address

    to = str(Address(display_name=message.to_name, addr_spec=message.to_email))
    mail = EmailMultiAlternatives(
        subject=email.subject,
        body=email.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers={**dict(email.headers), "X-Visitbook-Message": message.key[:200]},
    )
    if email.html:
        mail.attach_alternative(email.html, "text/html")
    for filename, content, mimetype in email.attachments:
        mail.attach(filename, content, mimetype)
    mail.send(fail_silently=False)
