"""Reads worth naming for answering surveys: the invitation a token opens, a consultant's
own invitations, the state of an invitation, opt-outs, and what an invitation is about."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bookings.models import Attendee
from common.errors import NotFound
from common.tokens import token_hash
from surveys.models import Invitation, OptOut, Question

# What a wrong link answers: the same words whatever the token, so it tells nothing.
UNKNOWN_LINK = _("This survey link is not valid. Please use the link in your latest e-mail.")
# Tokens are 43 characters (common.tokens); anything much longer is not one of ours.
TOKEN_MAX_LENGTH = 100


class InvitationState:
    OPEN = "open"
    SUBMITTED = "submitted"
    EXPIRED = "expired"


def invitation_state(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """submitted (whenever it expires), else expired, else open."""
    now = now or timezone.now()
    if invitation.submitted_at is not None:
        return InvitationState.SUBMITTED
    if invitation.expires_at <= now:
        return InvitationState.EXPIRED
    return InvitationState.OPEN


def _with_subject(queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
    return queryset.select_related(
        "survey", "campaign", "booking__jobcentre", "jobcentre", "consultant"
    )


def invitation_by_token(token: str) -> Invitation:
    """The invitation whose link carries `token`, in whatever state; NotFound otherwise."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise NotFound(UNKNOWN_LINK)
    invitation = _with_subject(Invitation.objects.filter(token_hash=token_hash(token))).first()
    if invitation is None:
        raise NotFound(UNKNOWN_LINK)
    return invitation


def invitations_of(consultant) -> QuerySet[Invitation]:
    """A consultant's own survey invitations, newest first (none for no consultant)."""
    if consultant is None:
        return Invitation.objects.none()
    return _with_subject(Invitation.objects.filter(consultant=consultant)).order_by(
        "-created_at", "-pk"
    )


def questions_of(invitation: Invitation) -> list[Question]:
    return list(invitation.survey.questions.order_by("position"))


def answers_of(invitation: Invitation) -> dict[str, Any]:
    """The saved answers: {question key: value}."""
    return dict(invitation.answers.values_list("question__key", "value"))


def is_opted_out(email: str) -> bool:
    """Whether the address asked for no more survey mail (letter case does not matter)."""
    return OptOut.objects.filter(email__iexact=(email or "").strip()).exists()


@dataclass(frozen=True)
class Subject:
    """What an invitation is about, for the top of the answer page: a visit (companies),
    a jobcentre and campaign (the long-term follow-up) or a campaign (consultants)."""

    kind: str  # "visit", "jobcentre" or "campaign"
    campaign: str
    jobcentre: str = ""
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    consultants: list[str] = field(default_factory=list)


def subject_of(invitation: Invitation) -> Subject:
    campaign = invitation.campaign.name
    booking = invitation.booking
    if booking is not None:
        attendees = list(booking.attendees.select_related("consultant"))
        # A cancelled visit has no active attendees left: then show who was to come.
        active = [a for a in attendees if a.is_active] or attendees
        active.sort(key=lambda a: (a.role != Attendee.Role.LOCAL, a.consultant.name))
        names = list(dict.fromkeys(a.consultant.name for a in active))
        return Subject(
            kind="visit",
            campaign=campaign,
            jobcentre=booking.jobcentre.name,
            starts_at=booking.starts_at,
            ends_at=booking.ends_at,
            consultants=names,
        )
    if invitation.jobcentre_id is not None and invitation.consultant_id is None:
        return Subject(kind="jobcentre", campaign=campaign, jobcentre=invitation.jobcentre.name)
    return Subject(kind="campaign", campaign=campaign)
