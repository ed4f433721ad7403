"""Pages where a coordinator accepts a campaign for their jobcentre and vets its call lists,
and where agency staff follow every jobcentre's progress. Each write goes through a service
of campaign.vetting; a refused one is shown as a message or a form error."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from campaign import vetting
from campaign.models import CallList, CallListEntry, Campaign, Participation
from campaign.queries import (
    CallListEntryFilter,
    call_list_entries_for,
    call_lists_for,
    call_lists_with_progress,
    participations_for,
    vetting_progress,
)
from common.errors import ApplicationError
from common.http import safe_next
from consultants.models import Municipality
from consultants.permissions import role_required
from consultants.roles import Role, is_agency

PAGE_SIZE = 50
VETTERS = (Role.COORDINATOR, Role.AGENCY)
REASON_CHOICES = [("", _("Choose a reason")), *CallListEntry.ExclusionReason.choices]


# --- Forms ---------------------------------------------------------------------------------


class QuotaForm(forms.Form):
    quota = forms.IntegerField(
        label=_("Visits the jobcentre can take"),
        min_value=0,
        help_text=_("Never below the visits already booked."),
    )


class VetForm(forms.Form):
    """One decision, for one firm (a row) or many (the bulk form)."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (CallListEntry.Vetting.APPROVED, _("Approve")),
            (CallListEntry.Vetting.EXCLUDED, _("Exclude")),
            (CallListEntry.Vetting.PENDING, _("Undo (not vetted)")),
        ],
    )
    reason = forms.ChoiceField(label=_("Reason"), choices=REASON_CHOICES, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        help_text=_("Required when the reason is 'Other'."),
    )


class IdListField(forms.Field):
    """The ids of the ticked rows (checkboxes named entry_ids). The service refuses ids that
    are not on the list."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        values = value or []
        if not all(str(v).isdigit() for v in values):
            raise forms.ValidationError(_("Select firms from the list."))
        return [int(v) for v in values]


class BulkVetForm(VetForm):
    SELECTED = "selected"
    ALL = "all"

    scope = forms.ChoiceField(
        label=_("Apply to"),
        choices=[(SELECTED, _("The selected firms")), (ALL, _("All firms matching the filter"))],
        initial=SELECTED,
        widget=forms.RadioSelect,
    )
    entry_ids = IdListField(required=False, label=_("Firms"))


class ReleaseForm(forms.Form):
    approve_pending = forms.BooleanField(
        label=_("Approve the firms not yet vetted, and release"), required=False
    )


class DeadlineForm(forms.Form):
    vetting_deadline = forms.DateField(
        label=_("Vetting deadline"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
        help_text=_("The coordinators are reminded on the morning of this day."),
    )


def _show_error(request: HttpRequest, error: ApplicationError, form: forms.Form | None = None):
    """A refused use case: field errors on the form where it has the field, else a message."""
    shown = False
    if form is not None:
        for name, errors in error.field_errors.items():
            if name in form.fields:
                for message in errors:
                    form.add_error(name, message)
                shown = True
    if not shown:
        if form is not None:
            form.add_error(None, error.message)
        else:
            messages.error(request, error.message)


def _list_url(call_list: CallList, querystring: str = "") -> str:
    url = reverse("vetting:call-list", args=[call_list.pk])
    return f"{url}?{querystring}" if querystring else url


# --- Overview ------------------------------------------------------------------------------


@require_GET
@role_required(*VETTERS)
def overview(request: HttpRequest) -> HttpResponse:
    """The campaigns the user's jobcentre is invited to and its call lists (a coordinator), or
    every jobcentre's acceptance and vetting progress in one campaign (agency staff)."""
    participations = participations_for(request.user)
    call_lists = call_lists_with_progress(request.user)
    if is_agency(request.user):
        campaigns = Campaign.objects.all()
    else:
        campaigns = Campaign.objects.filter(
            Q(pk__in=participations.values("campaign_id"))
            | Q(pk__in=call_lists.values("campaign_id"))
        )
    campaigns = list(campaigns)
    selected = None
    campaign_id = request.GET.get("campaign", "")
    if campaign_id.isdigit():
        selected = next((c for c in campaigns if c.pk == int(campaign_id)), None)
    elif campaign_id == "" and is_agency(request.user) and campaigns:
        # Agency staff see up to 94 jobcentres per campaign: one campaign at a time.
        selected = campaigns[0]
    if selected is not None:
        participations = participations.filter(campaign=selected)
        call_lists = call_lists.filter(campaign=selected)
    return render(
        request,
        "campaign/vetting_overview.html",
        {
            "campaigns": campaigns,
            "selected": selected,
            "participations": participations,
            "call_lists": call_lists,
        },
    )


# --- Participation: accept and quota ---------------------------------------------------------


def _participation(request: HttpRequest, pk: int) -> Participation:
    return get_object_or_404(participations_for(request.user), pk=pk)


def _participation_page(request, participation, form, status=200) -> HttpResponse:
    return render(
        request,
        "campaign/vetting_participation.html",
        {"participation": participation, "form": form},
        status=status,
    )


@require_GET
@role_required(*VETTERS)
def participation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    participation = _participation(request, pk)
    initial = {"quota": participation.quota or None}
    return _participation_page(request, participation, QuotaForm(initial=initial))


def _participation_write(request: HttpRequest, pk: int, service, done_message) -> HttpResponse:
    participation = _participation(request, pk)
    form = QuotaForm(request.POST)
    if form.is_valid():
        try:
            service(
                actor=request.user, participation=participation, quota=form.cleaned_data["quota"]
            )
        except ApplicationError as error:
            _show_error(request, error, form)
        else:
            messages.success(request, done_message)
            return redirect(f"{reverse('vetting:overview')}?campaign={participation.campaign_id}")
    return _participation_page(request, participation, form, status=400)


@require_POST
@role_required(*VETTERS)
def participation_accept(request: HttpRequest, pk: int) -> HttpResponse:
    return _participation_write(
        request, pk, vetting.participation_accept, _("The campaign is accepted.")
    )


@require_POST
@role_required(*VETTERS)
def participation_quota(request: HttpRequest, pk: int) -> HttpResponse:
    return _participation_write(
        request, pk, vetting.participation_quota_set, _("The quota is changed.")
    )


# --- One call list: its firms, vetting, release, deadline ----------------------------------


def _call_list(request: HttpRequest, pk: int) -> CallList:
    return get_object_or_404(call_lists_for(request.user), pk=pk)


def _filterset(request: HttpRequest, call_list: CallList, data) -> CallListEntryFilter:
    filterset = CallListEntryFilter(
        data,
        queryset=call_list_entries_for(request.user)
        .filter(call_list=call_list)
        .order_by("position", "pk"),
    )
    # Offer only the municipalities the jobcentre serves.
    filterset.filters["municipality"].queryset = Municipality.objects.filter(
        jobcentre_id=call_list.jobcentre_id
    )
    for field in filterset.form.fields.values():
        if isinstance(field.widget, forms.Select):
            field.widget.attrs["class"] = "form-select"
        else:
            field.widget.attrs["class"] = "form-control"
        if isinstance(field.widget, forms.NumberInput):
            field.widget.attrs.update(min="0", step="1")
    return filterset


def _filter_querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@role_required(*VETTERS)
def call_list_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call_list = _call_list(request, pk)
    if request.htmx and request.GET.get("fragment") == "progress":
        # Refreshed after each row's decision (the row's answer triggers "vetted").
        return render(
            request,
            "campaign/vetting_call_list.html#progress",
            {"call_list": call_list, "progress": vetting_progress(call_list)},
        )
    filterset = _filterset(request, call_list, request.GET or None)
    entries = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    is_vetting = call_list.status == CallList.Status.VETTING
    return render(
        request,
        "campaign/vetting_call_list.html",
        {
            "call_list": call_list,
            "filterset": filterset,
            "page": page,
            "progress": vetting_progress(call_list),
            "is_vetting": is_vetting,
            "filter_querystring": _filter_querystring(request),
            "reason_choices": REASON_CHOICES,
            "bulk_form": BulkVetForm(),
            "release_form": ReleaseForm(),
            "deadline_form": DeadlineForm(initial={"vetting_deadline": call_list.vetting_deadline}),
            "accepted": Participation.objects.filter(
                campaign_id=call_list.campaign_id,
                jobcentre_id=call_list.jobcentre_id,
                accepted_at__isnull=False,
            ).exists(),
        },
    )


@require_POST
@role_required(*VETTERS)
def entry_vet(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    """One firm's decision. From htmx the answer is the row, updated in place."""
    call_list = _call_list(request, pk)
    entry = get_object_or_404(call_list_entries_for(request.user), call_list=call_list, pk=entry_pk)
    form = VetForm(request.POST)
    error = None
    if form.is_valid():
        try:
            vetting.entries_vet(
                actor=request.user,
                call_list=call_list,
                entry_ids=[entry.pk],
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as refused:
            error = refused.message
    else:
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    if request.htmx:
        entry = call_list_entries_for(request.user).get(pk=entry.pk)
        response = render(
            request,
            "campaign/vetting_call_list.html#entry-row",
            {
                "call_list": call_list,
                "entry": entry,
                "is_vetting": call_list.status == CallList.Status.VETTING,
                "row_error": error,
                "row_form": form if error else None,
                "reason_choices": REASON_CHOICES,
                "next": request.POST.get("next", ""),
            },
        )
        if not error:
            response["HX-Trigger"] = "vetted"  # the progress counts reload themselves
        return response
    if error:
        messages.error(request, f"{entry.company.name}: {error}")
    return redirect(safe_next(request, _list_url(call_list)))


@require_POST
@role_required(*VETTERS)
def entries_bulk_vet(request: HttpRequest, pk: int) -> HttpResponse:
    """One decision for the selected firms, or for every firm matching the filter in the
    query string (the same filter as the page)."""
    call_list = _call_list(request, pk)
    back = _list_url(call_list, _filter_querystring(request))
    form = BulkVetForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back)
    data = form.cleaned_data
    if data["scope"] == BulkVetForm.ALL:
        filterset = _filterset(request, call_list, request.GET)
        if not filterset.is_valid():
            messages.error(request, _("The filter is not valid."))
            return redirect(back)
        entry_ids = list(filterset.qs.values_list("pk", flat=True))
    else:
        entry_ids = data["entry_ids"]
    try:
        changed = vetting.entries_vet(
            actor=request.user,
            call_list=call_list,
            entry_ids=entry_ids,
            decision=data["decision"],
            reason=data["reason"],
            note=data["note"],
        )
    except ApplicationError as error:
        _show_error(request, error)
    else:
        messages.success(
            request,
            ngettext("%(count)d firm changed.", "%(count)d firms changed.", changed)
            % {"count": changed},
        )
    return redirect(back)


@require_POST
@role_required(*VETTERS)
def call_list_release(request: HttpRequest, pk: int) -> HttpResponse:
    call_list = _call_list(request, pk)
    form = ReleaseForm(request.POST)
    form.is_valid()  # a checkbox: always valid
    try:
        vetting.call_list_release(
            actor=request.user,
            call_list=call_list,
            approve_pending=form.cleaned_data.get("approve_pending", False),
        )
    except ApplicationError as error:
        _show_error(request, error)
    else:
        messages.success(request, _("The call list is released to the phoners."))
    return redirect(safe_next(request, _list_url(call_list)))


@require_POST
@role_required(*VETTERS)
def call_list_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    call_list = _call_list(request, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(safe_next(request, _list_url(call_list)))
    deadline = form.cleaned_data["vetting_deadline"]
    try:
        vetting.call_list_deadline_set(actor=request.user, call_list=call_list, deadline=deadline)
    except ApplicationError as error:
        _show_error(request, error)
    else:
        if deadline:
            messages.success(request, _("The vetting deadline is set."))
        else:
            messages.success(request, _("The vetting deadline is removed."))
    return redirect(safe_next(request, _list_url(call_list)))
