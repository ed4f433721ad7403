"""A consultant answers their own survey invitations logged in: /survey/mine/ and
/api/v1/my-surveys/. Users: `me` (a consultant with invitations), `colleague` (another
consultant of the same jobcentre, with their own), `coordinator` (no consultant row)."""

import pytest
from django.test import Client

from consultants.roles import Role
from surveys.tests.conftest import saved, small_survey
from tests.factories import ConsultantFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(reference, make_user, surveys, invite):
    me_user = make_user("mette", Role.CONSULTANT)
    me = ConsultantFactory(user=me_user, name="Mette Konsulent")
    colleague = ConsultantFactory(user=make_user("jens", Role.CONSULTANT))
    survey = surveys["consultant-campaign"]
    mine, _ = invite(survey, consultant=me, email=me.email)
    theirs, _ = invite(survey, consultant=colleague, email=colleague.email)
    return {
        "me": me_user,
        "mine": mine,
        "theirs": theirs,
        "coordinator": make_user("kim", Role.COORDINATOR),
        "no_row": make_user("ny", Role.CONSULTANT),
    }


def as_user(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_list_shows_my_invitations_only_with_their_state(people):
    response = as_user(people["me"]).get("/survey/mine/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f"/survey/mine/{people['mine'].pk}/" in body
    assert f"/survey/mine/{people['theirs'].pk}/" not in body
    assert "Not started" in body
    assert 'href="/survey/mine/"' in body  # "My surveys" in the menu


def test_i_answer_my_own_survey_with_the_same_form(people):
    client, invitation = as_user(people["me"]), people["mine"]
    url = f"/survey/mine/{invitation.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="q-meeting_quality"' in response.content.decode()
    assert "Campaign" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.opened_at is not None

    response = client.post(url + "save/", {"q-meeting_quality": "4"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Saved." in response.content.decode()
    assert saved(invitation) == {"meeting_quality": 4}

    response = client.post(url, {"action": "submit", "q-meeting_effect": "9"})
    assert response.status_code == 400
    assert saved(invitation) == {"meeting_quality": 4}

    response = client.post(url, {"action": "submit", "q-meeting_effect": "3"})
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert "Thank you for your answers" in client.get(url).content.decode()
    assert client.post(url, {"action": "save"}).status_code == 410
    assert "Submitted" in client.get("/survey/mine/").content.decode()


def test_the_page_needs_a_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people["me"])
    response = client.post(f"/survey/mine/{people['mine'].pk}/", {"action": "save"})
    assert response.status_code == 403


def test_another_consultants_invitation_is_404(people):
    client, theirs = as_user(people["me"]), people["theirs"]
    url = f"/survey/mine/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save", "q-meeting_quality": "1"}).status_code == 404
    assert client.post(url + "save/", {"q-meeting_quality": "1"}).status_code == 404
    assert client.get(f"/api/v1/my-surveys/{theirs.pk}/").status_code == 404
    response = client.patch(
        f"/api/v1/my-surveys/{theirs.pk}/answers/",
        {"answers": {"meeting_quality": 1}},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert client.post(f"/api/v1/my-surveys/{theirs.pk}/submit/").status_code == 404
    assert saved(theirs) == {}


def test_people_who_are_not_consultants_are_refused(people):
    for user in (people["coordinator"], people["no_row"]):
        client = as_user(user)
        assert client.get("/survey/mine/").status_code == 403
        assert client.get(f"/survey/mine/{people['mine'].pk}/").status_code == 403
        assert client.get("/api/v1/my-surveys/").status_code == 403
    assert Client().get("/survey/mine/").status_code == 302  # to log in


def test_the_api_lists_retrieves_saves_and_submits_my_invitations(people):
    client, invitation = as_user(people["me"]), people["mine"]
    listed = client.get("/api/v1/my-surveys/").json()
    assert [row["id"] for row in listed] == [invitation.pk]
    assert listed[0]["state"] == "open"

    base = f"/api/v1/my-surveys/{invitation.pk}/"
    detail = client.get(base).json()
    assert detail["id"] == invitation.pk and detail["subject"]["kind"] == "campaign"
    assert "meeting_quality" in [q["key"] for q in detail["questions"]]

    response = client.patch(
        base + "answers/", {"answers": {"meeting_quality": 11}}, content_type="application/json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"meeting_quality"}
    response = client.post(base + "submit/", {}, content_type="application/json")
    assert response.status_code == 400 and set(response.json()["errors"]) == {"meeting_quality"}
    response = client.post(
        base + "submit/", {"answers": {"meeting_quality": 5}}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "submitted"
    assert client.get("/api/v1/my-surveys/").json()[0]["state"] == "submitted"


def test_an_expired_invitation_is_closed_on_the_page_and_in_the_api(people, invite):
    me = people["me"].consultant
    expired, _ = invite(small_survey(), consultant=me, email=me.email, days=-2)
    client = as_user(people["me"])
    response = client.get(f"/survey/mine/{expired.pk}/")
    assert response.status_code == 410
    assert "The survey is closed" in response.content.decode()
    assert client.get(f"/api/v1/my-surveys/{expired.pk}/").status_code == 410
    assert "Closed" in client.get("/survey/mine/").content.decode()
