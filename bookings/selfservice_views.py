"""The company's self-service pages: /visit/<token>/ shows the visit and lets the company
cancel it or move it to another free time. No log-in: the token is the key. Every page is
rate-limited per client address and never cached or indexed."""

import datetime as dt
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from bookings.changes import booking_cancel, booking_move
from bookings.models import Booking
from bookings.selfservice import RATE_SCOPE, link_resolve, move_options, visit_attendees
from bookings.services import SlotUnavailable
from common.errors import ApplicationError
from common.ratelimit import ratelimit


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why do you cancel the visit?"),
        max_length=Booking._meta.get_field("cancel_reason").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("A few words are enough; the jobcentre reads them."),
    )


class MoveForm(forms.Form):
    starts_at = forms.CharField(
        label=gettext_lazy("New time"),
        error_messages={"required": gettext_lazy("Please choose a time.")},
    )

    def clean_starts_at(self) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(self.cleaned_data["starts_at"])
        except ValueError:
            raise forms.ValidationError(_("Please choose one of the times shown.")) from None
        if timezone.is_naive(value):
            raise forms.ValidationError(_("Please choose one of the times shown."))
        return value


def public(view):
    """A page anyone with the link may open: no log-in, rate-limited, never cached nor
    indexed, and the token never leaves for another site in a Referer header. A wrong or
    dead link gets a plain page that says nothing about any visit."""

    @login_not_required
    @ratelimit(RATE_SCOPE)
    @never_cache
    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        try:
            response = view(request, token, *args, **kwargs)
        except ApplicationError as exc:
            if exc.status_code not in (404, 410):
                raise
            response = render(
                request,
                "bookings/selfservice_invalid.html",
                {"message": exc.message, "gone": exc.status_code == 410},
                status=exc.status_code,
            )
        # The token is in the URL: keep it from other sites' Referer headers. (Not
        # "no-referrer": Chromium then posts forms with Origin: null, failing the CSRF check.)
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _visit_context(booking: Booking) -> dict:
    return {"booking": booking, "attendees": visit_attendees(booking)}


@public
@require_http_methods(["GET"])
def visit(request, token: str):
    link = link_resolve(token=token)
    context = _visit_context(link.booking) | {"token": token, "cancel_form": CancelForm()}
    return render(request, "bookings/selfservice_visit.html", context)


@public
@require_http_methods(["POST"])
def visit_cancel(request, token: str):
    link = link_resolve(token=token)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            booking = booking_cancel(
                actor=None, booking=link.booking, by="company", reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            for field, errors in exc.field_errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            return render(request, "bookings/selfservice_cancelled.html", {"booking": booking})
    context = _visit_context(link.booking) | {"token": token, "cancel_form": form}
    return render(request, "bookings/selfservice_visit.html", context, status=400)


@public
@require_http_methods(["GET", "POST"])
def visit_move(request, token: str):
    link = link_resolve(token=token)
    booking = link.booking
    form = MoveForm(request.POST) if request.method == "POST" else MoveForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new = booking_move(
                    actor=None, booking=booking, starts_at=form.cleaned_data["starts_at"]
                )
            except SlotUnavailable as exc:
                form.add_error(None, exc.message)
                status = 409
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                when = date_format(timezone.localtime(new.starts_at), "DATETIME_FORMAT")
                messages.success(
                    request, _("Your visit has been moved to %(when)s.") % {"when": when}
                )
                return redirect("selfservice:visit", token=new.self_service_token)
    context = _visit_context(booking) | {
        "token": token,
        "form": form,
        "options": move_options(booking=booking),
    }
    return render(request, "bookings/selfservice_move.html", context, status=status)
