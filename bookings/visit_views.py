"""The consultants' pages about visits, under /visits/: the visit page (what, when, who,
the history of every change and the messages, with acknowledge, move and cancel), the
coordinator's unacknowledged visits, the calendar with its JSON events and the
calendar-feed link; and the feed itself at /calendar/<token>.ics (no log-in: the token is
the key). The same services and scoping as the API (bookings.visit_api)."""

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookings.acknowledgement import attendee_acknowledge, unacknowledged_for
from bookings.calendar import (
    STATE_COLOURS,
    STATE_MARKERS,
    calendar_events,
    calendar_range,
    calendar_scope,
    feed_token_revoke,
    feed_token_rotate,
    feed_url,
    fullcalendar_event,
)
from bookings.changes import booking_cancel
from bookings.feed import consultant_for_feed, feed_ics
from bookings.history import visit_overview
from bookings.models import BookingState
from bookings.selfservice import move_options
from bookings.services import SlotUnavailable
from bookings.visits import REASON_MAX_LENGTH, STAFF, visit_move, visits_for
from common.errors import ApplicationError, NotFound
from consultants.permissions import role_required
from consultants.roles import Role

# --- Forms ---------------------------------------------------------------------------------


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the visit cancelled?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The company and the consultants are told, with this reason."),
        error_messages={"required": gettext_lazy("Please give a reason for the cancellation.")},
    )


class MoveForm(forms.Form):
    starts_at = forms.CharField(
        label=gettext_lazy("New time"),
        error_messages={"required": gettext_lazy("Please choose a time.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why is the visit moved?"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Kept in the visit's history."),
        error_messages={"required": gettext_lazy("Please give a reason for the move.")},
    )

    def clean_starts_at(self) -> dt.datetime:
        try:
            value = dt.datetime.fromisoformat(self.cleaned_data["starts_at"])
        except ValueError:
            raise forms.ValidationError(_("Please choose one of the times shown.")) from None
        if timezone.is_naive(value):
            raise forms.ValidationError(_("Please choose one of the times shown."))
        return value


def _add_errors(form: forms.Form, exc: ApplicationError) -> None:
    form.add_error(None, exc.message)
    for field, errors in exc.field_errors.items():
        for error in errors:
            if field in form.fields:
                form.add_error(field, error)


# --- The visit page ------------------------------------------------------------------------


def _render_visit(request, booking, cancel_form: CancelForm, status: int = 200):
    overview = visit_overview(user=request.user, booking=booking)
    context = {
        "visit": overview,
        "booking": booking,
        "cancel_form": cancel_form,
        "marker": STATE_MARKERS.get(booking.state, "•"),
        "colour": STATE_COLOURS.get(booking.state, "#495057"),
        "company": booking.company,
    }
    return render(request, "bookings/visit_detail.html", context, status=status)


@require_GET
@role_required(*STAFF)
def detail(request, pk: int):
    booking = get_object_or_404(visits_for(request.user), pk=pk)
    return _render_visit(request, booking, CancelForm())


@require_POST
@role_required(*STAFF)
def acknowledge(request, pk: int):
    booking = get_object_or_404(visits_for(request.user), pk=pk)
    try:
        attendee_acknowledge(actor=request.user, booking=booking)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: the visit is acknowledged."))
    return redirect("visit-detail", pk=booking.pk)


@require_POST
@role_required(*STAFF)
def cancel(request, pk: int):
    booking = get_object_or_404(visits_for(request.user), pk=pk)
    form = CancelForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            booking_cancel(
                actor=request.user,
                booking=booking,
                by="jobcentre",
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            _add_errors(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("The visit is cancelled; the company has been told."))
            return redirect("visit-detail", pk=booking.pk)
    booking.refresh_from_db()
    return _render_visit(request, booking, form, status=status)


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def move(request, pk: int):
    booking = get_object_or_404(visits_for(request.user), pk=pk)
    if booking.state != BookingState.BOOKED or booking.starts_at <= timezone.now():
        messages.error(request, _("This visit can no longer be moved."))
        return redirect("visit-detail", pk=booking.pk)
    form = MoveForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                new = visit_move(
                    actor=request.user,
                    booking=booking,
                    starts_at=form.cleaned_data["starts_at"],
                    reason=form.cleaned_data["reason"],
                )
            except SlotUnavailable as exc:
                form.add_error(None, exc.message)
                status = exc.status_code
            except ApplicationError as exc:
                _add_errors(form, exc)
                status = exc.status_code
            else:
                when = date_format(timezone.localtime(new.starts_at), "DATETIME_FORMAT")
                messages.success(request, _("The visit is moved to %(when)s.") % {"when": when})
                return redirect("visit-detail", pk=new.pk)
    context = {
        "booking": booking,
        "form": form,
        "options": move_options(booking=booking),
        "chosen": request.POST.get("starts_at", ""),
    }
    return render(request, "bookings/visit_move.html", context, status=status)


# --- The coordinator's unacknowledged visits -----------------------------------------------


@require_GET
@role_required(Role.COORDINATOR, Role.AGENCY)
def unacknowledged(request):
    now = timezone.now()
    page = Paginator(unacknowledged_for(request.user, now=now), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "bookings/visit_unacknowledged.html", {"page": page, "now": now})


# --- The calendar --------------------------------------------------------------------------


def _calendar_locale() -> str:
    """FullCalendar's locale for the UI language (its 'en' starts weeks on Sunday)."""
    return "da" if translation.get_language() == "da" else "en-gb"


@require_GET
@role_required(*STAFF)
def calendar(request):
    try:
        scope = calendar_scope(request.user, request.GET.get("consultant"))
    except NotFound:
        if request.GET.get("consultant"):
            raise Http404 from None
        return render(request, "bookings/calendar_page.html", {"scope": None})
    target = scope.selected or scope.own
    config = {
        "eventsUrl": reverse("calendar-events"),
        "consultant": scope.value,
        "locale": _calendar_locale(),
        "timeZone": settings.TIME_ZONE,
        "initialDate": timezone.localdate().isoformat(),
        "initialView": request.GET.get("view")
        if request.GET.get("view") in ("timeGridWeek", "dayGridMonth", "listWeek", "listMonth")
        else "timeGridWeek",
        "loadError": _("The visits could not be loaded. Please reload the page."),
        "notAcknowledged": _("Not acknowledged"),
    }
    colours = scope.colours
    context = {
        "scope": scope,
        "config": config,
        "target": target,
        "legend": [
            (STATE_MARKERS[s], STATE_COLOURS[s], s.label)
            for s in (
                BookingState.BOOKED,
                BookingState.HELD,
                BookingState.CANCELLED_COMPANY,
                BookingState.CANCELLED_JOBCENTRE,
                BookingState.NO_SHOW_COMPANY,
            )
        ],
        "people": [(c, colours[c.pk]) for c in scope.choices] if scope.selected is None else [],
    }
    return render(request, "bookings/calendar_page.html", context)


@require_GET
@role_required(*STAFF)
def events(request):
    """FullCalendar's JSON feed: ?start=&end=&consultant= (an id, 'all', or empty: one's
    own), times as local wall-clock times (the page runs in settings.TIME_ZONE)."""
    try:
        scope = calendar_scope(request.user, request.GET.get("consultant"))
        start, end = calendar_range(request.GET.get("start"), request.GET.get("end"))
        found = calendar_events(user=request.user, scope=scope, start=start, end=end)
    except ApplicationError as exc:
        body = {"detail": str(exc.message)}
        if exc.field_errors:
            body["errors"] = {k: [str(m) for m in v] for k, v in exc.field_errors.items()}
        return JsonResponse(body, status=exc.status_code)
    return JsonResponse([fullcalendar_event(e) for e in found], safe=False)


def _feed_consultant(request):
    try:
        scope = calendar_scope(request.user, request.POST.get("consultant"))
    except NotFound:
        raise Http404 from None
    if scope.selected is None:
        raise Http404
    return scope.selected


@require_POST
@role_required(*STAFF)
def feed_rotate(request):
    consultant = _feed_consultant(request)
    try:
        token = feed_token_rotate(actor=request.user, consultant=consultant)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('calendar')}?consultant={consultant.pk}")
    url = feed_url(token)
    response = render(
        request,
        "bookings/calendar_feed_created.html",
        {
            "consultant": consultant,
            "url": url,
            "webcal": "webcal://" + url.split("://", 1)[-1],
            "own": consultant.user_id == request.user.pk,
        },
    )
    # The link is shown this once: never cached, never sent on in a Referer header.
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
@role_required(*STAFF)
def feed_revoke(request):
    consultant = _feed_consultant(request)
    try:
        had_one = feed_token_revoke(actor=request.user, consultant=consultant)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if had_one:
            messages.success(request, _("The calendar link is switched off."))
        else:
            messages.info(request, _("There was no calendar link to switch off."))
    return redirect(f"{reverse('calendar')}?consultant={consultant.pk}")


# --- The feed (public) ---------------------------------------------------------------------


@login_not_required
@require_GET
@never_cache
def feed(request, token: str):
    """A consultant's visits as iCalendar, for calendar programs to subscribe to. A wrong
    or revoked token gets a plain 404."""
    consultant = consultant_for_feed(token)
    if consultant is None:
        raise Http404
    response = HttpResponse(feed_ics(consultant), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="visitbook.ics"'
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
