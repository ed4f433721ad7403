"""Answering a survey through the API at /api/v1/survey-responses/<token>/: no log-in, the
same rules as the pages."""

import pytest
from django.test import Client
from django.utils.html import escape

from surveys.models import OptOut
from surveys.queries import is_opted_out
from surveys.services import response_submit
from surveys.tests.conftest import (
    COMPANY,
    CONSULTANT,
    FORGED,
    JOBCENTRE,
    fresh_address,
    saved,
    tampered,
)

pytestmark = pytest.mark.django_db


def api(token, action=""):
    return f"/api/v1/survey-responses/{token}/{action + '/' if action else ''}"


def patch(client, token, answers):
    return client.patch(
        api(token, "answers"), {"answers": answers}, content_type="application/json"
    )


def keys(response) -> list[str]:
    return [q["key"] for q in response.json()["questions"]]


def test_get_shows_the_survey_the_visible_questions_and_the_saved_answers(
    visitor, surveys, visit, invite
):
    invitation, token = invite(
        surveys["company-track-2"], booking=visit, answers={"visit_held": "held"}
    )
    response = visitor.get(api(token))
    assert response.status_code == 200
    body = response.json()
    assert body["survey"]["title"] == invitation.survey.title_en
    assert body["state"] == "open"
    assert body["answers"] == {"visit_held": "held"}
    assert body["subject"]["kind"] == "visit"
    assert body["subject"]["consultants"] == [CONSULTANT]
    assert body["subject"]["jobcentre"] == JOBCENTRE
    assert "prepared" in keys(response) and "cancel_reason" not in keys(response)
    visit_held = body["questions"][0]
    assert visit_held["kind"] == "single" and visit_held["required"] is True
    assert visit_held["text"] == "Did the meeting take place?"
    assert visit_held["choices"][0] == {"value": "held", "label": "Yes, the meeting took place"}
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "no-referrer"
    invitation.refresh_from_db()
    assert invitation.opened_at is not None


def test_texts_come_in_danish_by_default(danish_visitor, company_invitation):
    invitation, token = company_invitation
    body = danish_visitor.get(api(token)).json()
    assert body["survey"]["title"] == invitation.survey.title
    assert body["questions"][0]["choices"][0]["label"] == "Ja, mødet blev afholdt"


def test_patch_saves_and_answers_with_the_questions_now_shown(visitor, company_invitation):
    invitation, token = company_invitation
    response = patch(visitor, token, {"visit_held": "cancelled", "cancel_reason": "busy"})
    assert response.status_code == 200
    assert "cancel_reason" in keys(response) and "prepared" not in keys(response)
    assert response.json()["answers"] == {"visit_held": "cancelled", "cancel_reason": "busy"}

    response = patch(visitor, token, {"visit_held": "held", "prepared": 4})
    assert "cancel_reason" not in keys(response)
    assert saved(invitation) == {"visit_held": "held", "prepared": 4}

    response = patch(visitor, token, {"prepared": None})
    assert saved(invitation) == {"visit_held": "held"}


def test_patch_refuses_an_answer_to_a_hidden_question(visitor, company_invitation):
    invitation, token = company_invitation
    response = patch(visitor, token, {"visit_held": "cancelled", "prepared": 5})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"prepared"}
    assert saved(invitation) == {}


def test_patch_refuses_invalid_values_per_field_and_saves_nothing(visitor, company_invitation):
    invitation, token = company_invitation
    patch(visitor, token, {"visit_held": "held", "prepared": 2})
    response = patch(
        visitor,
        token,
        {
            "prepared": 7,
            "followup_agreed": "perhaps",
            "overall_satisfaction": 3,
            "nonsense": 1,
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"prepared", "followup_agreed", "nonsense"}
    assert all(isinstance(m, str) and m for messages in errors.values() for m in messages)
    assert saved(invitation) == {"visit_held": "held", "prepared": 2}


def test_patch_needs_an_answers_object(visitor, company_invitation):
    _, token = company_invitation
    response = visitor.patch(api(token, "answers"), {"x": 1}, content_type="application/json")
    assert response.status_code == 400
    assert "answers" in response.json()


def test_submit_enforces_required_questions_and_keeps_the_answers(visitor, company_invitation):
    invitation, token = company_invitation
    response = visitor.post(
        api(token, "submit"), {"answers": {"visit_held": "held"}}, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"overall_satisfaction"}
    assert saved(invitation) == {"visit_held": "held"}

    response = visitor.post(
        api(token, "submit"),
        {"answers": {"overall_satisfaction": 5}},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["submitted_at"]

    # Submitted: a GET still shows it, any write is 410.
    assert visitor.get(api(token)).json()["state"] == "submitted"
    assert patch(visitor, token, {"comments": "x"}).status_code == 410
    assert visitor.post(api(token, "submit")).status_code == 410
    assert "comments" not in saved(invitation)


def test_an_expired_link_answers_410_and_says_nothing(visitor, surveys, visit, invite):
    invitation, token = invite(surveys["company-track-2"], booking=visit, days=-1)
    for response in (
        visitor.get(api(token)),
        patch(visitor, token, {"visit_held": "held"}),
        visitor.post(api(token, "submit")),
    ):
        assert response.status_code == 410
        body = response.content.decode()
        for secret in (invitation.survey.title, invitation.survey.title_en, COMPANY, JOBCENTRE):
            assert secret not in body and escape(secret) not in body
    assert saved(invitation) == {}


def test_unknown_and_tampered_tokens_answer_404(visitor, company_invitation):
    invitation, token = company_invitation
    for bad in (FORGED, tampered(token)):
        for response in (
            visitor.get(api(bad)),
            patch(visitor, bad, {"visit_held": "held"}),
            visitor.post(api(bad, "submit")),
            visitor.post(api(bad, "opt-out")),
        ):
            assert response.status_code == 404
            assert set(response.json()) == {"detail"}
            assert invitation.survey.title_en not in response.content.decode()
    assert not OptOut.objects.exists()


def test_opt_out_through_the_api_works_whatever_the_state(surveys, visit, invite):
    invitation, token = invite(
        surveys["company-track-2"], booking=visit, answers={"visit_held": "cancelled"}
    )
    response_submit(invitation=invitation)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    for _ in range(2):
        response = client.post(api(token, "opt-out"))
        assert response.status_code == 200
        assert response.json() == {"opted_out": True}
    assert is_opted_out(invitation.email)
    assert OptOut.objects.count() == 1
