"""Answering a survey through the link in its e-mail: the services and the public pages at
/survey/<token>/."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from common.errors import ApplicationError
from consultants.models import Jobcentre
from surveys.models import Invitation, OptOut
from surveys.queries import is_opted_out
from surveys.services import (
    AlreadySubmitted,
    InvitationExpired,
    answers_save,
    invitation_open,
    optout_create,
    response_submit,
)
from surveys.tests.conftest import (
    COMPANY,
    CONSULTANT,
    FORGED,
    JOBCENTRE,
    fresh_address,
    saved,
    small_survey,
    tampered,
)
from tests.threads import at_once

pytestmark = pytest.mark.django_db


def page(token, action=""):
    return f"/survey/{token}/{action + '/' if action else ''}"


def htmx(client, url, data):
    return client.post(url, data, HTTP_HX_REQUEST="true")


def assert_leaks_nothing(response, invitation):
    body = response.content.decode()
    for secret in (
        invitation.survey.title,
        invitation.survey.title_en,
        COMPANY,
        CONSULTANT,
        JOBCENTRE,
        invitation.campaign.name,
        invitation.email,
    ):
        assert secret not in body and escape(secret) not in body, secret


# --- Services: saving ------------------------------------------------------------------------


def test_answers_are_normalised_and_upserted(company_invitation):
    invitation, _ = company_invitation
    answers_save(invitation=invitation, answers={"visit_held": "held", "prepared": "4"})
    answers_save(invitation=invitation, answers={"prepared": 5, "followup_agreed": "yes"})
    assert saved(invitation) == {"visit_held": "held", "prepared": 5, "followup_agreed": True}


def test_an_empty_value_removes_the_answer(company_invitation):
    invitation, _ = company_invitation
    answers_save(invitation=invitation, answers={"visit_held": "held", "comments": "Fint"})
    answers_save(invitation=invitation, answers={"comments": "  "})
    assert saved(invitation) == {"visit_held": "held"}


def test_an_answer_to_a_hidden_question_is_refused_and_nothing_is_saved(company_invitation):
    invitation, _ = company_invitation
    with pytest.raises(ApplicationError) as refused:
        answers_save(
            invitation=invitation,
            answers={"visit_held": "cancelled", "prepared": 4, "comments": "x"},
        )
    assert set(refused.value.field_errors) == {"prepared"}
    assert saved(invitation) == {}


def test_an_invalid_value_is_refused_per_field_and_nothing_of_the_request_is_saved(
    company_invitation,
):
    invitation, _ = company_invitation
    answers_save(invitation=invitation, answers={"visit_held": "held", "prepared": 3})
    with pytest.raises(ApplicationError) as refused:
        answers_save(
            invitation=invitation,
            answers={"prepared": 9, "company_size": "huge", "comments": "Gode råd"},
        )
    assert set(refused.value.field_errors) == {"prepared", "company_size"}
    assert saved(invitation) == {"visit_held": "held", "prepared": 3}


def test_an_unknown_question_is_refused(company_invitation):
    invitation, _ = company_invitation
    with pytest.raises(ApplicationError) as refused:
        answers_save(invitation=invitation, answers={"favourite_colour": "blue"})
    assert set(refused.value.field_errors) == {"favourite_colour"}


def test_answers_of_questions_that_became_hidden_are_removed(company_invitation):
    invitation, _ = company_invitation
    answers_save(
        invitation=invitation,
        answers={
            "visit_held": "held",
            "prepared": 4,
            "followup_agreed": True,
            "followup_kinds": ["internship"],
            "comments": "Godt",
        },
    )
    answers_save(invitation=invitation, answers={"followup_agreed": False})
    assert "followup_kinds" not in saved(invitation)
    answers_save(invitation=invitation, answers={"visit_held": "cancelled"})
    assert saved(invitation) == {"visit_held": "cancelled", "comments": "Godt"}


def test_an_expired_or_submitted_invitation_takes_no_answers(surveys, visit, invite):
    expired, _ = invite(surveys["company-track-2"], booking=visit, days=-1)
    with pytest.raises(InvitationExpired):
        answers_save(invitation=expired, answers={"visit_held": "held"})
    done, _ = invite(surveys["company-track-1"], booking=visit, answers={"visit_held": "cancelled"})
    response_submit(invitation=done)
    with pytest.raises(AlreadySubmitted):
        answers_save(invitation=done, answers={"comments": "x"})
    with pytest.raises(AlreadySubmitted):
        response_submit(invitation=done)
    assert saved(expired) == {}


# --- Services: submitting --------------------------------------------------------------------


def test_submit_enforces_the_required_questions_that_show(company_invitation):
    invitation, _ = company_invitation
    with pytest.raises(ApplicationError) as refused:
        response_submit(invitation=invitation)
    assert set(refused.value.field_errors) == {"visit_held"}

    with pytest.raises(ApplicationError) as refused:
        response_submit(invitation=invitation, answers={"visit_held": "held", "prepared": 5})
    assert set(refused.value.field_errors) == {"overall_satisfaction"}
    # Nothing lost: the answers given with the refused submit are kept.
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert saved(invitation) == {"visit_held": "held", "prepared": 5}

    response_submit(invitation=invitation, answers={"overall_satisfaction": "4"})
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None
    assert invitation.opened_at is not None


def test_opened_at_is_set_once(company_invitation):
    invitation, _ = company_invitation
    first = timezone.now()
    assert invitation_open(invitation, first) is True
    assert invitation_open(invitation, first + dt.timedelta(hours=1)) is False
    stale = Invitation.objects.get(pk=invitation.pk)
    Invitation.objects.filter(pk=invitation.pk).update(opened_at=first)
    stale.opened_at = None  # another request's copy, read before the first open
    assert invitation_open(stale, first + dt.timedelta(hours=2)) is False
    invitation.refresh_from_db()
    assert invitation.opened_at == first


@pytest.mark.django_db(transaction=True)
def test_two_submits_at_once_exactly_one_wins(reference, surveys, visit, invite):
    invitation, _ = invite(surveys["company-track-2"], booking=visit)
    answers = {"visit_held": "held", "overall_satisfaction": 5}

    def submit(rating):
        # Each thread has its own copy of the row and its own connection.
        mine = Invitation.objects.get(pk=invitation.pk)
        return lambda: response_submit(invitation=mine, answers={**answers, "prepared": rating})

    for _round in range(5):
        Invitation.objects.filter(pk=invitation.pk).update(submitted_at=None)
        results = at_once([submit(1), submit(5)])
        winners = [r for r in results if isinstance(r, Invitation)]
        losers = [r for r in results if isinstance(r, AlreadySubmitted)]
        assert (len(winners), len(losers)) == (1, 1), results
        assert losers[0].status_code == 410
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None


# --- Services: opting out --------------------------------------------------------------------


def test_opting_out_is_idempotent_and_ignores_letter_case(db):
    first = optout_create(email="Ejer@Firma.invalid")
    assert optout_create(email="ejer@firma.INVALID").pk == first.pk
    assert OptOut.objects.count() == 1
    assert is_opted_out("EJER@firma.invalid")
    assert not is_opted_out("other@firma.invalid")
    with pytest.raises(ApplicationError):
        optout_create(email="not an address")


# --- The page --------------------------------------------------------------------------------


def test_the_page_shows_the_visit_the_survey_and_the_first_question(
    visitor, company_invitation, visit
):
    invitation, token = company_invitation
    response = visitor.get(page(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape(invitation.survey.title_en) in body
    assert escape(invitation.survey.intro_en) in body
    assert CONSULTANT in body and JOBCENTRE in body
    assert timezone.localtime(visit.starts_at).strftime("%H:%M") in body
    assert 'name="q-visit_held"' in body
    assert 'name="q-prepared"' not in body  # shown only for a held visit
    assert "(required)" in body
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_page_is_danish_by_default(danish_visitor, company_invitation):
    invitation, token = company_invitation
    body = danish_visitor.get(page(token)).content.decode()
    assert escape(invitation.survey.title) in body
    assert "Blev mødet afholdt?" in body


def test_the_language_links_switch_the_page_to_english(danish_visitor, company_invitation):
    invitation, token = company_invitation
    response = danish_visitor.get(page(token) + "?language=en")
    assert escape(invitation.survey.title_en) in response.content.decode()
    # The choice sticks for the saves that follow.
    body = htmx(danish_visitor, page(token, "save"), {"q-visit_held": "held"}).content.decode()
    assert "Did the meeting take place?" in body


def test_a_jobcentre_invitation_shows_the_jobcentre_and_the_campaign(
    visitor, surveys, invite, reference, campaign
):
    jobcentre = Jobcentre.objects.get(name=JOBCENTRE)
    _, token = invite(surveys["jobcentre-followup"], jobcentre=jobcentre)
    body = visitor.get(page(token)).content.decode()
    assert JOBCENTRE in body and campaign.name in body


def test_opening_the_page_marks_the_invitation_opened_once(visitor, company_invitation):
    invitation, token = company_invitation
    visitor.get(page(token))
    invitation.refresh_from_db()
    opened = invitation.opened_at
    assert opened is not None
    visitor.get(page(token))
    invitation.refresh_from_db()
    assert invitation.opened_at == opened


def test_a_pre_filled_answer_is_shown(visitor, surveys, visit, invite):
    _, token = invite(
        surveys["company-track-2"], booking=visit, answers={"visit_held": "cancelled"}
    )
    body = visitor.get(page(token)).content.decode()
    assert 'value="cancelled" checked' in body
    assert 'name="q-cancel_reason"' in body


def test_a_change_saves_and_brings_in_the_questions_it_shows(visitor, company_invitation):
    invitation, token = company_invitation
    response = htmx(visitor, page(token, "save"), {"q-visit_held": "held", "q-comments": ""})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<form")  # the form alone, for htmx to swap in
    assert 'name="q-prepared"' in body and 'name="q-cancel_reason"' not in body
    assert saved(invitation) == {"visit_held": "held"}

    # The form posts every field it shows: turning to "cancelled" drops the ratings.
    response = htmx(
        visitor,
        page(token, "save"),
        {"q-visit_held": "cancelled", "q-prepared": "4", "q-comments": ""},
    )
    body = response.content.decode()
    assert 'name="q-cancel_reason"' in body and 'name="q-prepared"' not in body
    assert saved(invitation) == {"visit_held": "cancelled"}


def test_the_server_refuses_an_answer_to_a_hidden_question(visitor, company_invitation):
    invitation, token = company_invitation
    answers_save(invitation=invitation, answers={"visit_held": "cancelled"})
    response = visitor.post(
        page(token), {"action": "save", "q-visit_held": "cancelled", "q-prepared": "5"}
    )
    assert response.status_code == 400
    assert "does not apply" in response.content.decode()
    assert saved(invitation) == {"visit_held": "cancelled"}

    response = htmx(visitor, page(token, "save"), {"q-visit_held": "cancelled", "q-prepared": "5"})
    assert "does not apply" in response.content.decode()
    assert saved(invitation) == {"visit_held": "cancelled"}


def test_an_invalid_value_is_shown_next_to_its_field_and_in_the_summary(
    visitor, surveys, invite, reference
):
    jobcentre = Jobcentre.objects.get(name=JOBCENTRE)
    invitation, token = invite(
        surveys["jobcentre-followup"], jobcentre=jobcentre, answers={"agreements_since": 3}
    )
    response = visitor.post(
        page(token),
        {"action": "save", "q-firms_still_cooperating": "-2", "q-comments": "Mange aftaler"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert 'href="#question-firms_still_cooperating"' in body
    assert 'aria-describedby="question-firms_still_cooperating-errors"' in body
    assert "Please enter 0 or more." in body
    assert 'value="-2"' in body and "Mange aftaler" in body  # what was typed stays on the page
    assert saved(invitation) == {"agreements_since": 3}


def test_save_without_javascript_redirects_back_with_a_message(visitor, company_invitation):
    invitation, token = company_invitation
    response = visitor.post(page(token), {"action": "save", "q-visit_held": "held"}, follow=True)
    assert response.redirect_chain == [(page(token), 302)]
    assert "Your answers are saved" in response.content.decode()
    assert saved(invitation) == {"visit_held": "held"}


def test_submit_without_the_required_answers_is_refused_and_keeps_the_rest(
    visitor, company_invitation
):
    invitation, token = company_invitation
    response = visitor.post(
        page(token), {"action": "submit", "q-visit_held": "held", "q-comments": "Kort møde"}
    )
    assert response.status_code == 400
    assert "Please answer this question." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.submitted_at is None
    assert saved(invitation) == {"visit_held": "held", "comments": "Kort møde"}


def test_after_submit_the_link_thanks_and_refuses_posts_with_410(visitor, company_invitation):
    invitation, token = company_invitation
    response = visitor.post(
        page(token),
        {"action": "submit", "q-visit_held": "held", "q-overall_satisfaction": "5"},
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None

    response = visitor.get(page(token))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Thank you for your answers" in body and 'name="q-visit_held"' not in body

    assert visitor.post(page(token), {"action": "save", "q-comments": "x"}).status_code == 410
    assert htmx(visitor, page(token, "save"), {"q-comments": "x"}).status_code == 410
    assert "comments" not in saved(invitation)


def test_an_expired_link_answers_410_and_says_nothing(visitor, surveys, visit, invite):
    invitation, token = invite(surveys["company-track-2"], booking=visit, days=-1)
    for response in (
        visitor.get(page(token)),
        visitor.post(page(token), {"action": "save", "q-visit_held": "held"}),
        htmx(visitor, page(token, "save"), {"q-visit_held": "held"}),
    ):
        assert response.status_code == 410
        assert_leaks_nothing(response, invitation)
    assert saved(invitation) == {}


def test_unknown_and_tampered_tokens_answer_404_and_say_nothing(visitor, company_invitation):
    invitation, token = company_invitation
    for bad in (FORGED, tampered(token), token + "x", "y" * 500):
        for response in (
            visitor.get(page(bad)),
            visitor.post(page(bad), {"action": "save"}),
            visitor.get(page(bad, "opt-out")),
        ):
            assert response.status_code == 404, bad
            assert_leaks_nothing(response, invitation)
    invitation.refresh_from_db()
    assert invitation.opened_at is None


def test_the_form_works_without_a_csrf_token(company_invitation):
    """The page is served with Referrer-Policy: no-referrer, under which browsers post forms
    with Origin: null; the token in the URL is the credential, so no CSRF check applies."""
    invitation, token = company_invitation
    strict = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    response = strict.post(page(token), {"action": "save", "q-visit_held": "held"})
    assert response.status_code == 302
    assert saved(invitation) == {"visit_held": "held"}


# --- Rate limit ------------------------------------------------------------------------------


def test_too_many_requests_from_one_address_answer_429(
    visitor, company_invitation, settings, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)  # one rate-limit window throughout
    settings.PUBLIC_RATE_LIMIT = 3
    _, token = company_invitation
    assert [visitor.get(page(FORGED)).status_code for _ in range(3)] == [404] * 3
    response = visitor.get(page(token))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert visitor.post(page(token, "opt-out")).status_code == 429
    response = visitor.get(f"/api/v1/survey-responses/{token}/")  # one budget with the API
    assert response.status_code == 429 and set(response.json()) == {"detail"}
    assert not OptOut.objects.exists()
    other = Client(REMOTE_ADDR=fresh_address())
    assert other.get(page(token)).status_code == 200


# --- Opting out ------------------------------------------------------------------------------


def test_opt_out_page_has_one_button_and_records_the_address(visitor, company_invitation):
    invitation, token = company_invitation
    response = visitor.get(page(token, "opt-out"))
    assert response.status_code == 200
    assert response.content.decode().count('type="submit"') == 1
    assert not OptOut.objects.exists()
    response = visitor.post(page(token, "opt-out"))
    assert response.status_code == 200
    assert "no more survey e-mails" in response.content.decode()
    assert is_opted_out(invitation.email)


def test_one_click_unsubscribe_needs_no_csrf_token_and_works_on_a_closed_link(
    surveys, visit, invite
):
    invitation, token = invite(surveys["company-track-2"], booking=visit, days=-1)
    done, done_token = invite(
        surveys["company-track-1"],
        booking=visit,
        email="hr@firma.invalid",
        answers={"visit_held": "cancelled"},
    )
    response_submit(invitation=done)
    mail_client = Client(enforce_csrf_checks=True, REMOTE_ADDR=fresh_address())
    for t in (token, done_token):
        response = mail_client.post(
            page(t, "opt-out"),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
    assert is_opted_out(invitation.email) and is_opted_out(done.email)
    assert OptOut.objects.count() == 2
    # Nothing else changed.
    invitation.refresh_from_db()
    assert invitation.submitted_at is None and saved(invitation) == {}


def test_a_small_survey_shows_each_kind_of_input_labelled(visitor, invite, reference):
    survey = small_survey()
    _, token = invite(survey, jobcentre=Jobcentre.objects.get(name=JOBCENTRE))
    answers = {"q-rating": "4", "q-pick": ["", "b"], "q-agree": "yes", "q-detail": "Mere tid"}
    body = htmx(visitor, page(token, "save"), answers).content.decode()
    assert body.count("<fieldset") == 3  # rating, pick, agree: groups with a legend
    assert body.count("<legend") == 3
    assert 'for="question-count"' in body and 'for="question-detail"' in body
    assert "1 (Poor)" in body and "5 (Good)" in body  # the scale's ends in words
    assert 'type="checkbox"' in body and 'value="b" checked' in body
    # Unticking every box is an answer too: the hidden empty value comes alone.
    htmx(visitor, page(token, "save"), {"q-pick": [""], "q-count": ""})
    invitation = Invitation.objects.get(survey=survey)
    assert "pick" not in saved(invitation)
