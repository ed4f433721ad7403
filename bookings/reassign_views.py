"""The reassign page (/visits/<pk>/reassign/): a coordinator gives a booked visit to another
consultant of the jobcentre, seeing who is free at that time and why the others are not."""

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from bookings.models import Booking, BookingState
from bookings.queries import bookings_for
from bookings.reassign import REASON_MAX_LENGTH, booking_reassign, reassign_candidates
from common.errors import ApplicationError, PermissionDenied
from consultants.models import Consultant
from consultants.permissions import role_required
from consultants.roles import Role, can_manage_jobcentre


class ReassignForm(forms.Form):
    consultant = forms.TypedChoiceField(label=_("New consultant"), coerce=int, choices=())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("Told to both consultants, not to the company."),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consultant"].choices = [
            (c.consultant.pk, c.consultant.name) for c in candidates
        ]


def _next(request: HttpRequest) -> str:
    """Where the page was opened from (?next= or the form's next), if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


@require_http_methods(["GET", "POST"])
@role_required(Role.COORDINATOR, Role.AGENCY)
def visit_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    booking: Booking = get_object_or_404(
        bookings_for(request.user).select_related("campaign", "company", "jobcentre"), pk=pk
    )
    if not can_manage_jobcentre(request.user, booking.jobcentre_id):
        raise PermissionDenied
    candidates = reassign_candidates(booking)
    changeable = booking.state == BookingState.BOOKED and booking.starts_at > timezone.now()
    form = ReassignForm(request.POST or None, candidates=candidates)
    status = 200
    if request.method == "POST" and not changeable:
        form.add_error(None, _("Only a booked visit that has not started can be reassigned."))
        status = 409
    elif request.method == "POST" and form.is_valid():
        consultant = get_object_or_404(Consultant, pk=form.cleaned_data["consultant"])
        try:
            booking_reassign(
                actor=request.user,
                booking=booking,
                consultant=consultant,
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as error:
            shown = False
            for name, errors in error.field_errors.items():
                if name in form.fields:
                    for message in errors:
                        form.add_error(name, message)
                    shown = True
            if not shown:
                form.add_error(None, error.message)
            status = error.status_code
        else:
            messages.success(
                request,
                _("The visit is now %(name)s's. Both consultants and the company are told.")
                % {"name": consultant.name},
            )
            return redirect(_next(request) or reverse("visit-reassign", args=[booking.pk]))
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "bookings/reassign_visit.html",
        {
            "booking": booking,
            "candidates": candidates,
            "form": form,
            "changeable": changeable,
            "next": _next(request),
        },
        status=status,
    )
