"""A company answers the survey about its visit from the link in its e-mail, in a real
browser, with the keyboard only."""

import datetime as dt
import re

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from common.tokens import new_token, token_hash
from consultants.models import Jobcentre
from surveys.forms import field_name
from surveys.models import Invitation
from surveys.shipped import shipped_surveys_load
from tests.factories import AttendeeFactory, BookingFactory, CampaignFactory, ConsultantFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def tab_to(page, target, *, most: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    for _ in range(most):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def saves(page):
    """Wait for the htmx save that the next key press starts."""
    return page.expect_response(lambda r: r.url.endswith("/save/") and r.status == 200)


def invite(survey) -> tuple[Invitation, str]:
    """An invitation to `survey` about a visit held two days ago, and its link's token."""
    jobcentre = Jobcentre.objects.get(name="Jobcenter København")
    booking = BookingFactory(
        campaign=CampaignFactory(),
        jobcentre=jobcentre,
        starts_at=timezone.now().replace(minute=0, second=0, microsecond=0) - dt.timedelta(days=2),
    )
    AttendeeFactory(
        booking=booking, consultant=ConsultantFactory(name="Mette Konsulent", jobcentre=jobcentre)
    )
    token = new_token()
    invitation = Invitation.objects.create(
        survey=survey,
        campaign=booking.campaign,
        booking=booking,
        email="ejer@firma.invalid",
        token_hash=token_hash(token),
        created_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(days=30),
    )
    return invitation, token


def test_a_company_answers_its_survey_with_the_keyboard(page, reference, settings):
    settings.PUBLIC_RATE_LIMIT = 1000  # every run from 127.0.0.1 shares one counter
    survey = shipped_surveys_load()["company-track-2"]
    invitation, token = invite(survey)

    page.goto(f"/survey/{token}/")
    main = page.locator("main")
    expect(page.locator("h1")).to_have_text(survey.title)  # Danish by default
    expect(main).to_contain_text("Mette Konsulent")
    expect(main).to_contain_text("Jobcenter København")
    prepared = page.get_by_role("group", name=re.compile("velforberedt"))
    expect(prepared).to_have_count(0)

    # Onto "yes, the meeting was held" and Space: the questions about the meeting appear.
    held = page.get_by_label("Ja, mødet blev afholdt")
    tab_to(page, held)
    with saves(page):
        page.keyboard.press("Space")
    expect(held).to_be_checked()
    expect(prepared).to_be_visible()
    expect(held).to_be_focused()  # the swap kept the keyboard's place

    # Into the first rating with Tab; Space picks 1, the arrow keys move on to 4.
    page.keyboard.press("Tab")
    expect(prepared.get_by_label("1", exact=False).first).to_be_focused()
    with saves(page):
        page.keyboard.press("Space")
    for _ in range(3):
        with saves(page):
            page.keyboard.press("ArrowRight")
    four = prepared.get_by_role("radio", name="4", exact=True)
    expect(four).to_be_checked()
    expect(four).to_be_focused()

    # The required overall satisfaction, further down: "Tilfreds" with the arrow keys.
    overall = page.get_by_role("group", name=re.compile("samlet set"))
    first = overall.get_by_role("radio").first
    tab_to(page, first)
    with saves(page):
        page.keyboard.press("Space")
    for _ in range(3):
        with saves(page):
            page.keyboard.press("ArrowDown")
    expect(overall.get_by_label("Tilfreds", exact=True)).to_be_checked()

    # Leave, come back: the answers are kept.
    page.goto("/i18n/setlang/")  # anywhere else
    page.goto(f"/survey/{token}/")
    expect(page.get_by_label("Ja, mødet blev afholdt")).to_be_checked()
    expect(prepared.get_by_role("radio", name="4", exact=True)).to_be_checked()
    expect(overall.get_by_label("Tilfreds", exact=True)).to_be_checked()
    assert dict(invitation.answers.values_list("question__key", "value")) == {
        "visit_held": "held",
        "prepared": 4,
        "overall_satisfaction": 4,
    }

    # Submit with the keyboard: the link now thanks instead of showing the form.
    submit = page.locator("#survey-submit")
    tab_to(page, submit)
    page.keyboard.press("Enter")
    with translation.override("da"):
        thanks = gettext("Thank you for your answers")
    expect(page.locator("h1")).to_have_text(thanks)
    expect(page.locator("main form")).to_have_count(0)
    invitation.refresh_from_db()
    assert invitation.submitted_at is not None

    page.goto(f"/survey/{token}/")
    expect(page.locator("h1")).to_have_text(thanks)


def test_a_choice_made_the_moment_the_form_is_swapped_in_is_saved(page, reference, settings):
    """Answering "held" swaps in the form with the questions about the meeting. A choice made
    right after that swap, before htmx's default settle time of 20 ms, must still be saved:
    the pages tell htmx to settle at once (htmx-config), so the form's save is bound then."""
    settings.PUBLIC_RATE_LIMIT = 1000
    survey = shipped_surveys_load()["company-track-2"]
    invitation, token = invite(survey)
    page.goto(f"/survey/{token}/")
    # On the swap, in the next task (about 1 ms later), pick 4 for the first question about
    # the meeting, as a quick hand would. The page counts the saves answered.
    page.evaluate(
        """name => {
            window.saved = 0;
            document.addEventListener("htmx:afterRequest", event => {
                if (event.detail.successful) window.saved += 1;
            });
            document.addEventListener("htmx:afterSwap", () => setTimeout(() => {
                const four = document.querySelector(`input[name="${name}"][value="4"]`);
                four.checked = true;
                four.dispatchEvent(new Event("change", {bubbles: true}));
            }, 0), {once: true});
        }""",
        field_name("prepared"),
    )
    page.get_by_label("Ja, mødet blev afholdt").check()
    page.wait_for_function("() => window.saved === 2", timeout=5000)  # "held", then the 4
    assert dict(invitation.answers.values_list("question__key", "value")) == {
        "visit_held": "held",
        "prepared": 4,
    }
