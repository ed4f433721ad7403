"""The one filter of the agency's dashboards and report endpoints, and who may see what.

Every dashboard page, every drill-down list and every /api/v1/reports/ endpoint reads the same
GET parameters through ReportFilterForm and gets one ReportFilter:

- campaign: a campaign's id; absent: the latest campaign (by start date).
- track: "1" or "2"; absent: both.
- rar_area, jobcentre: ids; absent: all.
- date_from, date_to: ISO dates (YYYY-MM-DD), both inclusive, on the visit's start in local
  time (Europe/Copenhagen).

Scoping: agency staff see everything; a coordinator sees only their own jobcentre, forced
whatever the parameters say; everyone else gets 403 (report_scope).

A moved visit is kept as a 'moved' row beside the booking that replaced it; reports count the
visit once, as its replacement, so every filter leaves the 'moved' rows out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking, BookingState
from bookings.slots import LOCAL_TZ
from campaign.models import Campaign, Track
from campaign.queries import newest_campaign
from common.errors import ApplicationError
from consultants.models import Jobcentre, RarArea
from consultants.roles import Role, has_role, is_agency, jobcentre_id_of

FILTER_PARAMS = ("campaign", "track", "rar_area", "jobcentre", "date_from", "date_to")


def report_scope(user) -> int | None:
    """None for agency staff (everything), the jobcentre's id for a coordinator; anyone else
    (phoners, consultants, a coordinator without a jobcentre) is refused with 403."""
    if is_agency(user):
        return None
    if has_role(user, Role.COORDINATOR):
        jobcentre_id = jobcentre_id_of(user)
        if jobcentre_id is not None:
            return jobcentre_id
    raise PermissionDenied


class FilterError(ApplicationError):
    """The parameters do not make a filter; `form` holds the errors per field."""

    def __init__(self, form: ReportFilterForm):
        self.form = form
        field_errors = {name: list(errors) for name, errors in form.errors.items()}
        super().__init__(_("The report filter is not valid."), field_errors=field_errors)


class ReportFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.order_by("-starts_on", "-pk"),
        required=False,
        empty_label=_("Latest campaign"),
        error_messages={"invalid_choice": _("There is no such campaign.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    track = forms.ChoiceField(
        label=_("Track"),
        choices=[("", _("Both tracks")), *Track.choices],
        required=False,
        error_messages={"invalid_choice": _("The track is 1 or 2.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    rar_area = forms.ModelChoiceField(
        label=_("RAR area"),
        queryset=RarArea.objects.all(),
        required=False,
        empty_label=_("All RAR areas"),
        error_messages={"invalid_choice": _("There is no such RAR area.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    jobcentre = forms.ModelChoiceField(
        label=_("Jobcentre"),
        queryset=Jobcentre.objects.order_by("name"),
        required=False,
        empty_label=_("All jobcentres"),
        error_messages={"invalid_choice": _("There is no such jobcentre.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date_from = forms.DateField(
        label=_("Visits from"),
        required=False,
        error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Visits to"),
        required=False,
        error_messages={"invalid": _("Give a date as YYYY-MM-DD.")},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, scope: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        if scope is not None:
            # A coordinator's jobcentre is fixed: the choices go, the filter forces it.
            del self.fields["rar_area"]
            del self.fields["jobcentre"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


@dataclass(frozen=True)
class ReportFilter:
    """What a report counts. `q(prefix)` is the filter as lookups from any model that leads
    to Booking; `registered_q()` the same on an Outcome, Agreement or FollowUp's own copy of
    its visit's keys."""

    campaign: Campaign | None = None
    track: str | None = None
    rar_area: RarArea | None = None
    jobcentre: Jobcentre | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    scoped: bool = False  # a coordinator's: the jobcentre is forced

    def _bounds(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        start = (
            dt.datetime.combine(self.date_from, dt.time.min, LOCAL_TZ) if self.date_from else None
        )
        end = (
            dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, LOCAL_TZ)
            if self.date_to
            else None
        )
        return start, end

    def _lookups(self, starts_at: str) -> dict:
        lookups: dict = {}
        if self.campaign is not None:
            lookups["campaign"] = self.campaign.pk
        if self.track:
            lookups["track"] = self.track
        if self.jobcentre is not None:
            lookups["jobcentre"] = self.jobcentre.pk
        if self.rar_area is not None:
            lookups["jobcentre__rar_area"] = self.rar_area.pk
        start, end = self._bounds()
        if start is not None:
            lookups[f"{starts_at}__gte"] = start
        if end is not None:
            lookups[f"{starts_at}__lt"] = end
        return lookups

    def q(self, prefix: str = "") -> Q:
        """The visits the filter keeps, as a Q over `prefix` + Booking's fields."""
        lookups = self._lookups("starts_at")
        return Q(**{prefix + k: v for k, v in lookups.items()}) & ~Q(
            **{prefix + "state": BookingState.MOVED}
        )

    def registered_q(self, prefix: str = "") -> Q:
        """The same visits, as a Q over the keys an outcome, agreement or follow-up carries
        (bookings.models.VisitKeys): counting those needs no join with the visits. Such a
        row's visit is never a moved one."""
        lookups = self._lookups("visit_starts_at")
        return Q(**{prefix + k: v for k, v in lookups.items()})

    def call_list_q(self, prefix: str = "") -> Q:
        """The call lists the filter keeps (the dates do not apply: lists have none)."""
        q = self.participation_q(prefix)
        if self.track:
            q &= Q(**{prefix + "track": self.track})
        return q

    def participation_q(self, prefix: str = "") -> Q:
        """The jobcentres' participations the filter keeps: campaign, area and jobcentre."""
        lookups: dict = {}
        if self.campaign is not None:
            lookups["campaign"] = self.campaign.pk
        if self.jobcentre is not None:
            lookups["jobcentre"] = self.jobcentre.pk
        if self.rar_area is not None:
            lookups["jobcentre__rar_area"] = self.rar_area.pk
        return Q(**{prefix + k: v for k, v in lookups.items()})

    def visits(self) -> QuerySet[Booking]:
        return Booking.objects.filter(self.q())

    def params(self) -> dict[str, str]:
        """The filter as GET parameters (the campaign always explicit), for links."""
        params = {}
        if self.campaign is not None:
            params["campaign"] = str(self.campaign.pk)
        if self.track:
            params["track"] = self.track
        if self.rar_area is not None and not self.scoped:
            params["rar_area"] = str(self.rar_area.pk)
        if self.jobcentre is not None and not self.scoped:
            params["jobcentre"] = str(self.jobcentre.pk)
        if self.date_from:
            params["date_from"] = self.date_from.isoformat()
        if self.date_to:
            params["date_to"] = self.date_to.isoformat()
        return params

    def querystring(self, **extra) -> str:
        """params() plus `extra` (None values left out), urlencoded."""
        params = self.params()
        for key, value in extra.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = str(value)
        return urlencode(params)

    def narrowed(self, **changes) -> ReportFilter:
        """The same filter with some fields changed (a coordinator's jobcentre stays)."""
        if self.scoped:
            changes.pop("jobcentre", None)
        return replace(self, **changes)


def filter_form(user, params) -> ReportFilterForm:
    """The bound filter form for the user (403 for those who may not see reports)."""
    scope = report_scope(user)
    data = {key: params.get(key, "") for key in FILTER_PARAMS if key in params}
    return ReportFilterForm(data, scope=scope)


def report_filter(user, params) -> ReportFilter:
    """The filter from GET parameters for this user: 403 for those who may not see reports,
    FilterError (400, with field errors) for parameters that make no filter."""
    return filter_from_form(filter_form(user, params))


def filter_from_form(form: ReportFilterForm) -> ReportFilter:
    if not form.is_valid():
        raise FilterError(form)
    data = form.cleaned_data
    campaign = data.get("campaign") or newest_campaign()
    if form.scope is not None:
        jobcentre = Jobcentre.objects.select_related("rar_area").get(pk=form.scope)
        return ReportFilter(
            campaign=campaign,
            track=data.get("track") or None,
            jobcentre=jobcentre,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            scoped=True,
        )
    return ReportFilter(
        campaign=campaign,
        track=data.get("track") or None,
        rar_area=data.get("rar_area"),
        jobcentre=data.get("jobcentre"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )
