"""Who is invited to which survey and when (surveys/invitations.py), and what the e-mails say
(surveys/renderers.py): the company's survey after its visit (held, or the cancelled-visit
part), one reminder, the opt-out; the consultants' evaluation when the campaign ends; the
jobcentres' long-term questionnaire months later. Rendering drops what no longer matters."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from bookings.models import Attendee
from bookings.outcomes import outcome_register
from bookings.services import booking_create
from bookings.tests.conftest import NOW, at, working_hours
from campaign.models import Participation, Track
from common.tokens import token_hash
from consultants.models import Coordinator, Jobcentre
from consultants.roles import Role
from notifications.models import Message
from notifications.registry import render
from surveys.invitations import add_months, campaign_surveys_invite
from surveys.models import Invitation, OptOut
from surveys.shipped import shipped_surveys_load
from tests.factories import CampaignFactory, CompanyFactory, ConsultantFactory

VISIT = at(14, 10)  # Monday 14 December 2026, 10:00; booked Monday 7th
REGISTERED = at(14, 12)
PENDING = Message.State.PENDING


@pytest.fixture(autouse=True)
def surveys(db):
    return shipped_surveys_load()


@pytest.fixture
def jobcentre(reference):
    return Jobcentre.objects.get(name="Jobcenter København")


@pytest.fixture
def campaign(jobcentre):
    campaign = CampaignFactory(starts_on=dt.date(2026, 11, 1), ends_on=dt.date(2027, 4, 1))
    Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=100, accepted_at=NOW)
    return campaign


@pytest.fixture
def company():
    return CompanyFactory(email="ejer@firma.invalid", contact_name="Lone Hansen")


@pytest.fixture
def consultant(jobcentre):
    return working_hours(ConsultantFactory(jobcentre=jobcentre, email="kon@kk.invalid"))


@pytest.fixture
def coordinator(make_user, jobcentre):
    user = make_user("koordinator", Role.COORDINATOR, email="koordinator@kk.invalid")
    Coordinator.objects.create(user=user, jobcentre=jobcentre)
    return user


def book(campaign, company, start=VISIT, track=Track.JOBCENTRE):
    return booking_create(
        actor=None, campaign=campaign, company=company, track=track, starts_at=start, now=NOW
    )


def register(booking, actor, kind="held", **kwargs):
    with time_machine.travel(REGISTERED, tick=False):
        return outcome_register(actor=actor, booking=booking, kind=kind, now=REGISTERED, **kwargs)


def survey_rows(invitation):
    return {
        m.kind: m
        for m in Message.objects.filter(
            key__startswith=f"invitation:{invitation.pk}:", state=PENDING
        )
    }


def test_a_held_visit_invites_the_company_the_next_working_day_and_reminds_once(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)
    register(booking, coordinator)

    invitation = Invitation.objects.get(booking=booking)
    assert invitation.survey.key == "company-track-2"
    assert invitation.email == "ejer@firma.invalid"
    assert invitation.expires_at == REGISTERED + dt.timedelta(days=30)
    assert not invitation.answers.exists()
    rows = survey_rows(invitation)
    assert set(rows) == {"survey-invitation", "survey-reminder"}
    assert rows["survey-invitation"].due_at == at(15, 9)  # Tuesday, 09:00
    assert rows["survey-reminder"].due_at == at(22, 9)  # a week later
    assert {m.to_email for m in rows.values()} == {"ejer@firma.invalid"}
    assert {m.subject_ref for m in rows.values()} == {f"booking:{booking.pk}"}  # its timeline
    # The token in the link is the invitation's, kept in clear only in the outbox rows.
    token = rows["survey-invitation"].context["token"]
    assert token_hash(token) == invitation.token_hash
    assert len(token) >= 43  # 256 bits, URL-safe base64


def test_track_1_visits_get_the_track_1_survey(
    campaign, company, consultant, coordinator, reference
):
    rep = working_hours(
        ConsultantFactory(jobcentre=None, kind="jobservice", email="jsd@jsd.invalid")
    )
    assert rep.pk
    company.employees = 250
    company.save()
    booking = book(campaign, company, track=Track.JOBSERVICE)
    register(booking, coordinator)
    assert Invitation.objects.get(booking=booking).survey.key == "company-track-1"


@pytest.mark.parametrize("kind", ["cancelled_company", "no_show_company", "no_show_consultant"])
def test_a_visit_that_did_not_take_place_opens_the_short_cancelled_part(
    campaign, company, consultant, coordinator, kind
):
    company.language = "en"
    company.save()
    booking = book(campaign, company)
    extra = {"reason": "Travlhed"} if kind == "cancelled_company" else {}
    register(booking, coordinator, kind=kind, **extra)

    invitation = Invitation.objects.get(booking=booking)
    assert list(invitation.answers.values_list("question__key", "value")) == [
        ("visit_held", "cancelled")
    ]
    email = render(survey_rows(invitation)["survey-invitation"])
    assert "did not take place" in email.text


def test_the_invitation_renders_with_the_visit_links_and_one_click_opt_out(
    campaign, company, consultant, coordinator, settings
):
    settings.SITE_URL = "https://visitbook.example"
    booking = book(campaign, company)
    register(booking, coordinator)
    invitation = Invitation.objects.get(booking=booking)
    message = survey_rows(invitation)["survey-invitation"]
    token = message.context["token"]

    email = render(message)

    assert f"https://visitbook.example/survey/{token}/" in email.text
    assert f"https://visitbook.example/survey/{token}/" in email.html
    assert consultant.name in email.text
    headers = dict(email.headers)
    assert headers["List-Unsubscribe"] == f"<https://visitbook.example/survey/{token}/opt-out/>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Jobcenter København" in email.subject


def test_the_company_hears_in_its_own_language(campaign, company, consultant, coordinator):
    company.language = "en"
    company.save()
    booking = book(campaign, company)
    register(booking, coordinator)
    message = survey_rows(Invitation.objects.get(booking=booking))["survey-invitation"]
    assert message.language == "en"
    assert render(message).subject == "How was your meeting with Jobcenter København?"


def test_answering_or_opting_out_or_expiry_drops_the_pending_mail(
    campaign, company, consultant, coordinator
):
    first = book(campaign, company)
    register(first, coordinator)
    invitation = Invitation.objects.get(booking=first)
    rows = survey_rows(invitation)
    assert render(rows["survey-reminder"]) is not None

    invitation.submitted_at = REGISTERED + dt.timedelta(days=1)
    invitation.save()
    assert render(rows["survey-reminder"]) is None

    invitation.submitted_at = None
    invitation.save()
    OptOut.objects.create(email="EJER@firma.invalid")
    assert render(rows["survey-reminder"]) is None

    OptOut.objects.all().delete()
    with time_machine.travel(invitation.expires_at + dt.timedelta(minutes=1)):
        assert render(rows["survey-reminder"]) is None


def test_an_address_that_opted_out_is_not_invited(campaign, company, consultant, coordinator):
    OptOut.objects.create(email="ejer@firma.invalid")
    booking = book(campaign, company)
    register(booking, coordinator)
    assert not Invitation.objects.filter(booking=booking).exists()


def test_the_campaign_switch_and_delays_are_kept(campaign, company, consultant, coordinator):
    campaign.survey_reminder_days = 3
    campaign.survey_link_days = 10
    campaign.save()
    booking = book(campaign, company)
    register(booking, coordinator)
    invitation = Invitation.objects.get(booking=booking)
    assert invitation.expires_at == REGISTERED + dt.timedelta(days=10)
    assert survey_rows(invitation)["survey-reminder"].due_at == at(18, 9)

    campaign.company_survey_enabled = False
    campaign.save()
    other = book(campaign, CompanyFactory(email="b@firma.invalid"), start=at(14, 13))
    with time_machine.travel(at(14, 15), tick=False):
        outcome_register(actor=coordinator, booking=other, kind="held", now=at(14, 15))
    assert not Invitation.objects.filter(booking=other).exists()


def test_a_rolled_back_registration_invites_nobody(campaign, company, consultant, coordinator):
    booking = book(campaign, company)
    with pytest.raises(RuntimeError), transaction.atomic():
        register(booking, coordinator)
        raise RuntimeError("undo")
    assert not Invitation.objects.exists()
    assert not Message.objects.filter(kind__startswith="survey-").exists()


# --- After the campaign ----------------------------------------------------------------------


@pytest.fixture
def ended(campaign, company, consultant, coordinator, jobcentre):
    """The campaign with one held visit of `consultant`, a second consultant with none, and a
    consultant whose only visit was cancelled; it ends on 1 April 2027."""
    register(book(campaign, company), coordinator)
    ConsultantFactory(jobcentre=jobcentre, email="ingen@kk.invalid")
    return campaign


def test_consultants_with_visits_are_invited_the_day_after_the_campaign_ends(ended, consultant):
    assert campaign_surveys_invite(now=at(1, 12, month=4, year=2027))["survey-consultant"] == 0

    morning = at(2, 3, month=4, year=2027)
    counts = campaign_surveys_invite(now=morning)

    assert counts == {"survey-consultant": 1, "survey-jobcentre": 0}
    invitation = Invitation.objects.get(survey__key="consultant-campaign")
    assert invitation.consultant == consultant
    assert invitation.email == "kon@kk.invalid"
    [message] = survey_rows(invitation).values()
    assert message.kind == "survey-consultant"
    assert message.due_at == at(2, 8, month=4, year=2027)
    email = render(message)
    assert f"/survey/mine/{invitation.pk}/" in email.text
    assert "token" not in message.context  # consultants answer logged in

    # Once per campaign, however often the sweep runs.
    assert campaign_surveys_invite(now=morning + dt.timedelta(hours=1))["survey-consultant"] == 0
    assert Invitation.objects.filter(survey__key="consultant-campaign").count() == 1


def test_the_consultant_survey_can_be_switched_off(ended):
    ended.consultant_survey_enabled = False
    ended.save()
    assert campaign_surveys_invite(now=at(3, 9, month=4, year=2027))["survey-consultant"] == 0


def test_jobcentres_get_the_long_term_questionnaire_months_later(ended, jobcentre, coordinator):
    assert add_months(dt.date(2027, 4, 1), 6) == dt.date(2027, 10, 1)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert campaign_surveys_invite(now=at(30, 12, month=9, year=2027))["survey-jobcentre"] == 0

    counts = campaign_surveys_invite(now=at(1, 6, month=10, year=2027))

    assert counts["survey-jobcentre"] == 1
    invitation = Invitation.objects.get(survey__key="jobcentre-followup")
    assert invitation.jobcentre == jobcentre
    # The jobcentre has no address of its own in the reference data: its coordinator's.
    assert invitation.email == (jobcentre.email or "koordinator@kk.invalid")
    [message] = survey_rows(invitation).values()
    assert message.due_at == at(1, 8, month=10, year=2027)
    assert token_hash(message.context["token"]) == invitation.token_hash
    assert "Jobcenter København" in render(message).text
    assert campaign_surveys_invite(now=at(2, 6, month=10, year=2027))["survey-jobcentre"] == 0


def test_no_jobcentre_questionnaire_when_months_is_zero(ended):
    ended.jobcentre_survey_months = 0
    ended.save()
    assert campaign_surveys_invite(now=at(1, 6, month=4, year=2028))["survey-jobcentre"] == 0


def test_a_consultant_taken_off_their_only_visit_is_not_invited(
    campaign, company, consultant, coordinator
):
    booking = book(campaign, company)
    Attendee.objects.filter(booking=booking).update(is_active=False)
    assert campaign_surveys_invite(now=at(2, 9, month=4, year=2027))["survey-consultant"] == 0
