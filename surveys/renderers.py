"""The e-mail of each survey message kind (registered with notifications.registry, imported
from SurveysConfig.ready). A message is dropped at send time when the survey was answered,
its link expired, or the address opted out of survey mail meanwhile. When the rows are
written is surveys.invitations."""

from django.urls import reverse
from django.utils import formats, timezone

from bookings.renderers import site_url, visit_context
from notifications.models import Message
from notifications.registry import Email, register, render_templates
from surveys.invitations import (
    SURVEY_CONSULTANT,
    SURVEY_INVITATION,
    SURVEY_JOBCENTRE,
    SURVEY_REMINDER,
    VISIT_HELD_QUESTION,
    VISIT_NOT_HELD,
)
from surveys.models import Invitation
from surveys.queries import is_opted_out


def _open_invitation(message: Message) -> Invitation | None:
    """The row's invitation while it can still be answered and the address still wants mail."""
    invitation = (
        Invitation.objects.select_related(
            "survey", "campaign", "booking__company", "booking__jobcentre", "jobcentre"
        )
        .filter(pk=message.context.get("invitation"))
        .first()
    )
    if invitation is None or invitation.submitted_at is not None:
        return None
    if invitation.expires_at <= timezone.now() or is_opted_out(invitation.email):
        return None
    return invitation


def _links(message: Message) -> tuple[dict, tuple[tuple[str, str], ...]]:
    """The answer and opt-out links of a token-carrying row, and the one-click unsubscribe
    headers (RFC 8058) that let a mail client opt out without opening a page."""
    token = message.context["token"]
    opt_out = site_url(reverse("surveys:optout", kwargs={"token": token}))
    links = {
        "survey_url": site_url(reverse("surveys:answer", kwargs={"token": token})),
        "opt_out_url": opt_out,
    }
    headers = (
        ("List-Unsubscribe", f"<{opt_out}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    return links, headers


def _expires(invitation: Invitation) -> str:
    return formats.date_format(timezone.localtime(invitation.expires_at), "DATE_FORMAT")


@register(SURVEY_INVITATION)
@register(SURVEY_REMINDER)
def render_company_survey(message: Message) -> Email | None:
    invitation = _open_invitation(message)
    if invitation is None:
        return None
    links, headers = _links(message)
    not_held = invitation.answers.filter(
        question__key=VISIT_HELD_QUESTION, value=VISIT_NOT_HELD
    ).exists()
    context = visit_context(
        invitation.booking,
        invitation=invitation,
        not_held=not_held,
        expires=_expires(invitation),
        **links,
    )
    return render_templates(message, context, headers=headers)


@register(SURVEY_CONSULTANT)
def render_consultant_survey(message: Message) -> Email | None:
    invitation = _open_invitation(message)
    if invitation is None:
        return None
    context = {
        "invitation": invitation,
        "campaign": invitation.campaign,
        "survey_url": site_url(reverse("surveys:mine-answer", kwargs={"pk": invitation.pk})),
        "expires": _expires(invitation),
    }
    return render_templates(message, context)


@register(SURVEY_JOBCENTRE)
def render_jobcentre_survey(message: Message) -> Email | None:
    invitation = _open_invitation(message)
    if invitation is None:
        return None
    links, headers = _links(message)
    context = {
        "invitation": invitation,
        "campaign": invitation.campaign,
        "jobcentre": invitation.jobcentre,
        "expires": _expires(invitation),
        **links,
    }
    return render_templates(message, context, headers=headers)
