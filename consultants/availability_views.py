"""The availability page (/availability/): a consultant's weekly working hours, absences and
visit caps, kept by the consultant, their coordinator or agency staff. Every write goes
through consultants.availability; a refused one is shown on the form it came from."""

import contextlib
import datetime as dt
from itertools import groupby

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from common.errors import ApplicationError
from consultants import availability
from consultants.availability import WEEKDAY_KEYS
from consultants.models import Absence, Consultant, WorkingHours
from consultants.permissions import role_required
from consultants.roles import Role, can_manage_jobcentre, consultant_of

KEEPERS = (Role.CONSULTANT, Role.COORDINATOR, Role.AGENCY)
MAX_SLOTS = 6
RECENT_DAYS = 30  # absences that ended this long ago are still listed


# --- Forms ---------------------------------------------------------------------------------


def _time_input():
    return forms.TimeInput(attrs={"type": "time", "class": "form-control"}, format="%H:%M")


def _date_input():
    return forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class WeekForm(forms.Form):
    """The week grid: per weekday `slots` intervals (from, to); empty pairs are no hours."""

    slots = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_SLOTS)

    def __init__(self, *args, slots: int = 2, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            with contextlib.suppress(TypeError, ValueError):
                slots = min(max(int(self.data.get("slots", slots)), 1), MAX_SLOTS)
        self.slot_count = slots
        self.fields["slots"].initial = slots
        self.day_errors: dict[str, list[str]] = {}
        for day, key in enumerate(WEEKDAY_KEYS):
            name = WorkingHours.Weekday(day).label
            for i in range(slots):
                self.fields[f"{key}_{i}_start"] = forms.TimeField(
                    label=_("%(day)s, interval %(n)d, from") % {"day": name, "n": i + 1},
                    required=False,
                    widget=_time_input(),
                )
                self.fields[f"{key}_{i}_end"] = forms.TimeField(
                    label=_("%(day)s, interval %(n)d, to") % {"day": name, "n": i + 1},
                    required=False,
                    widget=_time_input(),
                )

    @staticmethod
    def initial_for(week: availability.Week) -> dict:
        initial = {}
        for day, key in enumerate(WEEKDAY_KEYS):
            for i, (start, end) in enumerate(week.get(day, [])):
                initial[f"{key}_{i}_start"] = start
                initial[f"{key}_{i}_end"] = end
        return initial

    def clean(self):
        cleaned = super().clean()
        for key in WEEKDAY_KEYS:
            for i in range(self.slot_count):
                start, end = cleaned.get(f"{key}_{i}_start"), cleaned.get(f"{key}_{i}_end")
                if (start is None) != (end is None):
                    missing = f"{key}_{i}_end" if end is None else f"{key}_{i}_start"
                    if missing not in self.errors:
                        self.add_error(missing, _("Give both times, or neither."))
        return cleaned

    def week(self) -> availability.Week:
        week: availability.Week = {}
        for day, key in enumerate(WEEKDAY_KEYS):
            week[day] = [
                (self.cleaned_data[f"{key}_{i}_start"], self.cleaned_data[f"{key}_{i}_end"])
                for i in range(self.slot_count)
                if self.cleaned_data.get(f"{key}_{i}_start") is not None
                and self.cleaned_data.get(f"{key}_{i}_end") is not None
            ]
        return week

    def rows(self) -> list[dict]:
        """The grid for the template: per weekday its label, interval fields and errors."""
        rows = []
        for day, key in enumerate(WEEKDAY_KEYS):
            pairs = [
                (self[f"{key}_{i}_start"], self[f"{key}_{i}_end"]) for i in range(self.slot_count)
            ]
            errors = [str(e) for pair in pairs for f in pair for e in f.errors]
            rows.append(
                {
                    "key": key,
                    "label": WorkingHours.Weekday(day).label,
                    "pairs": pairs,
                    "errors": errors + self.day_errors.get(key, []),
                }
            )
        return rows


class AbsenceForm(forms.Form):
    """From a date (and time) to a date (and time); without times the days are whole."""

    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Absence.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    starts_on = forms.DateField(label=_("From date"), widget=_date_input())
    starts_time = forms.TimeField(
        label=_("From time (optional)"),
        required=False,
        widget=_time_input(),
        help_text=_("Empty: from the start of the day."),
    )
    ends_on = forms.DateField(label=_("To date"), widget=_date_input())
    ends_time = forms.TimeField(
        label=_("To time (optional)"),
        required=False,
        widget=_time_input(),
        help_text=_("Empty: to the end of the day."),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=Absence._meta.get_field("note").max_length,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    # The service's argument names, and the form field that shows their errors.
    FIELD_OF = {"starts_at": "starts_on", "ends_at": "ends_on"}

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        zone = timezone.get_current_timezone()
        start_time = cleaned.get("starts_time") or dt.time.min
        cleaned["starts_at"] = dt.datetime.combine(cleaned["starts_on"], start_time, zone)
        if cleaned.get("ends_time") is None:
            end_day = cleaned["ends_on"] + dt.timedelta(days=1)
            cleaned["ends_at"] = dt.datetime.combine(end_day, dt.time.min, zone)
        else:
            cleaned["ends_at"] = dt.datetime.combine(cleaned["ends_on"], cleaned["ends_time"], zone)
        return cleaned


class CapsForm(forms.Form):
    max_visits_per_day = forms.IntegerField(
        label=_("Most visits a day"),
        min_value=1,
        max_value=availability.MAX_VISITS_PER_DAY,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    max_visits_per_week = forms.IntegerField(
        label=_("Most visits a week"),
        min_value=1,
        max_value=availability.MAX_VISITS_PER_WEEK,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )


def _show_error(error: ApplicationError, form: forms.Form, field_of: dict | None = None):
    """A refused use case on its form: field errors where the form has the field (weekday
    errors on their row of the week grid), else at the top of the form."""
    shown = False
    for name, errors in error.field_errors.items():
        name = (field_of or {}).get(name, name)
        if isinstance(form, WeekForm) and name in WEEKDAY_KEYS:
            form.day_errors.setdefault(name, []).extend(str(e) for e in errors)
            shown = True
        elif name in form.fields:
            for message in errors:
                form.add_error(name, message)
            shown = True
    if not shown:
        form.add_error(None, error.message)


# --- The page ------------------------------------------------------------------------------


def absence_display(absence: Absence) -> str:
    """'9.12.2026 (whole day)', '9.12.2026 to 11.12.2026 (whole days)', or both times."""
    starts = timezone.localtime(absence.starts_at)
    ends = timezone.localtime(absence.ends_at)
    if starts.time() == dt.time.min and ends.time() == dt.time.min:
        last = (ends - dt.timedelta(days=1)).date()
        if last == starts.date():
            return _("%(day)s (whole day)") % {"day": _day(starts.date())}
        return _("%(first)s to %(last)s (whole days)") % {
            "first": _day(starts.date()),
            "last": _day(last),
        }
    return f"{_day(starts.date())} {starts:%H:%M} – {_day(ends.date())} {ends:%H:%M}"


def _day(day: dt.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _page_url(consultant: Consultant) -> str:
    return f"{reverse('availability')}?consultant={consultant.pk}"


def _editable(request: HttpRequest):
    return availability.editable_consultants(request.user)


def _choices(request: HttpRequest) -> list[tuple[str, list[Consultant]]]:
    """The consultants the user may choose, grouped by jobcentre (representatives last)."""
    consultants = sorted(
        _editable(request),
        key=lambda c: (c.jobcentre is None, c.jobcentre.name if c.jobcentre else "", c.name),
    )
    return [
        (str(jobcentre) if jobcentre else str(_("Jobservice Danmark")), list(group))
        for jobcentre, group in groupby(consultants, key=lambda c: c.jobcentre)
    ]


def _week_slots(week: availability.Week) -> int:
    return min(max(2, max(len(v) for v in week.values()) + 1), MAX_SLOTS)


def _render(
    request: HttpRequest,
    consultant: Consultant | None,
    *,
    week_form: WeekForm | None = None,
    absence_form: AbsenceForm | None = None,
    caps_form: CapsForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict = {"consultant": consultant, "choices": _choices(request)}
    if consultant is not None:
        now = timezone.now()
        if week_form is None:
            week = availability.week_of(consultant)
            week_form = WeekForm(initial=WeekForm.initial_for(week), slots=_week_slots(week))
        absences = list(
            consultant.absences.filter(ends_at__gte=now - dt.timedelta(days=RECENT_DAYS)).order_by(
                "starts_at", "pk"
            )
        )
        collisions = availability.collisions_of(absences)
        own = consultant_of(request.user)
        may_reassign = consultant.jobcentre_id is not None and can_manage_jobcentre(
            request.user, consultant.jobcentre_id
        )
        context.update(
            week_form=week_form,
            week_rows=week_form.rows(),
            absences=[
                {
                    "absence": a,
                    "when": absence_display(a),
                    "collisions": collisions[a.pk],
                    "is_past": a.ends_at <= now,
                }
                for a in absences
            ],
            absence_form=absence_form or AbsenceForm(initial={"kind": Absence.Kind.HOLIDAY}),
            caps_form=caps_form
            or CapsForm(
                initial={
                    "max_visits_per_day": consultant.max_visits_per_day,
                    "max_visits_per_week": consultant.max_visits_per_week,
                }
            ),
            may_reassign=may_reassign,
            now=now,
            is_own=own is not None and own.pk == consultant.pk,
        )
    return render(request, "consultants/availability_page.html", context, status=status)


@require_GET
@role_required(*KEEPERS)
def availability_page(request: HttpRequest) -> HttpResponse:
    """Your own availability, or (`?consultant=`) that of a consultant you manage."""
    wanted = request.GET.get("consultant", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        consultant = get_object_or_404(_editable(request), pk=int(wanted))
    else:
        consultant = consultant_of(request.user)
    return _render(request, consultant)


def _consultant(request: HttpRequest, pk: int) -> Consultant:
    return get_object_or_404(_editable(request), pk=pk)


@require_POST
@role_required(*KEEPERS)
def working_hours_save(request: HttpRequest, consultant_pk: int) -> HttpResponse:
    consultant = _consultant(request, consultant_pk)
    form = WeekForm(request.POST)
    if form.is_valid():
        try:
            availability.working_hours_set(
                actor=request.user, consultant=consultant, week=form.week()
            )
        except ApplicationError as error:
            _show_error(error, form)
        else:
            messages.success(request, _("The working hours are saved."))
            return redirect(_page_url(consultant))
    return _render(request, consultant, week_form=form, status=400)


@require_POST
@role_required(*KEEPERS)
def caps_save(request: HttpRequest, consultant_pk: int) -> HttpResponse:
    consultant = _consultant(request, consultant_pk)
    form = CapsForm(request.POST)
    if form.is_valid():
        try:
            availability.visit_caps_set(
                actor=request.user,
                consultant=consultant,
                per_day=form.cleaned_data["max_visits_per_day"],
                per_week=form.cleaned_data["max_visits_per_week"],
            )
        except ApplicationError as error:
            _show_error(error, form)
        else:
            messages.success(request, _("The most visits a day and a week are saved."))
            return redirect(_page_url(consultant))
    return _render(request, consultant, caps_form=form, status=400)


@require_POST
@role_required(*KEEPERS)
def absence_add(request: HttpRequest, consultant_pk: int) -> HttpResponse:
    consultant = _consultant(request, consultant_pk)
    form = AbsenceForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            created = availability.absence_create(
                actor=request.user,
                consultant=consultant,
                kind=data["kind"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
            )
        except ApplicationError as error:
            _show_error(error, form, AbsenceForm.FIELD_OF)
        else:
            messages.success(request, _("The absence is saved."))
            if created.collisions:
                count = len(created.collisions)
                messages.warning(
                    request,
                    ngettext(
                        "It collides with %(count)d booked visit, listed with the absence. "
                        "The coordinator can give it to another consultant.",
                        "It collides with %(count)d booked visits, listed with the absence. "
                        "The coordinator can give them to other consultants.",
                        count,
                    )
                    % {"count": count},
                )
            return redirect(_page_url(consultant))
    return _render(request, consultant, absence_form=form, status=400)


@require_POST
@role_required(*KEEPERS)
def absence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    absence = get_object_or_404(
        Absence.objects.select_related("consultant").filter(consultant__in=_editable(request)),
        pk=pk,
    )
    try:
        availability.absence_delete(actor=request.user, absence=absence)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The absence is removed."))
    return redirect(_page_url(absence.consultant))
