"""Pages for what follows a visit's outcome: filling an agreement's positions, the
follow-up lists (a consultant's own, a coordinator's jobcentre's, any jobcentre's for
agency staff) with marking a follow-up done, and the visits whose time has passed without
an outcome. Every write goes through bookings.outcomes; a refused one is shown as a form
error or a message. The outcome form itself is bookings.outcome_views."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from bookings.outcomes import (
    DONE_NOTE_MAX_LENGTH,
    FollowUpStatus,
    agreement_filled,
    agreements_for,
    can_fill_agreement,
    followup_done,
    followups_filter,
    followups_for,
    outcomes_missing_for,
)
from bookings.visits import STAFF
from common.errors import ApplicationError, PermissionDenied
from common.http import int_or_none, safe_next
from consultants.models import Consultant, Jobcentre
from consultants.permissions import role_required
from consultants.roles import Role, consultant_of, has_role, is_agency, jobcentre_id_of

PAGE_SIZE = 50
DATE_INPUT = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


# --- Forms ---------------------------------------------------------------------------------


class FilledForm(forms.Form):
    filled_on = forms.DateField(
        label=_("Filled on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Leave empty when no position is filled."),
    )

    def __init__(self, *args, positions: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {
            "filled_positions": forms.IntegerField(
                label=_("Positions filled"),
                min_value=0,
                max_value=positions,
                help_text=_("Of %(positions)d agreed.") % {"positions": positions},
            ),
            **self.fields,
        }


# --- Helpers -------------------------------------------------------------------------------


def _explain(error: ApplicationError) -> str:
    details = " ".join(str(m) for msgs in error.field_errors.values() for m in msgs)
    return f"{error.message} {details}".strip()


def _manages(user) -> bool:
    """Agency staff, or a coordinator with a jobcentre: they see lists beyond their own."""
    if is_agency(user):
        return True
    return has_role(user, Role.COORDINATOR) and jobcentre_id_of(user) is not None


# --- Filled positions ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def agreement_filled_view(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_object_or_404(
        agreements_for(request.user).select_related("outcome__booking__jobcentre"), pk=pk
    )
    booking = agreement.outcome.booking
    back = reverse("visit-outcome", args=[booking.pk])
    if request.method == "POST":
        form = FilledForm(request.POST, positions=agreement.positions)
        if form.is_valid():
            try:
                agreement = agreement_filled(
                    actor=request.user,
                    agreement=agreement,
                    filled_positions=form.cleaned_data["filled_positions"],
                    filled_on=form.cleaned_data["filled_on"],
                )
            except PermissionDenied as error:
                messages.error(request, error.message)
                return redirect(back)
            except ApplicationError as error:
                for name, errors in error.field_errors.items():
                    for message in errors:
                        form.add_error(name if name in form.fields else None, message)
                if not error.field_errors:
                    form.add_error(None, error.message)
            else:
                messages.success(
                    request,
                    _("%(agreement)s: %(filled)d of %(positions)d positions filled.")
                    % {
                        "agreement": agreement.get_kind_display(),
                        "filled": agreement.filled_positions,
                        "positions": agreement.positions,
                    },
                )
                return redirect(safe_next(request, back))
        status = 400
    else:
        form = FilledForm(
            initial={
                "filled_positions": agreement.filled_positions or agreement.positions,
                "filled_on": agreement.filled_on or timezone.localdate(),
            },
            positions=agreement.positions,
        )
        status = 200
    return render(
        request,
        "bookings/outcome_agreement_filled.html",
        {
            "agreement": agreement,
            "booking": booking,
            "form": form,
            "can_fill": can_fill_agreement(request.user, booking),
        },
        status=status,
    )


# --- Follow-ups ----------------------------------------------------------------------------


@require_http_methods(["GET"])
@role_required(*STAFF)
def followup_list(request: HttpRequest) -> HttpResponse:
    """A consultant's own follow-ups; a coordinator's jobcentre's (agency staff: any
    jobcentre's), filtered by owner and status. Open ones by due date, overdue first."""
    user = request.user
    me = consultant_of(user)
    manager = _manages(user)
    status = request.GET.get("status", FollowUpStatus.OPEN)
    if status not in dict(FollowUpStatus.CHOICES):
        status = FollowUpStatus.OPEN
    jobcentres, jobcentre, owners, owner_id = [], None, [], None
    if manager:
        if is_agency(user):
            jobcentres = list(Jobcentre.objects.order_by("name").only("pk", "name"))
            jobcentre_id = int_or_none(request.GET.get("jobcentre"))
            jobcentre = next((j for j in jobcentres if j.pk == jobcentre_id), None)
        else:
            jobcentre = Jobcentre.objects.get(pk=jobcentre_id_of(user))
        if jobcentre is not None:
            owners = list(
                Consultant.objects.filter(jobcentre=jobcentre).order_by("name").only("pk", "name")
            )
        owner_id = int_or_none(request.GET.get("owner"))
        if owner_id is not None and owner_id not in {o.pk for o in owners}:
            owner_id = None
    else:
        owner_id = me.pk if me else -1
    queryset = followups_filter(
        followups_for(user),
        status=status,
        owner_id=owner_id,
        jobcentre_id=jobcentre.pk if jobcentre else None,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookings/followup_list.html",
        {
            "page": page,
            "followups": page.object_list,
            "status": status,
            "status_choices": FollowUpStatus.CHOICES,
            "manager": manager,
            "jobcentres": jobcentres,
            "jobcentre": jobcentre,
            "owners": owners,
            "owner_id": owner_id,
            "me_id": me.pk if me else None,
            "today": timezone.localdate(),
            "done_max_length": DONE_NOTE_MAX_LENGTH,
        },
    )


@require_POST
@role_required(*STAFF)
def followup_done_view(request: HttpRequest, pk: int) -> HttpResponse:
    followup = get_object_or_404(followups_for(request.user), pk=pk)
    try:
        followup_done(actor=request.user, followup=followup, note=request.POST.get("note", ""))
    except ApplicationError as error:
        messages.error(request, _explain(error))
    else:
        messages.success(
            request,
            _("Follow-up done: %(kind)s, %(company)s.")
            % {
                "kind": followup.get_kind_display(),
                "company": followup.outcome.booking.company.name,
            },
        )
    return redirect(safe_next(request, reverse("followups")))


# --- Outcome missing -----------------------------------------------------------------------


@require_http_methods(["GET"])
@role_required(*STAFF)
def outcomes_missing(request: HttpRequest) -> HttpResponse:
    """Visits whose time has passed without an outcome, oldest first: a consultant's own,
    a coordinator's jobcentre's (by consultant if chosen), any for agency staff."""
    user = request.user
    me = consultant_of(user)
    manager = _manages(user)
    jobcentres, jobcentre, consultants, consultant_id = [], None, [], None
    if manager:
        if is_agency(user):
            jobcentres = list(Jobcentre.objects.order_by("name").only("pk", "name"))
            jobcentre_id = int_or_none(request.GET.get("jobcentre"))
            jobcentre = next((j for j in jobcentres if j.pk == jobcentre_id), None)
        else:
            jobcentre = Jobcentre.objects.get(pk=jobcentre_id_of(user))
        if jobcentre is not None:
            consultants = list(
                Consultant.objects.filter(jobcentre=jobcentre).order_by("name").only("pk", "name")
            )
        consultant_id = int_or_none(request.GET.get("consultant"))
        if consultant_id is not None and consultant_id not in {c.pk for c in consultants}:
            consultant_id = None
    else:
        consultant_id = me.pk if me else -1
    queryset = outcomes_missing_for(
        user,
        consultant_id=consultant_id,
        jobcentre_id=jobcentre.pk if jobcentre else None,
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "bookings/outcome_missing.html",
        {
            "page": page,
            "visits": page.object_list,
            "manager": manager,
            "jobcentres": jobcentres,
            "jobcentre": jobcentre,
            "consultants": consultants,
            "consultant_id": consultant_id,
            "now": timezone.now(),
        },
    )
