"""The Django admin of consultants, campaign, bookings, surveys and notifications: every page
answers, the searches an agency person uses work, lists stay at a bounded number of queries,
answered surveys are read-only, and the audited models are registered with django-auditlog."""

from datetime import date, time, timedelta

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib import admin
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from bookings.models import (
    Agreement,
    AgreementKind,
    Attendee,
    Booking,
    BookingLink,
    BookingState,
    FollowUp,
    FollowUpKind,
    Outcome,
    OutcomeKind,
)
from campaign.calls import call_tallies_rebuild
from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Company,
    ImportBatch,
    Participation,
    PhonerFirms,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
    Track,
)
from campaign.validators import CVR_WEIGHTS
from common.tokens import token_hash
from consultants.models import (
    Absence,
    Consultant,
    Coordinator,
    Jobcentre,
    Municipality,
    WorkingHours,
)
from consultants.roles import Role
from notifications.models import Message
from reports.evaluation_snapshots import snapshot_compute
from reports.filters import ReportFilter
from reports.models import EvaluationSnapshot
from surveys.admin import LOCKED_MESSAGE
from surveys.models import Answer, Audience, Invitation, OptOut, Question, Survey

APPS = {"consultants", "campaign", "bookings", "surveys", "notifications", "reports"}
MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)
# Answers are the respondents' own, and the links of invitations and company links exist
# only in the mail that sent them (only their hash is stored): none can be added here. Outbox
# messages are written by the services only.
NOT_ADDABLE = {
    Invitation,
    Answer,
    BookingLink,
    ImportBatch,
    Message,
    CallAttempt,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
    PhonerFirms,
    EvaluationSnapshot,
}


def cvrs():
    """Valid CVR numbers (modulus 11), in order."""
    for n in range(1_000_000, 9_999_999):
        digits = str(n)
        total = sum(int(d) * w for d, w in zip(digits, CVR_WEIGHTS[:7], strict=True))
        check = -total % 11
        if check < 10:
            yield f"{digits}{check}"


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def campaign(db):
    return Campaign.objects.create(
        name="Virksomhedskampagnen 2015-16",
        starts_on=date(2015, 11, 1),
        ends_on=date(2016, 4, 1),
    )


@pytest.fixture
def jobcentre(reference):
    return Jobcentre.objects.get(name__icontains="Aarhus")


@pytest.fixture
def make_company(jobcentre):
    numbers = cvrs()

    def make(name: str = "Firma", **fields) -> Company:
        return Company.objects.create(
            cvr=next(numbers),
            name=name,
            employees=fields.pop("employees", 12),
            municipality=jobcentre.municipalities.first(),
            **fields,
        )

    return make


@pytest.fixture
def make_booking(campaign, jobcentre, make_company, make_user):
    phoner = make_user("phoner", Role.PHONER)
    start = timezone.make_aware(timezone.datetime(2016, 1, 4, 9))

    def make(n: int = 0, **fields) -> Booking:
        starts_at = start + timedelta(days=n)
        return Booking.objects.create(
            campaign=campaign,
            track=Track.JOBCENTRE,
            company=fields.pop("company", None) or make_company(f"Firma {n}"),
            jobcentre=jobcentre,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            booked_by=phoner,
            booked_at=starts_at - timedelta(days=20),
            **fields,
        )

    return make


@pytest.fixture
def consultant(jobcentre):
    return Consultant.objects.create(
        jobcentre=jobcentre, name="Karen Konsulent", email="karen@jobcenter.example"
    )


def attend(booking: Booking, consultant: Consultant, **fields) -> Attendee:
    return Attendee.objects.create(
        booking=booking,
        consultant=consultant,
        starts_at=booking.starts_at,
        blocked_until=booking.ends_at + timedelta(minutes=30),
        **fields,
    )


@pytest.fixture
def survey(db):
    survey = Survey.objects.create(
        key="company-after-visit",
        audience=Audience.COMPANY,
        track=Track.JOBCENTRE,
        title="Hvordan gik besøget?",
        title_en="How did the visit go?",
    )
    Question.objects.create(
        survey=survey,
        key="prepared",
        position=1,
        kind=Question.Kind.LIKERT,
        text="Konsulenten var godt forberedt",
        text_en="The consultant was well prepared",
    )
    return survey


def invite(survey: Survey, booking: Booking, token: str = "invitation") -> Invitation:  # noqa: S107
    return Invitation.objects.create(
        survey=survey,
        campaign=booking.campaign,
        booking=booking,
        email="hr@firma.example",
        token_hash=token_hash(token),
        created_at=booking.ends_at,
        expires_at=booking.ends_at + timedelta(days=30),
    )


@pytest.fixture
def world(make_booking, consultant, survey, make_user):
    """One row of every model of the six apps."""
    booking = make_booking()
    campaign = booking.campaign
    user = make_user("koordinator", Role.COORDINATOR)
    Coordinator.objects.create(user=user, jobcentre=booking.jobcentre)
    WorkingHours.objects.create(
        consultant=consultant, weekday=0, starts_at=time(8), ends_at=time(16)
    )
    Absence.objects.create(
        consultant=consultant,
        starts_at=booking.starts_at + timedelta(days=7),
        ends_at=booking.starts_at + timedelta(days=14),
    )
    Participation.objects.create(campaign=campaign, jobcentre=booking.jobcentre, quota=40)
    script = CallScript.objects.create(
        campaign=campaign, track=Track.JOBCENTRE, version=1, body="Goddag, ..."
    )
    call_list = CallList.objects.create(
        campaign=campaign, jobcentre=booking.jobcentre, track=Track.JOBCENTRE
    )
    entry = CallListEntry.objects.create(call_list=call_list, company=booking.company)
    CallAttempt.objects.create(
        entry=entry,
        phoner=booking.booked_by,
        script=script,
        outcome=CallAttempt.Outcome.BOOKED,
        called_at=booking.booked_at,
    )
    call_tallies_rebuild()
    attend(booking, consultant)
    outcome = Outcome.objects.create(
        booking=booking, kind=OutcomeKind.HELD, registered_at=booking.ends_at
    )
    Agreement.objects.create(outcome=outcome, kind=AgreementKind.INTERNSHIP)
    FollowUp.objects.create(
        outcome=outcome,
        kind=FollowUpKind.CANDIDATES,
        owner=consultant,
        due_on=booking.starts_at.date() + timedelta(days=14),
    )
    invitation = invite(survey, booking)
    BookingLink.objects.create(
        booking=booking,
        token_hash=token_hash("link"),
        expires_at=booking.starts_at,
    )
    Answer.objects.create(invitation=invitation, question=survey.questions.get(), value=5)
    OptOut.objects.create(email="nej@firma.example")
    ImportBatch.objects.create(
        campaign=campaign,
        track=Track.JOBCENTRE,
        uploaded_by=booking.booked_by,
        filename="firmaer.csv",
        content=b"cvr;navn\n",
    )
    Message.objects.create(
        key=f"booking:{booking.pk}:test",
        kind="test",
        subject_ref=f"booking:{booking.pk}",
        to_email="hr@firma.example",
        due_at=booking.booked_at,
    )
    snapshot_compute(ReportFilter(campaign=campaign), user=user)
    return booking


def test_every_model_of_the_six_apps_is_registered():
    from django.apps import apps

    models = {model for label in APPS for model in apps.get_app_config(label).get_models()}
    assert models == set(MODELS)


def test_admin_index_and_app_pages_answer(admin_client):
    assert admin_client.get(reverse("admin:index")).status_code == 200
    for label in APPS:
        assert admin_client.get(reverse("admin:app_list", args=[label])).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label_lower)
def test_changelist_and_add_page_answer(admin_client, world, model):
    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "changelist"), {"q": "1"}).status_code == 200
    expected = 403 if model in NOT_ADDABLE else 200
    assert admin_client.get(url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label_lower)
def test_change_page_answers(admin_client, world, model):
    obj = model.objects.order_by("pk").first()
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


def test_company_search_by_cvr(admin_client, make_company):
    wanted = make_company("Vindmøllefabrikken A/S")
    other = make_company("Bageriet ApS")

    response = admin_client.get(url(Company, "changelist"), {"q": wanted.cvr})

    assert response.status_code == 200
    found = list(response.context["cl"].result_list)
    assert found == [wanted]
    assert other not in found


def test_booking_search_by_cvr_and_consultant(admin_client, make_booking, consultant):
    visited = make_booking(1)
    attend(visited, consultant)
    attend(make_booking(2), consultant, is_active=False)
    make_booking(3)

    by_cvr = admin_client.get(url(Booking, "changelist"), {"q": visited.company.cvr})
    by_name = admin_client.get(url(Booking, "changelist"), {"q": "karen konsulent"})
    by_email = admin_client.get(url(Booking, "changelist"), {"q": "karen@jobcenter"})

    assert list(by_cvr.context["cl"].result_list) == [visited]
    assert len(by_name.context["cl"].result_list) == 2
    assert len(by_email.context["cl"].result_list) == 2


@pytest.mark.parametrize("bookings", [1, 30])
def test_booking_changelist_queries_are_bounded(
    admin_client, make_booking, consultant, django_assert_max_num_queries, bookings
):
    for n in range(bookings):
        attend(make_booking(n), consultant)

    with django_assert_max_num_queries(15):
        response = admin_client.get(url(Booking, "changelist"))

    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == bookings


def test_booking_change_page_queries_are_bounded(
    admin_client, make_booking, consultant, django_assert_max_num_queries
):
    booking = make_booking()
    attend(booking, consultant)

    with django_assert_max_num_queries(30):
        response = admin_client.get(url(Booking, "change", booking.pk))

    assert response.status_code == 200


@pytest.mark.parametrize("jobcentres", [1, 60])
def test_campaign_participations_cost_no_query_per_row(
    admin_client, reference, campaign, django_assert_max_num_queries, jobcentres
):
    for jobcentre in Jobcentre.objects.all()[:jobcentres]:
        Participation.objects.create(campaign=campaign, jobcentre=jobcentre, quota=20)

    with django_assert_max_num_queries(15):
        response = admin_client.get(url(Campaign, "change", campaign.pk))

    assert response.status_code == 200


def test_call_list_links_to_its_entries(admin_client, campaign, jobcentre, make_company):
    call_list = CallList.objects.create(campaign=campaign, jobcentre=jobcentre, track="2")
    for n in range(3):
        CallListEntry.objects.create(call_list=call_list, company=make_company(f"F{n}"))
    other = CallList.objects.create(campaign=campaign, jobcentre=jobcentre, track="1")
    CallListEntry.objects.create(call_list=other, company=make_company("Anden"))

    page = admin_client.get(url(CallList, "change", call_list.pk))
    entries = admin_client.get(
        url(CallListEntry, "changelist"), {"call_list__id__exact": call_list.pk}
    )

    assert f"call_list__id__exact={call_list.pk}" in page.content.decode()
    assert len(entries.context["cl"].result_list) == 3


def test_approve_action_is_audited(admin_client, campaign, jobcentre, make_company):
    call_list = CallList.objects.create(campaign=campaign, jobcentre=jobcentre, track="2")
    entry = CallListEntry.objects.create(call_list=call_list, company=make_company())

    admin_client.post(
        url(CallListEntry, "changelist"),
        {"action": "approve", "_selected_action": [entry.pk]},
    )

    entry.refresh_from_db()
    assert entry.vetting == CallListEntry.Vetting.APPROVED
    assert LogEntry.objects.get_for_object(entry).filter(action=LogEntry.Action.UPDATE).exists()


def test_double_booking_is_a_form_error(admin_client, make_booking, consultant):
    first = make_booking(0)
    attend(first, consultant)
    second = make_booking(0, company=None)  # same time, another firm

    response = admin_client.post(
        url(Attendee, "add"),
        {
            "booking": second.pk,
            "consultant": consultant.pk,
            "role": Attendee.Role.LOCAL,
            "starts_at_0": timezone.localtime(second.starts_at).strftime("%Y-%m-%d"),
            "starts_at_1": timezone.localtime(second.starts_at).strftime("%H:%M:%S"),
            "blocked_until_0": timezone.localtime(second.ends_at).strftime("%Y-%m-%d"),
            "blocked_until_1": timezone.localtime(second.ends_at).strftime("%H:%M:%S"),
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not second.attendees.exists()


def test_outcome_sets_the_booking_state(admin_client, make_booking):
    booking = make_booking()
    registered = timezone.localtime(booking.ends_at)
    inlines = {
        f"{prefix}-{key}": value
        for prefix in ("agreements", "followups")
        for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
    }

    response = admin_client.post(
        url(Outcome, "add"),
        {
            "booking": booking.pk,
            "kind": OutcomeKind.HELD_SHORT,
            "registered_at_0": registered.strftime("%Y-%m-%d"),
            "registered_at_1": registered.strftime("%H:%M:%S"),
            **inlines,
        },
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == BookingState.HELD_SHORT
    assert booking.sequence == 1


def test_survey_without_answers_is_editable(admin_client, survey):
    response = admin_client.get(url(Survey, "change", survey.pk))

    assert 'name="title"' in response.content.decode()
    assert 'name="questions-0-text"' in response.content.decode()


def test_survey_with_answers_is_read_only(admin_client, survey, make_booking):
    invitation = invite(survey, make_booking())
    Answer.objects.create(invitation=invitation, question=survey.questions.get(), value=4)
    change = url(Survey, "change", survey.pk)

    page = admin_client.get(change)
    post = admin_client.post(change, {"key": survey.key, "version": 1, "title": "Ændret"})
    question_page = admin_client.get(url(Question, "change", survey.questions.get().pk))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="title"' not in html
    assert 'name="questions-0-text"' not in html
    assert survey.title in html
    assert any(m.message == LOCKED_MESSAGE for m in get_messages(page.wsgi_request))
    assert post.status_code == 403
    assert 'name="text"' not in question_page.content.decode()
    survey.refresh_from_db()
    assert survey.title == "Hvordan gik besøget?"


def test_new_version_copies_the_survey_and_its_questions(admin_client, survey):
    response = admin_client.post(
        url(Survey, "changelist"), {"action": "new_version", "_selected_action": [survey.pk]}
    )

    assert response.status_code == 302
    copy = Survey.objects.get(key=survey.key, version=2)
    assert copy.title == survey.title
    assert list(copy.questions.values_list("key", flat=True)) == ["prepared"]


def test_invitation_token_hash_is_read_only(admin_client, survey, make_booking):
    invitation = invite(survey, make_booking(), token="hemmelig")

    html = admin_client.get(url(Invitation, "change", invitation.pk)).content.decode()

    assert invitation.token_hash in html
    assert 'name="token_hash"' not in html
    assert 'name="email"' in html


@pytest.mark.parametrize(
    "model",
    [
        Booking,
        Attendee,
        Outcome,
        Agreement,
        FollowUp,
        Company,
        CallListEntry,
        Participation,
        Consultant,
        WorkingHours,
        Absence,
    ],
    ids=lambda model: model._meta.label_lower,
)
def test_audited_models_are_registered_with_auditlog(model):
    assert auditlog.contains(model)


def test_municipalities_are_read_only_on_the_jobcentre(admin_client, jobcentre):
    html = admin_client.get(url(Jobcentre, "change", jobcentre.pk)).content.decode()

    assert jobcentre.municipalities.first().name in html
    assert 'name="municipalities-0-name"' not in html
    assert Municipality.objects.filter(jobcentre=jobcentre).exists()


def test_booking_link_token_hash_is_read_only_and_links_can_be_revoked(admin_client, make_booking):
    link = BookingLink.objects.create(
        booking=make_booking(), token_hash=token_hash("selvbetjening"), expires_at=timezone.now()
    )

    html = admin_client.get(url(BookingLink, "change", link.pk)).content.decode()
    admin_client.post(
        url(BookingLink, "changelist"), {"action": "revoke", "_selected_action": [link.pk]}
    )

    assert link.token_hash in html
    assert 'name="token_hash"' not in html
    link.refresh_from_db()
    assert link.revoked_at is not None
