"""A new survey version: a copy of a version with its questions as the key's next version,
made by the service, the admin action and the API alike; the version copied is untouched."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from consultants.roles import Role
from surveys.definitions import survey_version_create
from surveys.models import Answer, Invitation, Question, Survey
from surveys.shipped import shipped_surveys_load
from tests.factories import BookingFactory, CampaignFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def track2(db):
    return shipped_surveys_load()["company-track-2"]


def definition(survey: Survey) -> list[tuple]:
    return list(
        survey.questions.order_by("position").values_list(
            "key", "position", "kind", "text", "text_en", "required", "choices", "condition"
        )
    )


def answer(survey: Survey) -> Answer:
    booking = BookingFactory(campaign=CampaignFactory())
    invitation = Invitation.objects.create(
        survey=survey,
        campaign=booking.campaign,
        booking=booking,
        email="hr@firma.invalid",
        token_hash="a" * 64,
        created_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=30),
        submitted_at=timezone.now(),
    )
    return Answer.objects.create(
        invitation=invitation, question=survey.questions.get(key="overall_satisfaction"), value=4
    )


def test_the_copy_is_the_next_version_with_the_same_questions(track2):
    before = definition(track2)
    copy = survey_version_create(source=track2)
    assert (copy.key, copy.version) == ("company-track-2", 2)
    assert (copy.audience, copy.track, copy.title, copy.intro_en) == (
        track2.audience,
        track2.track,
        track2.title,
        track2.intro_en,
    )
    assert definition(copy) == before
    assert definition(track2) == before
    assert not set(copy.questions.values_list("pk", flat=True)) & set(
        track2.questions.values_list("pk", flat=True)
    )


def test_copying_an_older_version_numbers_the_copy_after_the_newest(track2):
    survey_version_create(source=track2)
    third = survey_version_create(source=track2)
    assert third.version == 3
    assert list(Survey.objects.filter(key=track2.key).values_list("version", flat=True)) == [
        3,
        2,
        1,
    ]


def test_the_admin_action_makes_the_next_version_of_each_key(admin_client, track2):
    track1 = Survey.objects.get(key="company-track-1")
    second = survey_version_create(source=track2)
    response = admin_client.post(
        reverse("admin:surveys_survey_changelist"),
        {"action": "new_version", "_selected_action": [track2.pk, second.pk, track1.pk]},
        follow=True,
    )
    assert response.status_code == 200
    # Of two selected versions of one key, the newest is copied; one copy per key.
    newest = Survey.objects.get(key=track2.key, version=3)
    assert definition(newest) == definition(second)
    assert Survey.objects.filter(key=track1.key).count() == 2


def test_the_api_makes_version_n_plus_1_and_leaves_the_answered_one_alone(
    client, reference, make_user, track2
):
    given = answer(track2)
    before = definition(track2)
    question_ids = set(track2.questions.values_list("pk", flat=True))
    client.force_login(make_user("agency", Role.AGENCY))

    response = client.post(reverse("api-survey-new-version", kwargs={"pk": track2.pk}))

    assert response.status_code == 201
    body = response.json()
    assert (body["key"], body["version"], body["has_answers"]) == ("company-track-2", 2, False)
    copy = Survey.objects.get(pk=body["id"])
    assert [q["key"] for q in body["questions"]] == [row[0] for row in before]
    assert definition(copy) == before
    track2.refresh_from_db()
    assert definition(track2) == before
    assert set(track2.questions.values_list("pk", flat=True)) == question_ids
    given.refresh_from_db()
    assert (given.question.survey_id, given.value) == (track2.pk, 4)

    detail = client.get(reverse("api-survey-detail", kwargs={"pk": track2.pk})).json()
    assert (detail["version"], detail["has_answers"]) == (1, True)


def test_the_api_answers_404_for_an_unknown_survey(client, make_user, track2):
    client.force_login(make_user("agency", Role.AGENCY))
    response = client.post(reverse("api-survey-new-version", kwargs={"pk": track2.pk + 1000}))
    assert response.status_code == 404
    assert Survey.objects.filter(key=track2.key).count() == 1


@pytest.mark.parametrize("role", [Role.PHONER, Role.CONSULTANT, Role.COORDINATOR])
def test_only_agency_staff_make_versions(client, make_user, track2, role):
    client.force_login(make_user("someone", role))
    response = client.post(reverse("api-survey-new-version", kwargs={"pk": track2.pk}))
    assert response.status_code == 403
    assert Survey.objects.filter(key=track2.key).count() == 1


def test_anonymous_callers_are_refused(client, track2):
    response = client.post(reverse("api-survey-new-version", kwargs={"pk": track2.pk}))
    assert response.status_code in (401, 403)
    assert Survey.objects.filter(key=track2.key).count() == 1


def test_the_definitions_list_has_every_version_with_its_questions(client, make_user, track2):
    survey_version_create(source=track2)
    client.force_login(make_user("agency", Role.AGENCY))
    body = client.get(reverse("api-survey-list"), {"key": "company-track-2"}).json()
    assert [(s["key"], s["version"]) for s in body["results"]] == [
        ("company-track-2", 2),
        ("company-track-2", 1),
    ]
    questions = body["results"][0]["questions"]
    assert [q["position"] for q in questions] == list(range(1, len(questions) + 1))
    assert questions[0] == {
        "id": Question.objects.get(survey__version=2, survey__key=track2.key, position=1).pk,
        "key": "visit_held",
        "position": 1,
        "kind": "single",
        "text": "Blev mødet afholdt?",
        "text_en": "Did the meeting take place?",
        "required": True,
        "choices": questions[0]["choices"],
        "condition": None,
    }
    everything = client.get(reverse("api-survey-list")).json()
    assert everything["count"] == 5  # four shipped surveys and the copy
