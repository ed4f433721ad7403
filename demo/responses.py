"""Survey invitations and answers: the company survey after every visit (track 1 and track 2
have their own) and the consultants' survey after the campaign.

Answers are made generically from each question's kind, choices and condition, so they follow
whatever the shipped definitions say. A few question keys the report gives figures for get
exact quotas (overall satisfaction, follow-up agreed, likely cooperation; the consultants'
meeting quality, effect and firms' preparation); any other question gets a plausible answer.
"""

import base64
import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from bookings.models import HELD_KINDS
from campaign.models import Campaign, Track
from common.tokens import token_hash
from consultants.models import Consultant
from demo.plan import Site, Visit
from demo.schedule import CALLS_START, at, at_working_time, next_working_day, working_days
from demo.targets import Targets, apportion
from surveys.models import Answer, Invitation, Question, Survey
from surveys.shipped import shipped_surveys_load

COMPANY_SURVEYS = {Track.JOBSERVICE: "company-track-1", Track.JOBCENTRE: "company-track-2"}
CONSULTANT_SURVEY = "consultant-campaign"
JOBCENTRE_SURVEY = "jobcentre-followup"
VISIT_HELD = "visit_held"
EXPIRES_AFTER = timedelta(days=30)
OPENED_SHARE = 0.15  # of the invitations never answered
CONSULTANT_SURVEY_SENT = date(2016, 4, 18)
JOBCENTRE_SURVEY_SENT = date(2016, 9, 12)
JOBCENTRE_ANSWER_SHARE = 0.6
CALENDAR = frozenset(working_days(CALLS_START, date(2016, 12, 31)))

# (values, weights within the bucket, share of respondents)
Quota = list[tuple[tuple[Any, ...], tuple[float, ...], float]]


def scale_quota(high: float, low: float) -> Quota:
    """A 1-5 quota: `high` answer 4-5, `low` 1-2, the rest 3."""
    return [((4, 5), (0.45, 0.55), high), ((1, 2), (0.4, 0.6), low), ((3,), (1,), 1 - high - low)]


def yes_quota(share: float) -> Quota:
    return [((True,), (1,), share), ((False,), (1,), 1 - share)]


COMPANY_QUOTAS: dict[str, dict[str, Quota]] = {
    Track.JOBCENTRE: {
        "overall_satisfaction": scale_quota(0.825, 0.04),
        "followup_agreed": yes_quota(0.36),
        "likely_cooperation": scale_quota(0.62, 0.12),
    },
    Track.JOBSERVICE: {
        "overall_satisfaction": scale_quota(0.87, 0.037),
        "followup_agreed": yes_quota(0.50),
        "likely_cooperation": scale_quota(0.62, 0.12),
    },
}
CONSULTANT_QUOTAS: dict[str, Quota] = {
    "meeting_quality": scale_quota(0.88, 0.03),
    "meeting_effect": scale_quota(0.69, 0.08),
    "company_preparation": scale_quota(0.56, 0.14),
}
# Mean importance the firms gave each factor; other scale questions follow the mood.
MEANS = {
    "importance_fast_service": 4.3,
    "importance_clear_use": 4.4,
    "importance_law_knowledge": 3.7,
    "importance_price": 3.2,
    "material_catalogue": 3.4,
    "material_invitation": 3.6,
    "material_call_script": 2.9,
    "material_online_calendar": 3.1,
    "campaign_process": 3.5,
}
CANCEL_REASONS = {
    "busy": 35,
    "changed_mind": 20,
    "forgot": 10,
    "cancelled_by_them": 15,
    "consultant_no_show": 5,
    "other": 15,
}
ROLES = {
    "Indehaver": "owner",
    "Medindehaver": "owner",
    "Direktør": "director",
    "HR-direktør": "hr_manager",
    "HR-chef": "hr_manager",
    "HR-partner": "hr_manager",
    "Rekrutteringsansvarlig": "hr_manager",
}
COMMENTS = (
    "Godt og relevant møde.",
    "Konsulenten var godt forberedt.",
    "Vi hørte ikke mere efter mødet.",
    "Det var svært at se, hvad vi kunne bruge det til.",
    "Hurtig hjælp til at finde en praktikant, tak.",
    "Telefonopkaldet var lidt for insisterende.",
    "Vi vil gerne kontaktes igen til efteråret.",
)
LEARNING_POINTS = (
    "Bookingerne skal stå i vores kalender med det samme.",
    "Mødemateriale til virksomhederne på forhånd ville hjælpe.",
    "Lad os gennemse ringelisten, før der ringes.",
    "Færre møder booket langt ude i fremtiden.",
)


def token_make(rng: random.Random) -> str:
    """A 256-bit URL-safe token, like secrets.token_urlsafe(32) but from our RNG."""
    return base64.urlsafe_b64encode(rng.randbytes(32)).rstrip(b"=").decode()


def quota_values(rng: random.Random, n: int, quota: Quota) -> list[Any]:
    """n answers whose buckets have exactly the quota's shares (rounded), shuffled."""
    counts = apportion(n, [share for *_, share in quota])
    values = []
    for (choices, weights, _share), count in zip(quota, counts, strict=True):
        values += rng.choices(choices, weights, k=count)
    rng.shuffle(values)
    return values


def _values(question: Question) -> list[Any]:
    return [c["value"] if isinstance(c, dict) else c for c in question.choices or []]


def _size_bucket(values: list[Any], employees: int) -> Any:
    """The choice ('5-19', '500+') that holds `employees`."""
    for value in values:
        match = re.fullmatch(r"(\d+)\s*(?:-\s*(\d+)|\+)", str(value))
        if match and int(match[1]) <= employees <= int(match[2] or 10**9):
            return value
    return None


@dataclass
class Respondent:
    """Who answers and what is known about them when the answers are made up."""

    mood: float  # 1-5: how the visit went for them
    planned: dict[str, Any]
    visit: Visit | None = None
    agreed_kinds: frozenset[str] = frozenset()


def answer_value(rng: random.Random, question: Question, who: Respondent) -> Any:
    """One answer to `question` by its kind and choices (see the module docstring)."""
    key, kind, values = question.key, question.kind, _values(question)
    if key in who.planned:
        planned = who.planned[key]
        # Choice questions take the planned value only if it is one of their choices.
        free = kind not in (Question.Kind.SINGLE, Question.Kind.MULTIPLE)
        if free or not values or planned in values:
            return planned
    numeric = bool(values) and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    if kind == Question.Kind.LIKERT or (
        kind == Question.Kind.SINGLE and numeric and len(values) > 2
    ):
        low, high = (min(values), max(values)) if numeric else (1, 5)
        centre = MEANS.get(key, who.mood)
        return max(low, min(high, round(rng.gauss(centre, 0.8))))
    if kind == Question.Kind.SINGLE:
        company = who.visit.company if who.visit else None
        if key == "respondent_role" and company and ROLES.get(company.contact_role) in values:
            return ROLES[company.contact_role] if rng.random() < 0.9 else rng.choice(values)
        if key == "company_size" and company:
            bucket = _size_bucket(values, company.employees)
            if bucket is not None:
                return bucket
        if key == "cancel_reason" and set(values) & set(CANCEL_REASONS):
            usable = [v for v in values if v in CANCEL_REASONS]
            return rng.choices(usable, [CANCEL_REASONS[v] for v in usable])[0]
        return rng.choice(values)
    if kind == Question.Kind.MULTIPLE:
        agreed = [v for v in values if v in who.agreed_kinds]
        if agreed:
            return agreed
        return rng.sample(values, rng.randint(1, min(2, len(values))))
    if kind == Question.Kind.YES_NO:
        yes = rng.random() < 0.7
        if len(values) == 2:
            return values[0] if yes else values[1]
        return yes
    if kind == Question.Kind.NUMBER:
        return rng.randint(0, 10)
    if rng.random() < 0.3:
        return rng.choice(LEARNING_POINTS if who.visit is None else COMMENTS)
    return ""


def answers_make(
    rng: random.Random, invitation: Invitation, questions: list[Question], who: Respondent
) -> list[Answer]:
    """Answer every question whose condition holds, in order."""
    given: dict[str, Any] = {}
    answers = []
    for question in questions:
        condition = question.condition
        if condition and given.get(condition["question"], object()) not in condition["in"]:
            continue
        value = answer_value(rng, question, who)
        given[question.key] = value
        answers.append(Answer(invitation=invitation, question=question, value=value))
    return answers


def _invite(
    rng: random.Random,
    *,
    survey: Survey,
    campaign: Campaign,
    email: str,
    created_at: datetime,
    answered: bool,
    **subject: Any,
) -> Invitation:
    opened = submitted = None
    if answered:
        day = next_working_day(created_at.date(), CALENDAR, after=rng.choice((0, 1, 1, 2, 4, 9)))
        submitted = at_working_time(rng, day, first=created_at.hour * 60 + 5)
        submitted = max(submitted, created_at + timedelta(minutes=5))
        opened = submitted - timedelta(minutes=rng.randint(3, 20))
    elif rng.random() < OPENED_SHARE:
        opened = created_at + timedelta(hours=rng.randint(1, 120))
    return Invitation(
        survey=survey,
        campaign=campaign,
        email=email,
        token_hash=token_hash(token_make(rng)),
        created_at=created_at,
        expires_at=created_at + EXPIRES_AFTER,
        opened_at=opened,
        submitted_at=submitted,
        **subject,
    )


def company_respondents(
    rng: random.Random,
    visits: list[Visit],
    agreed_kinds: dict[int, frozenset[str]],
    targets: Targets,
) -> dict[int, Respondent]:
    """Who answers the company survey, by id(visit): track 1 and track 2 firms whose visit was
    held, with the report's quotas shared out among them, and track 2 firms whose visit was
    cancelled."""
    held = {t: [v for v in visits if v.track == t and v.outcome_kind in HELD_KINDS] for t in Track}
    wanted = {
        Track.JOBSERVICE: targets.answers_track1,
        Track.JOBCENTRE: targets.answers_track2 - targets.answers_track2_cancelled,
    }
    respondents: dict[int, Respondent] = {}
    for track, count in wanted.items():
        chosen = rng.sample(held[track], min(count, len(held[track])))
        plans = {
            key: quota_values(rng, len(chosen), quota)
            for key, quota in COMPANY_QUOTAS[track].items()
        }
        satisfaction = plans.get("overall_satisfaction", [4] * len(chosen))
        moods = [float(value) + rng.uniform(-1, 1) for value in satisfaction]
        # Firms that liked the visit are the likelier to work with the jobcentre again, and
        # firms that made an agreement the likelier to say a follow-up was agreed: those
        # quotas' values go out in the order of these scores.
        scores = {
            "likely_cooperation": moods,
            "followup_agreed": [
                rng.random() + (1.0 if agreed_kinds.get(id(v.outcome)) else 0.0) for v in chosen
            ],
        }
        for key in sorted(scores.keys() & plans.keys()):
            ranked = sorted(range(len(chosen)), key=scores[key].__getitem__)
            for number, value in zip(ranked, sorted(plans[key]), strict=True):
                plans[key][number] = value
        for number, visit in enumerate(chosen):
            planned = {key: values[number] for key, values in plans.items()}
            planned[VISIT_HELD] = "held"
            respondents[id(visit)] = Respondent(
                mood=moods[number],
                planned=planned,
                visit=visit,
                agreed_kinds=agreed_kinds.get(id(visit.outcome), frozenset()),
            )
    cancelled = [v for v in visits if v.track == Track.JOBCENTRE and v.is_cancelled]
    for visit in rng.sample(cancelled, min(targets.answers_track2_cancelled, len(cancelled))):
        respondents[id(visit)] = Respondent(
            mood=3.0, planned={VISIT_HELD: "cancelled"}, visit=visit
        )
    return respondents


def surveys_create(
    rng: random.Random,
    *,
    campaign: Campaign,
    visits: list[Visit],
    sites: list[Site],
    consultants: list[Consultant],
    agreed_kinds: dict[int, frozenset[str]],
    targets: Targets,
) -> dict[str, int]:
    """Invitations for every visit, every local consultant and every participating
    jobcentre; the answered ones with their answers. `agreed_kinds` maps id(visit.outcome) to
    the agreement kinds made at it."""
    surveys = shipped_surveys_load()
    questions = {
        key: list(survey.questions.order_by("position")) for key, survey in surveys.items()
    }
    invitations: list[Invitation] = []
    pending: list[tuple[Invitation, list[Question], Respondent]] = []

    respondents = company_respondents(rng, visits, agreed_kinds, targets)
    for visit in visits:
        survey = surveys[COMPANY_SURVEYS[visit.track]]
        sent_on = next_working_day(visit.starts_at.date(), CALENDAR, after=1)
        who = respondents.get(id(visit))
        invitation = _invite(
            rng,
            survey=survey,
            campaign=campaign,
            email=visit.booking.contact_email,
            created_at=at(sent_on, 9 * 60 + rng.randint(0, 59)),
            answered=who is not None,
            booking=visit.booking,
        )
        invitations.append(invitation)
        if who is not None:
            pending.append((invitation, questions[survey.key], who))

    survey = surveys[CONSULTANT_SURVEY]
    answering = rng.sample(consultants, min(targets.consultant_answers, len(consultants)))
    plans = {
        key: quota_values(rng, len(answering), quota) for key, quota in CONSULTANT_QUOTAS.items()
    }
    planned_for = {
        consultant.pk: {key: values[number] for key, values in plans.items()}
        for number, consultant in enumerate(answering)
    }
    for consultant in consultants:
        planned = planned_for.get(consultant.pk)
        invitation = _invite(
            rng,
            survey=survey,
            campaign=campaign,
            email=consultant.email,
            created_at=at(CONSULTANT_SURVEY_SENT, 10 * 60),
            answered=planned is not None,
            consultant=consultant,
        )
        invitations.append(invitation)
        if planned is not None:
            mood = sum(planned.values()) / max(1, len(planned))
            pending.append((invitation, questions[survey.key], Respondent(mood, planned)))

    # The long-term follow-up the report advised, sent to each jobcentre in the autumn.
    survey = surveys[JOBCENTRE_SURVEY]
    for site in sites:
        answered = rng.random() < JOBCENTRE_ANSWER_SHARE
        invitation = _invite(
            rng,
            survey=survey,
            campaign=campaign,
            email=f"jobcenter@{site.domain}",
            created_at=at(JOBCENTRE_SURVEY_SENT, 10 * 60),
            answered=answered,
            jobcentre=site.jobcentre,
        )
        invitations.append(invitation)
        if answered:
            held = [v for v in visits if v.site is site and v.outcome_kind in HELD_KINDS]
            planned = {
                "firms_still_cooperating": round(len(held) * rng.uniform(0.2, 0.5)),
                "agreements_since": round(len(held) * rng.uniform(0.05, 0.3)),
                "job_orders_filled": round(len(held) * rng.uniform(0.02, 0.1)),
            }
            pending.append((invitation, questions[survey.key], Respondent(3.5, planned)))

    Invitation.objects.bulk_create(invitations)
    answers = []
    for invitation, survey_questions, who in pending:
        answers += answers_make(rng, invitation, survey_questions, who)
    Answer.objects.bulk_create(answers, batch_size=2000)
    return {"invitations": len(invitations), "answered": len(pending), "answers": len(answers)}
