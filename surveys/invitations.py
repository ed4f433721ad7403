"""Who is invited to which survey, and when the invitations go out. Each invitation is a row
with a hashed token, written with its outbox messages in one transaction:

| kind | to | when (local time) |
| --- | --- | --- |
| survey-invitation | the company contact | 09:00 the working day after the outcome |
| survey-reminder | the same | survey_reminder_days later, 09:00, while unanswered |
| survey-consultant | each consultant with visits | 08:00 the day after the campaign ends |
| survey-jobcentre | each participating jobcentre | 08:00, jobcentre_survey_months after the end |

The company's invitation is written when the outcome is registered (bookings tells us through
bookings.signals.outcome_registered). A visit registered as cancelled or missed gets the same
survey with its first question answered ("the visit did not take place"), so the company
sees only the short cancelled-visit part. The campaign-end surveys are written by a sweep
(`campaign_surveys_invite`, run by beat every hour): the campaign's dates are the schedule,
and the sweep is idempotent, so running it twice or late sends each invitation once.

Nobody who opted out of survey mail is invited. Whether a row still matters when it is due
(answered, expired, opted out meanwhile) is decided at send time by surveys.renderers.
"""

import calendar
import datetime as dt
import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from bookings.models import HELD_KINDS, Attendee, Booking, BookingState, Outcome
from bookings.schedules import COMPANY_TIME, STAFF_TIME, booking_ref, local_at
from bookings.slots import LOCAL_TZ
from campaign.models import Campaign, Participation
from common.tokens import new_token, token_hash
from common.workdays import add_working_days
from consultants.models import Consultant, Coordinator, Jobcentre
from notifications.services import Outgoing, messages_enqueue
from surveys.models import Answer, Invitation, Question, Survey
from surveys.queries import is_opted_out

logger = logging.getLogger(__name__)

SURVEY_INVITATION = "survey-invitation"
SURVEY_REMINDER = "survey-reminder"
SURVEY_CONSULTANT = "survey-consultant"
SURVEY_JOBCENTRE = "survey-jobcentre"

COMPANY_SURVEY_KEYS = {"1": "company-track-1", "2": "company-track-2"}
CONSULTANT_SURVEY_KEY = "consultant-campaign"
JOBCENTRE_SURVEY_KEY = "jobcentre-followup"

# The first question of the company surveys, and the answer that opens the short part.
VISIT_HELD_QUESTION = "visit_held"
VISIT_NOT_HELD = "cancelled"


def invitation_ref(invitation: Invitation) -> str:
    return f"invitation:{invitation.pk}"


def latest_survey(key: str) -> Survey | None:
    """The newest version of a survey: the one new invitations use."""
    return Survey.objects.filter(key=key).order_by("-version").first()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or the month's last day where it has fewer days."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _invitation_create(
    *, survey: Survey, campaign: Campaign, email: str, now: dt.datetime, **subject
) -> tuple[Invitation, str]:
    """A new invitation with a fresh token; returns the token, kept in clear only in the
    outbox rows that carry the link."""
    token = new_token()
    invitation = Invitation.objects.create(
        survey=survey,
        campaign=campaign,
        email=email,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + dt.timedelta(days=campaign.survey_link_days),
        **subject,
    )
    return invitation, token


# --- The company survey, after the visit -----------------------------------------------------


def company_survey_invite(*, outcome: Outcome, now: dt.datetime) -> Invitation | None:
    """Invite the visit's company to its track's survey, with a reminder; nothing when the
    campaign sends none, the company has no address or opted out, or it was invited already.
    Runs inside the outcome's transaction."""
    booking: Booking = outcome.booking
    campaign = booking.campaign
    email = booking.contact_email.strip()
    if not campaign.company_survey_enabled or not email or is_opted_out(email):
        return None
    survey = latest_survey(COMPANY_SURVEY_KEYS[booking.track])
    if survey is None:
        logger.warning("No company survey for track %s: run load_surveys", booking.track)
        return None
    if Invitation.objects.filter(booking=booking, survey__key=survey.key).exists():
        return None
    invitation, token = _invitation_create(
        survey=survey, campaign=campaign, email=email, now=now, booking=booking
    )
    if outcome.kind not in HELD_KINDS:
        _answer_not_held(invitation)
    sent_on = add_working_days(now.astimezone(LOCAL_TZ).date(), 1)
    invite_at = local_at(sent_on, COMPANY_TIME)
    remind_at = local_at(sent_on + dt.timedelta(days=campaign.survey_reminder_days), COMPANY_TIME)
    common = {
        "subject_ref": booking_ref(booking),  # shown on the visit's message timeline
        "to_email": email,
        "to_name": booking.contact_name,
        "language": booking.company.language or "da",
        "context": {"invitation": invitation.pk, "token": token},
    }
    messages_enqueue(
        messages=[
            Outgoing(
                key=f"{invitation_ref(invitation)}:{SURVEY_INVITATION}",
                kind=SURVEY_INVITATION,
                due_at=invite_at,
                **common,
            ),
            Outgoing(
                key=f"{invitation_ref(invitation)}:{SURVEY_REMINDER}",
                kind=SURVEY_REMINDER,
                due_at=remind_at,
                **common,
            ),
        ]
    )
    return invitation


def _answer_not_held(invitation: Invitation) -> None:
    """Open the short cancelled-visit part: the first question is answered for the company,
    which may still change it."""
    question = Question.objects.filter(survey=invitation.survey_id, key=VISIT_HELD_QUESTION).first()
    if question is not None:
        Answer.objects.create(invitation=invitation, question=question, value=VISIT_NOT_HELD)


def on_outcome_registered(sender, *, outcome: Outcome, now: dt.datetime, **kwargs) -> None:
    company_survey_invite(outcome=outcome, now=now)


# --- The consultants' and jobcentres' surveys, after the campaign ----------------------------


@transaction.atomic
def campaign_surveys_invite(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Invite, once, the consultants of every campaign that has ended and the jobcentres of
    every campaign whose long-term questionnaire is due. Safe to run at any time and as often
    as wanted: the campaign row is locked while its invitations are written, and who was
    invited already is skipped. Returns how many invitations were written per kind."""
    now = now or timezone.now()
    today = now.astimezone(LOCAL_TZ).date()
    counts = {SURVEY_CONSULTANT: 0, SURVEY_JOBCENTRE: 0}
    ended = Campaign.objects.filter(ends_on__lt=today).order_by("pk")
    consultant_survey = latest_survey(CONSULTANT_SURVEY_KEY)
    jobcentre_survey = latest_survey(JOBCENTRE_SURVEY_KEY)
    for campaign in ended.select_for_update(of=("self",)):
        if campaign.consultant_survey_enabled and consultant_survey is not None:
            counts[SURVEY_CONSULTANT] += _consultants_invite(campaign, consultant_survey, now)
        months = campaign.jobcentre_survey_months
        due_on = add_months(campaign.ends_on, months)
        if months and jobcentre_survey is not None and due_on <= today:
            counts[SURVEY_JOBCENTRE] += _jobcentres_invite(campaign, jobcentre_survey, now)
    return counts


def _consultants_invite(campaign: Campaign, survey: Survey, now: dt.datetime) -> int:
    """Every consultant still on a visit of the campaign (held or not; a visit taken off
    them or cancelled does not count) who is not invited yet."""
    had_visits = Attendee.objects.filter(
        consultant=OuterRef("pk"),
        booking__campaign=campaign,
        is_active=True,
    ).exclude(booking__state=BookingState.MOVED)
    invited = Invitation.objects.filter(
        campaign=campaign, consultant=OuterRef("pk"), survey__key=survey.key
    )
    consultants = (
        Consultant.objects.filter(Exists(had_visits))
        .exclude(Exists(invited))
        .exclude(email="")
        .order_by("pk")
    )
    due_at = local_at(campaign.ends_on + dt.timedelta(days=1), STAFF_TIME)
    messages = []
    for consultant in consultants:
        if is_opted_out(consultant.email):
            continue
        invitation, _token = _invitation_create(
            survey=survey, campaign=campaign, email=consultant.email, now=now, consultant=consultant
        )
        # Consultants answer logged in, so their link needs no token.
        messages.append(
            Outgoing(
                key=f"{invitation_ref(invitation)}:{SURVEY_CONSULTANT}",
                kind=SURVEY_CONSULTANT,
                subject_ref=invitation_ref(invitation),
                to_email=consultant.email,
                to_name=consultant.name,
                language=consultant.language,
                due_at=max(due_at, now),
                context={"invitation": invitation.pk},
            )
        )
    messages_enqueue(messages=messages)
    return len(messages)


def _jobcentre_address(jobcentre: Jobcentre) -> tuple[str, str]:
    """(e-mail, language) for the jobcentre's questionnaire: its own address, else its first
    coordinator's."""
    if jobcentre.email:
        return jobcentre.email, "da"
    coordinator = (
        Coordinator.objects.filter(jobcentre=jobcentre)
        .exclude(user__email="")
        .select_related("user", "user__consultant")
        .order_by("user_id")
        .first()
    )
    if coordinator is None:
        return "", "da"
    consultant = getattr(coordinator.user, "consultant", None)
    return coordinator.user.email, consultant.language if consultant is not None else "da"


def _jobcentres_invite(campaign: Campaign, survey: Survey, now: dt.datetime) -> int:
    invited = Invitation.objects.filter(
        campaign=campaign, jobcentre=OuterRef("jobcentre"), survey__key=survey.key
    )
    participations = (
        Participation.objects.filter(campaign=campaign)
        .exclude(Exists(invited))
        .select_related("jobcentre")
        .order_by("jobcentre_id")
    )
    due_at = local_at(add_months(campaign.ends_on, campaign.jobcentre_survey_months), STAFF_TIME)
    messages = []
    for participation in participations:
        jobcentre = participation.jobcentre
        email, language = _jobcentre_address(jobcentre)
        if not email or is_opted_out(email):
            continue
        invitation, token = _invitation_create(
            survey=survey, campaign=campaign, email=email, now=now, jobcentre=jobcentre
        )
        messages.append(
            Outgoing(
                key=f"{invitation_ref(invitation)}:{SURVEY_JOBCENTRE}",
                kind=SURVEY_JOBCENTRE,
                subject_ref=invitation_ref(invitation),
                to_email=email,
                to_name=jobcentre.name,
                language=language,
                due_at=max(due_at, now),
                context={"invitation": invitation.pk, "token": token},
            )
        )
    messages_enqueue(messages=messages)
    return len(messages)
