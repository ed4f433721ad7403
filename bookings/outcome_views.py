"""The page of a visit's outcome: the short outcome form, with its agreements and
follow-ups (rows can be added without JavaScript too), and, once registered, the outcome
with its agreements and follow-ups. Every write goes through bookings.outcomes; a refused
one is shown as a form error or a message. Filled positions, the follow-up lists and the
visits still missing an outcome are bookings.followup_views."""

from django import forms
from django.contrib import messages
from django.db.models import F
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from bookings.models import (
    HELD_KINDS,
    AgreementKind,
    Booking,
    BookingState,
    FollowUpKind,
    OutcomeKind,
)
from bookings.outcomes import (
    DESCRIPTION_MAX_LENGTH,
    MAX_POSITIONS,
    REASON_MAX_LENGTH,
    can_fill_agreement,
    can_register_outcome,
    followup_default_due,
    followup_default_owner,
    followup_owner_choices,
    outcome_register,
)
from bookings.queries import bookings_for
from bookings.visits import STAFF
from common.errors import ApplicationError, Conflict, PermissionDenied
from common.http import int_or_none, safe_next
from consultants.models import Consultant
from consultants.permissions import role_required
from consultants.roles import can_manage_jobcentre, consultant_of

# The number key (and access key) of each outcome, in the order of the form.
KIND_KEYS = {kind: str(number) for number, kind in enumerate(OutcomeKind.values, start=1)}
SMALL_DATE_INPUT = forms.DateInput(
    attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d"
)
SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


# --- Forms ---------------------------------------------------------------------------------


class OutcomeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What came of the visit?"),
        choices=OutcomeKind.choices,
        initial=OutcomeKind.HELD,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("The company's reason for cancelling"),
        required=False,
        max_length=REASON_MAX_LENGTH,
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AgreementRowForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of agreement"),
        choices=[("", "–"), *AgreementKind.choices],
        widget=SMALL_SELECT,
    )
    positions = forms.IntegerField(
        label=_("Positions"),
        min_value=1,
        max_value=MAX_POSITIONS,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )


class FollowUpRowForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind of follow-up"),
        choices=[("", "–"), *FollowUpKind.choices],
        widget=SMALL_SELECT,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    due_on = forms.DateField(
        label=_("Due"),
        widget=SMALL_DATE_INPUT,
        error_messages={"required": _("A follow-up needs a due date.")},
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=Consultant.objects.none(),
        empty_label="–",
        widget=SMALL_SELECT,
    )

    def __init__(self, *args, owners, default_due, default_owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        # The defaults as field initials: an untouched added row counts as not filled in.
        self.fields["due_on"].initial = default_due
        self.fields["owner"].initial = default_owner.pk if default_owner else None


AgreementFormSet = formset_factory(AgreementRowForm, extra=0, can_delete=True)
FollowUpFormSet = formset_factory(FollowUpRowForm, extra=0, can_delete=True)


# --- Helpers -------------------------------------------------------------------------------


def _booking(request: HttpRequest, pk: int) -> Booking:
    return get_object_or_404(
        bookings_for(request.user).select_related("campaign", "company", "jobcentre"), pk=pk
    )


# --- The outcome form ------------------------------------------------------------------------


def _formsets(booking: Booking, data=None):
    owners = followup_owner_choices(booking)
    followup_kwargs = {
        "owners": owners,
        "default_due": followup_default_due(booking),
        "default_owner": followup_default_owner(booking),
    }
    agreements = AgreementFormSet(data, prefix="agreements")
    followups = FollowUpFormSet(data, prefix="followups", form_kwargs=followup_kwargs)
    return agreements, followups


def _with_added_row(data: QueryDict, prefix: str, defaults: dict) -> QueryDict:
    """The posted data with one more (untouched) row: "add" without JavaScript."""
    data = data.copy()
    total = int_or_none(data.get(f"{prefix}-TOTAL_FORMS")) or 0
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    for name, value in defaults.items():
        data[f"{prefix}-{total}-{name}"] = value
    return data


def _rows(formset, data: QueryDict) -> tuple[list[dict], bool]:
    """The rows filled in, and whether all of them are valid. A row whose inputs were not
    sent (hidden and disabled by the page's script) or left untouched does not count."""
    rows, valid = [], True
    for form in formset.forms:
        if not any(key.startswith(f"{form.prefix}-") for key in data):
            continue
        if data.get(f"{form.prefix}-DELETE") or not form.has_changed():
            continue
        if form.is_valid():
            rows.append(form.cleaned_data)
        else:
            valid = False
    return rows, valid


def _outcome_page(request, booking, context, status=200) -> HttpResponse:
    attendees = booking.attendees.filter(is_active=True).select_related("consultant")
    return render(
        request,
        "bookings/outcome_visit.html",
        {
            "booking": booking,
            "attendees": attendees,
            "next": safe_next(request, ""),
            **context,
        },
        status=status,
    )


def _form_context(form, agreements, followups, errors=None) -> dict:
    kinds = [
        {
            "value": value,
            "label": label,
            "key": KIND_KEYS[value],
            "checked": str(form["kind"].value()) == value,
        }
        for value, label in OutcomeKind.choices
    ]
    return {
        "form": form,
        "kinds": kinds,
        "held_kinds": list(HELD_KINDS),
        "agreements": agreements,
        "followups": followups,
        "agreement_errors": (errors or {}).get("agreements", []),
        "followup_errors": (errors or {}).get("followups", []),
        "cancelled_kind": OutcomeKind.CANCELLED_COMPANY.value,
    }


def _registered_context(request, booking) -> dict:
    outcome = booking.outcome
    user = request.user
    me = consultant_of(user)
    followups = list(
        outcome.followups.select_related("owner", "outcome__booking__company").order_by(
            F("done_at").desc(nulls_first=True), "due_on", "pk"
        )
    )
    return {
        "outcome": outcome,
        "outcome_agreements": list(outcome.agreements.all()),
        "outcome_followups": followups,
        "can_fill": can_fill_agreement(user, booking),
        "can_finish_all": can_manage_jobcentre(user, booking.jobcentre_id),
        "me_id": me.pk if me else None,
        "today": timezone.localdate(),
    }


@require_http_methods(["GET", "POST"])
@role_required(*STAFF)
def visit_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    """The outcome form of one visit; once registered, the outcome."""
    booking = _booking(request, pk)
    if hasattr(booking, "outcome"):
        if request.method == "POST":
            messages.error(request, _("The outcome of this visit has already been registered."))
            return redirect("visit-outcome", booking.pk)
        return _outcome_page(request, booking, _registered_context(request, booking))

    now = timezone.now()
    state = {
        "can_register": can_register_outcome(request.user, booking),
        "not_booked": booking.state != BookingState.BOOKED,
        "not_started": now < booking.starts_at,
    }
    open_for_registration = (
        state["can_register"] and not state["not_booked"] and not state["not_started"]
    )
    state["show_form"] = open_for_registration
    if request.method == "GET" or not open_for_registration:
        if request.method == "POST":
            messages.error(request, _("This visit's outcome cannot be registered now."))
            return redirect("visit-outcome", booking.pk)
        form = OutcomeForm()
        agreements, followups = _formsets(booking)
        return _outcome_page(
            request, booking, {**state, **_form_context(form, agreements, followups)}
        )

    data = request.POST
    added = request.POST.get("add")
    if added in ("agreements", "followups"):
        if added == "agreements":
            data = _with_added_row(data, "agreements", {"positions": "1"})
        else:
            owner = followup_default_owner(booking)
            data = _with_added_row(
                data,
                "followups",
                {
                    "due_on": followup_default_due(booking).isoformat(),
                    "owner": str(owner.pk) if owner else "",
                },
            )
        form = OutcomeForm(data)
        agreements, followups = _formsets(booking, data)
        return _outcome_page(
            request, booking, {**state, **_form_context(form, agreements, followups)}
        )

    form = OutcomeForm(data)
    agreements, followups = _formsets(booking, data)
    form_valid = form.is_valid()
    agreement_rows, agreements_valid = _rows(agreements, data)
    followup_rows, followups_valid = _rows(followups, data)
    if form_valid and agreements_valid and followups_valid:
        try:
            outcome = outcome_register(
                actor=request.user,
                booking=booking,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
                agreements=[
                    {"kind": row["kind"], "positions": row["positions"]} for row in agreement_rows
                ],
                followups=[
                    {
                        "kind": row["kind"],
                        "description": row["description"],
                        "due_on": row["due_on"],
                        "owner": row["owner"],
                    }
                    for row in followup_rows
                ],
                now=now,
            )
        except (Conflict, PermissionDenied) as error:
            messages.error(request, error.message)
            return redirect("visit-outcome", booking.pk)
        except ApplicationError as error:
            for name in ("kind", "reason", "note"):
                for message in error.field_errors.get(name, []):
                    form.add_error(name, message)
            form.add_error(None, error.message)
            return _outcome_page(
                request,
                booking,
                {**state, **_form_context(form, agreements, followups, error.field_errors)},
                status=400,
            )
        messages.success(request, _saved_message(outcome, agreement_rows, followup_rows))
        return redirect(safe_next(request, reverse("visit-outcome", args=[booking.pk])))
    form.add_error(None, _("The outcome was not saved: see the marked fields."))
    return _outcome_page(
        request, booking, {**state, **_form_context(form, agreements, followups)}, status=400
    )


def _saved_message(outcome, agreement_rows, followup_rows) -> str:
    parts = [
        _("%(company)s: %(outcome)s saved.")
        % {"company": outcome.booking.company.name, "outcome": outcome.get_kind_display()}
    ]
    if agreement_rows:
        parts.append(
            ngettext("%(count)d agreement.", "%(count)d agreements.", len(agreement_rows))
            % {"count": len(agreement_rows)}
        )
    if followup_rows:
        parts.append(
            ngettext("%(count)d follow-up.", "%(count)d follow-ups.", len(followup_rows))
            % {"count": len(followup_rows)}
        )
    return " ".join(str(p) for p in parts)
