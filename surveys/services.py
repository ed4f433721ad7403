"""Every write of survey answering: saving answers as the person goes, submitting, marking
an invitation opened, and opting out of survey mail. Called by the pages (surveys.views)
and the API (surveys.api) alike."""

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.errors import ApplicationError, Gone
from surveys.logic import AnswerInvalid, answer_clean, missing_required, visible_keys
from surveys.models import Answer, Invitation, OptOut
from surveys.queries import answers_of, questions_of


class AlreadySubmitted(Gone):
    default_message = _("These answers have already been submitted. Thank you!")


class InvitationExpired(Gone):
    default_message = _("This survey has closed: the link has expired.")


NOT_SAVED = _("Your answers were not saved. Please correct the marked questions.")
NOT_SUBMITTED = _("Please answer the required questions before you submit.")
NO_SUCH_QUESTION = _("This survey has no such question.")
HIDDEN_QUESTION = _("This question does not apply, given your other answers.")
REQUIRED = _("Please answer this question.")


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _lock_open(invitation: Invitation, now: dt.datetime) -> Invitation:
    """The invitation's row, locked until the transaction ends, if it still takes answers."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.submitted_at is not None:
        raise AlreadySubmitted()
    if locked.expires_at <= now:
        raise InvitationExpired()
    return locked


def answers_save(
    *, invitation: Invitation, answers: Mapping[str, Any], now: dt.datetime | None = None
) -> dict[str, Any]:
    """Save some answers ({question key: raw value}; an empty value removes the answer) in
    one transaction. All or nothing: a value that does not fit its question, an unknown
    question or an answer to a question the answers hide refuses the whole request with
    field errors. Stored answers of questions the new answers hide are removed. Returns the
    answers saved now, {key: value}."""
    now = now or timezone.now()
    if not isinstance(answers, Mapping):
        raise ApplicationError(_("Send the answers as an object: question key to value."))
    with transaction.atomic():
        # The lock serialises saves and submits of one invitation: no save lands after a
        # submit, and two saves never interleave their upserts.
        locked = _lock_open(invitation, now)
        questions = questions_of(locked)
        by_key = {q.key: q for q in questions}
        stored = {a.question.key: a for a in locked.answers.select_related("question")}

        errors: dict[str, list] = {}
        cleaned: dict[str, Any] = {}
        for key, raw in answers.items():
            question = by_key.get(key)
            if question is None:
                errors[str(key)] = [NO_SUCH_QUESTION]
                continue
            try:
                cleaned[key] = answer_clean(question, raw)
            except AnswerInvalid as exc:
                errors[key] = [exc.message]
        if errors:
            raise ApplicationError(NOT_SAVED, field_errors=errors)

        merged = {key: answer.value for key, answer in stored.items()}
        for key, value in cleaned.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        visible = visible_keys(questions, merged)
        hidden = {
            key: [HIDDEN_QUESTION]
            for key, value in cleaned.items()
            if value is not None and key not in visible
        }
        if hidden:
            raise ApplicationError(NOT_SAVED, field_errors=hidden)

        for key, value in cleaned.items():
            existing = stored.get(key)
            if value is None or (existing is not None and _same(existing.value, value)):
                continue
            if existing is None:
                Answer.objects.create(invitation=locked, question=by_key[key], value=value)
            else:
                existing.value = value
                existing.save(update_fields=["value", "answered_at"])
        dropped = [a.pk for key, a in stored.items() if key not in merged or key not in visible]
        if dropped:
            Answer.objects.filter(pk__in=dropped).delete()
    return {key: value for key, value in merged.items() if key in visible}


def response_submit(
    *,
    invitation: Invitation,
    answers: Mapping[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> Invitation:
    """Save `answers` (if any), then submit: every required question that is shown must be
    answered. A refusal keeps what was saved. Of two submits at once exactly one wins; the
    other gets AlreadySubmitted."""
    now = now or timezone.now()
    if answers:
        # Its own transaction, committed before the required check: answers the person
        # gave are kept even when the submit is refused.
        answers_save(invitation=invitation, answers=answers, now=now)
    with transaction.atomic():
        locked = _lock_open(invitation, now)
        missing = missing_required(questions_of(locked), answers_of(locked))
        if missing:
            raise ApplicationError(NOT_SUBMITTED, field_errors={k: [REQUIRED] for k in missing})
        # The row lock above already serialises submits on PostgreSQL; the conditional
        # update makes "only one submit wins" hold on its own too (the SQLite demo).
        won = Invitation.objects.filter(pk=locked.pk, submitted_at__isnull=True).update(
            submitted_at=now, opened_at=Coalesce(F("opened_at"), Value(now))
        )
        if won != 1:
            raise AlreadySubmitted()
    invitation.submitted_at = now
    invitation.opened_at = invitation.opened_at or now
    return invitation


def invitation_open(invitation: Invitation, now: dt.datetime | None = None) -> bool:
    """Mark the invitation opened, the first time only. Returns whether this was it."""
    now = now or timezone.now()
    if invitation.opened_at is not None:
        return False
    first = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=now
    )
    if first:
        invitation.opened_at = now
    return bool(first)


def optout_create(*, email: str) -> OptOut:
    """Record that `email` wants no more survey mail. Idempotent, and letter case does not
    matter: the address already recorded in any case is returned."""
    address = (email or "").strip()
    try:
        validate_email(address)
    except ValidationError:
        raise ApplicationError(
            _("This is not a valid e-mail address."),
            field_errors={"email": [_("Enter a valid e-mail address.")]},
        ) from None
    existing = OptOut.objects.filter(email__iexact=address).first()
    if existing is not None:
        return existing
    # get_or_create catches the unique violation of a concurrent twin and fetches its row.
    optout, _created = OptOut.objects.get_or_create(email=address.lower())
    return optout
