"""Answering a survey: the public pages at /survey/<token>/ (no log-in, the token is the
key) and a consultant's own invitations at /survey/mine/ (logged in). One form for both:
htmx saves it on every change and swaps in the re-rendered form, so conditional questions
come and go; the Save and Submit buttons do the same without JavaScript."""

from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from common.errors import ApplicationError
from common.ratelimit import ratelimit
from consultants.permissions import role_required
from consultants.roles import Role, consultant_of
from surveys.forms import AnswerForm, answers_from_post
from surveys.logic import stale_answers_dropped
from surveys.models import Invitation
from surveys.queries import (
    InvitationState,
    answers_of,
    invitation_by_token,
    invitation_state,
    invitations_of,
    questions_of,
    subject_of,
)
from surveys.services import (
    AlreadySubmitted,
    InvitationExpired,
    answers_save,
    invitation_open,
    optout_create,
    response_submit,
)

# One rate-limit budget per client address for the pages and the API together.
RATE_SCOPE = "survey"
PUBLIC_BASE = "surveys/public_base.html"
STAFF_BASE = "base.html"


# --- Public pages: the wrapper -------------------------------------------------------------


def public(view):
    """A page anyone with the link may open: no log-in, rate-limited, never cached nor
    indexed, and no Referer header carries the token to another site. A wrong or dead link
    gets a plain page that says nothing about any survey, company or jobcentre.

    These views are CSRF-exempt. Under "Referrer-Policy: no-referrer" browsers send
    "Origin: null" with a plain form post, which Django's CSRF check refuses, so the Save
    and Submit buttons would not work without JavaScript. Nothing is lost: the token in the
    URL is the only credential (no cookie carries any authority here), so a forged request
    must already know the token, and then it could simply send the request itself."""

    limited = _limited(view)

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        language = _language_asked(request)
        with translation.override(language or translation.get_language()):
            response = limited(request, *args, **kwargs)
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        response["Referrer-Policy"] = "no-referrer"
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Cache-Control"] = "no-store"
        return response

    return wrapped


def _limited(view):
    @ratelimit(RATE_SCOPE)
    @never_cache
    @wraps(view)
    def limited(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as exc:
            if exc.status_code not in (404, 410):
                raise
            return _closed(request, exc, base=PUBLIC_BASE)

    return limited


def _language_asked(request: HttpRequest) -> str | None:
    """?language=en on a public page: its own switch, a link, since the header's
    set_language form cannot post from a no-referrer page (see `public`)."""
    language = request.GET.get("language")
    return language if language in dict(settings.LANGUAGES) else None


def _closed(request: HttpRequest, exc: ApplicationError, *, base: str) -> HttpResponse:
    """The plain page for a link that does not work (404) or no longer takes answers (410).
    Only the error's own message: nothing about the survey or whom it concerns."""
    response = render(
        request,
        "surveys/closed.html",
        {"base_template": base, "message": exc.message, "status": exc.status_code},
        status=exc.status_code,
    )
    if request.htmx:
        response["HX-Refresh"] = "true"  # show the plain page instead of a stale form
    return response


# --- The answer form, shared by the public and the consultant's pages -----------------------


@dataclass(frozen=True)
class Urls:
    page: str  # the page: GET shows it, POST is the Save / Submit buttons
    save: str  # htmx: POST saves and answers the form alone
    optout: str = ""  # public links only
    back: str = ""  # the consultant's list


def _context(request, invitation: Invitation, urls: Urls, base: str, **extra) -> dict:
    return {
        "base_template": base,
        "invitation": invitation,
        "survey": invitation.survey,
        "title": invitation.survey.localized_title(),
        "intro": invitation.survey.intro_en
        if translation.get_language() == "en" and invitation.survey.intro_en
        else invitation.survey.intro,
        "subject": subject_of(invitation),
        "urls": urls,
        **extra,
    }


def _show(request, invitation: Invitation, urls: Urls, base: str) -> HttpResponse:
    """GET: the thank-you page once submitted, 410 once expired, else the form (and the
    invitation counts as opened)."""
    state = invitation_state(invitation)
    if state == InvitationState.SUBMITTED:
        return render(request, "surveys/thanks.html", _context(request, invitation, urls, base))
    if state == InvitationState.EXPIRED:
        raise InvitationExpired()
    invitation_open(invitation)
    form = AnswerForm(questions_of(invitation), answers_of(invitation))
    return render(
        request, "surveys/answer.html", _context(request, invitation, urls, base, form=form)
    )


def _refused(invitation: Invitation, posted: dict, exc: ApplicationError) -> AnswerForm:
    """The form after a refused post: the saved answers with what was posted on top, and
    the errors next to their questions."""
    values = {**answers_of(invitation), **posted}
    return AnswerForm(questions_of(invitation), values, exc.field_errors)


def _post(request, invitation: Invitation, urls: Urls, base: str) -> HttpResponse:
    """POST from the Save or Submit button (no JavaScript needed)."""
    if invitation_state(invitation) == InvitationState.SUBMITTED:
        raise AlreadySubmitted()
    questions = questions_of(invitation)
    posted = answers_from_post(questions, request.POST)
    answers = stale_answers_dropped(questions, answers_of(invitation), posted)
    submitting = request.POST.get("action") == "submit"
    try:
        if submitting:
            response_submit(invitation=invitation, answers=answers)
        else:
            answers_save(invitation=invitation, answers=answers)
    except ApplicationError as exc:
        if exc.status_code in (404, 410):
            raise
        context = _context(
            request,
            invitation,
            urls,
            base,
            form=_refused(invitation, posted, exc),
            message=exc.message,
            focus_summary=True,  # a whole page came back: start the keyboard at the errors
        )
        return render(request, "surveys/answer.html", context, status=exc.status_code)
    if not submitting:
        messages.success(request, _("Your answers are saved. You can come back and go on later."))
    return redirect(urls.page)


def _save(request, invitation: Invitation, urls: Urls) -> HttpResponse:
    """POST from htmx on every change: save, and answer the form alone. A refused save
    still answers 200 so htmx swaps in the form with its errors (and the person's input)."""
    if invitation_state(invitation) == InvitationState.SUBMITTED:
        raise AlreadySubmitted()
    questions = questions_of(invitation)
    posted = answers_from_post(questions, request.POST)
    answers = stale_answers_dropped(questions, answers_of(invitation), posted)
    context = {"urls": urls}
    try:
        answers_save(invitation=invitation, answers=answers)
    except ApplicationError as exc:
        if exc.status_code in (404, 410):
            raise
        context |= {"form": _refused(invitation, posted, exc), "message": exc.message}
    else:
        context |= {"form": AnswerForm(questions, answers_of(invitation)), "saved": True}
    return render(request, "surveys/answer.html#answer-form", context)


# --- Public pages ----------------------------------------------------------------------------


def _public_urls(token: str) -> Urls:
    return Urls(
        page=reverse("surveys:answer", kwargs={"token": token}),
        save=reverse("surveys:save", kwargs={"token": token}),
        optout=reverse("surveys:optout", kwargs={"token": token}),
    )


@public
@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    invitation = invitation_by_token(token)
    if request.method == "POST":
        return _post(request, invitation, _public_urls(token), PUBLIC_BASE)
    return _show(request, invitation, _public_urls(token), PUBLIC_BASE)


@public
@require_POST
def save(request, token: str):
    return _save(request, invitation_by_token(token), _public_urls(token))


@public
@require_http_methods(["GET", "POST"])
def optout(request, token: str):
    """GET: one button. POST: the address gets no more survey mail. The POST is also the
    RFC 8058 one-click unsubscribe a mail client sends ("List-Unsubscribe=One-Click", no
    CSRF token), and it works whatever the invitation's state."""
    invitation = invitation_by_token(token)
    context = {"base_template": PUBLIC_BASE, "token": token, "done": False}
    if request.method == "POST":
        optout_create(email=invitation.email)
        context["done"] = True
    return render(request, "surveys/optout.html", context)


# --- A consultant's own invitations --------------------------------------------------------


def _own_invitation(request, pk: int) -> Invitation:
    consultant = consultant_of(request.user)
    if consultant is None:
        raise PermissionDenied
    return get_object_or_404(invitations_of(consultant), pk=pk)


def _mine_urls(pk: int) -> Urls:
    return Urls(
        page=reverse("surveys:mine-answer", kwargs={"pk": pk}),
        save=reverse("surveys:mine-save", kwargs={"pk": pk}),
        back=reverse("surveys:mine"),
    )


def _closed_on_staff_page(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApplicationError as exc:
            if exc.status_code != 410:
                raise
            return _closed(request, exc, base=STAFF_BASE)

    return wrapped


@role_required(Role.CONSULTANT)
@require_http_methods(["GET"])
def mine(request):
    consultant = consultant_of(request.user)
    if consultant is None:
        raise PermissionDenied
    rows = [(inv, invitation_state(inv)) for inv in invitations_of(consultant)]
    return render(
        request,
        "surveys/mine_list.html",
        {"rows": rows, "states": InvitationState, "base_template": STAFF_BASE},
    )


@role_required(Role.CONSULTANT)
@require_http_methods(["GET", "POST"])
@_closed_on_staff_page
def mine_answer(request, pk: int):
    invitation = _own_invitation(request, pk)
    if request.method == "POST":
        return _post(request, invitation, _mine_urls(pk), STAFF_BASE)
    return _show(request, invitation, _mine_urls(pk), STAFF_BASE)


@role_required(Role.CONSULTANT)
@require_POST
@_closed_on_staff_page
def mine_save(request, pk: int):
    return _save(request, _own_invitation(request, pk), _mine_urls(pk))
