"""Fixtures for answering surveys: the shipped surveys, invitations with their tokens about a
visit, a consultant or a jobcentre, and anonymous browsers with their own address."""

import datetime as dt
import ipaddress
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from common.tokens import new_token, token_hash
from consultants.models import Jobcentre
from surveys.models import Answer, Invitation, Question, Survey
from surveys.shipped import shipped_surveys_load
from tests.factories import AttendeeFactory, BookingFactory, CampaignFactory, ConsultantFactory

FORGED = "x" * 43
JOBCENTRE = "Jobcenter København"
CONSULTANT = "Mette Konsulent"
COMPANY = "Bageriet Solsikke ApS"


def fresh_address() -> str:
    """An address no other test (or earlier run) has used: 2001:db8::/32 is for examples."""
    return str(ipaddress.IPv6Address((0x20010DB8 << 96) | (uuid.uuid4().int >> 32)))


def tampered(token: str) -> str:
    """The token with its last character changed."""
    return token[:-1] + ("A" if token[-1] != "A" else "B")


@pytest.fixture
def visitor(db):
    """An anonymous browser with its own address (its own rate-limit budget in the shared
    Redis), reading English."""
    return Client(REMOTE_ADDR=fresh_address(), HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def danish_visitor(db):
    return Client(REMOTE_ADDR=fresh_address())


@pytest.fixture
def surveys(db):
    """The shipped surveys: {key: Survey}."""
    return shipped_surveys_load()


@pytest.fixture
def campaign(db):
    return CampaignFactory(name="Virksomhedskampagnen 2026")


@pytest.fixture
def visit(reference, campaign):
    """A visit at a company in Copenhagen held by Mette Konsulent, a week ahead."""
    booking = BookingFactory(
        campaign=campaign,
        company__name=COMPANY,
        jobcentre=Jobcentre.objects.get(name=JOBCENTRE),
        starts_at=timezone.now().replace(hour=10, minute=0, second=0, microsecond=0)
        - dt.timedelta(days=3),
    )
    consultant = ConsultantFactory(name=CONSULTANT, jobcentre=booking.jobcentre)
    AttendeeFactory(booking=booking, consultant=consultant)
    return booking


@pytest.fixture
def invite(campaign):
    """invite(survey, booking=..., consultant=..., jobcentre=..., answers={...}, days=30)
    -> (invitation, token). days < 0 makes an expired invitation."""

    def make(survey: Survey, *, days: int = 30, answers: dict | None = None, **subject):
        token = new_token()
        now = timezone.now()
        invitation = Invitation.objects.create(
            survey=survey,
            campaign=subject.pop("campaign", campaign),
            email=subject.pop("email", "Ejer@Firma.invalid"),
            token_hash=token_hash(token),
            created_at=now - dt.timedelta(days=1),
            expires_at=now + dt.timedelta(days=days),
            **subject,
        )
        for key, value in (answers or {}).items():
            Answer.objects.create(
                invitation=invitation, question=survey.questions.get(key=key), value=value
            )
        return invitation, token

    return make


@pytest.fixture
def company_invitation(surveys, visit, invite):
    """A company's invitation to the track-2 survey about the visit, and its token."""
    return invite(surveys["company-track-2"], booking=visit)


def saved(invitation: Invitation) -> dict:
    return dict(invitation.answers.values_list("question__key", "value"))


def small_survey(**fields) -> Survey:
    """A hand-built survey with one question of each kind; `number` and `comments` show only
    when `pick` includes "b"; `detail` only when `agree` is yes."""
    survey = Survey.objects.create(
        key=fields.pop("key", f"small-{uuid.uuid4().hex[:8]}"),
        audience=fields.pop("audience", "consultant"),
        title="Lille undersøgelse",
        title_en="Small survey",
        intro="Tak fordi du svarer.",
        intro_en="Thank you for answering.",
        **fields,
    )
    ends = [{"value": 1, "da": "Dårligt", "en": "Poor"}, {"value": 5, "da": "Godt", "en": "Good"}]
    picks = [{"value": v, "da": v.upper(), "en": v.upper()} for v in ("a", "b", "c")]
    rows = [
        ("rating", "likert", True, ends, None),
        ("pick", "multiple", False, picks, None),
        ("count", "number", False, [], {"question": "pick", "in": ["b"]}),
        ("agree", "yes_no", False, [], None),
        ("detail", "text", True, [], {"question": "agree", "in": [True]}),
    ]
    Question.objects.bulk_create(
        Question(
            survey=survey,
            key=key,
            position=i,
            kind=kind,
            text=f"Spørgsmål {key}",
            text_en=f"Question {key}",
            required=required,
            choices=choices,
            condition=condition,
        )
        for i, (key, kind, required, choices, condition) in enumerate(rows, start=1)
    )
    return survey
