"""The agency's dashboards under /reports/: an index with the filter, one page per aggregate
(chart, the table with the numbers under it, CSV and XLSX downloads) and the list of visits
behind any figure. Agency staff see everything, a coordinator their own jobcentre, everyone
else gets 403 (reports.filters.report_scope)."""

from __future__ import annotations

from functools import wraps

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from common.errors import ApplicationError
from common.exports import table_download
from reports import presenters
from reports.drilldown import drilldown_description, drilldown_form, drilldown_visits
from reports.filters import (
    FilterError,
    ReportFilter,
    ReportFilterForm,
    filter_form,
    filter_from_form,
)
from reports.followups import followup_compliance
from reports.funnel import DIMENSIONS, funnel
from reports.jobcentres import jobcentre_comparison
from reports.leadtime import lead_time
from reports.outcomes import outcome_shares
from reports.table1 import table1
from reports.tables import Table

PAGE_SIZE = 50
# The survey results page belongs to the surveys app; its path if it is not routed (yet).
SURVEY_RESULTS_PATH = "/surveys/results/"


def survey_results_url() -> str:
    try:
        return reverse("survey_results:index")
    except NoReverseMatch:
        return SURVEY_RESULTS_PATH


PAGES = (
    (
        "reports:table1",
        gettext_lazy("Table 1"),
        gettext_lazy("Visits, outcomes and agreements per RAR area, as in the report."),
    ),
    (
        "reports:funnel",
        gettext_lazy("Funnel"),
        gettext_lazy("From firms imported to surveys answered."),
    ),
    (
        "reports:lead-time",
        gettext_lazy("Cancellation by lead time"),
        gettext_lazy("Visits booked far ahead are cancelled more often."),
    ),
    (
        "reports:outcomes",
        gettext_lazy("Outcomes"),
        gettext_lazy("Held, short, by phone, cancelled and no-shows."),
    ),
    (
        "reports:followups",
        gettext_lazy("Follow-up compliance"),
        gettext_lazy("Follow-ups done on time, late and overdue."),
    ),
    (
        "reports:jobcentres",
        gettext_lazy("Jobcentres compared"),
        gettext_lazy("Quota, visits, outcome registration and agreements."),
    ),
)


def report_page(view):
    """GET only; 403 for those who may not see reports; the filter from the GET parameters,
    or the form's errors with status 400."""

    @wraps(view)
    @require_GET
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = filter_form(request.user, request.GET)
        try:
            filters = filter_from_form(form)
        except FilterError:
            return _refused(request, form, _("The report filter is not valid."))
        try:
            return view(request, filters, form, *args, **kwargs)
        except ApplicationError as error:
            return _refused(request, form, str(error.message), error.field_errors)

    return wrapped


def _refused(request, form, message: str, field_errors: dict | None = None) -> HttpResponse:
    return render(
        request,
        "reports/invalid.html",
        {
            "form": form,
            "message": message,
            "field_errors": {k: [str(m) for m in v] for k, v in (field_errors or {}).items()},
            "pages": report_pages(""),
        },
        status=400,
    )


def report_pages(querystring: str, current: str = "") -> list[dict]:
    return [
        {
            "name": name,
            "title": title,
            "description": description,
            "url": f"{reverse(name)}?{querystring}" if querystring else reverse(name),
            "current": name == current,
        }
        for name, title, description in PAGES
    ]


def _respond(
    request: HttpRequest,
    *,
    current: str,
    title: str,
    filters: ReportFilter,
    form: ReportFilterForm,
    report_tables: list[Table],
    chart: dict | None,
    chart_label: str = "",
    page_params: dict | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """The page, or with ?format=csv|xlsx one of its tables (?table=key, default the first)
    as a download."""
    fmt = request.GET.get("format")
    if fmt:
        wanted = request.GET.get("table") or report_tables[0].key
        table = next((t for t in report_tables if t.key == wanted), None)
        if table is None:
            raise ApplicationError(_("There is no such table on this page."))
        return table_download(
            table.key, table.export_header(), table.export_rows(), fmt=fmt.lower()
        )
    page_params = page_params or {}
    querystring = filters.querystring(**page_params)
    show_campaign(form, filters)
    return render(
        request,
        "reports/report_page.html",
        {
            "title": title,
            "form": form,
            "filters": filters,
            "querystring": querystring,
            "filter_querystring": filters.querystring(),
            "page_params": page_params,
            "tables": report_tables,
            "chart": chart,
            "chart_label": chart_label,
            "pages": report_pages(filters.querystring(), current),
            "index_url": f"{reverse('reports:index')}?{filters.querystring()}",
            **(extra or {}),
        },
    )


def show_campaign(form: ReportFilterForm, filters: ReportFilter) -> None:
    """The form shows the campaign the figures are for (the latest when none was asked)."""
    if filters.campaign is not None and not form.data.get("campaign"):
        form.data = {**form.data, "campaign": str(filters.campaign.pk)}


@report_page
def index(request: HttpRequest, filters: ReportFilter, form: ReportFilterForm) -> HttpResponse:
    report = funnel(filters)
    label = _("Dimension")
    return _respond(
        request,
        current="reports:index",
        title=_("Dashboard"),
        filters=filters,
        form=form,
        report_tables=[presenters.funnel_table(report, filters, label)],
        chart=presenters.funnel_chart(report),
        chart_label=_("The campaign funnel in all, as a bar chart; the numbers are in the table."),
        extra={
            "is_index": True,
            "survey_results_url": survey_results_url(),
        },
    )


@report_page
def table1_page(request, filters, form):
    report = table1(filters)
    return _respond(
        request,
        current="reports:table1",
        title=_("Table 1: visits, outcomes and agreements per RAR area"),
        filters=filters,
        form=form,
        report_tables=[presenters.table1_table(report, filters)],
        chart=presenters.table1_chart(report),
        chart_label=_(
            "Booked visits, visits with a registered outcome and positions agreed per RAR "
            "area, as a bar chart; the numbers are in the table."
        ),
    )


@report_page
def funnel_page(request, filters, form):
    by = request.GET.get("by") or "rar_area"
    if by not in DIMENSIONS:
        raise ApplicationError(
            _("Group the funnel by track, rar_area, jobcentre or phoner."),
            field_errors={"by": [_("Group the funnel by track, rar_area, jobcentre or phoner.")]},
        )
    report = funnel(filters, by=by)
    return _respond(
        request,
        current="reports:funnel",
        title=_("Funnel"),
        filters=filters,
        form=form,
        report_tables=[presenters.funnel_table(report, filters, str(DIMENSIONS[by]))],
        chart=presenters.funnel_chart(report),
        chart_label=_("The campaign funnel in all, as a bar chart; the numbers are in the table."),
        page_params={"by": by},
        extra={"dimensions": [(key, str(label)) for key, label in DIMENSIONS.items()], "by": by},
    )


@report_page
def leadtime_page(request, filters, form):
    report = lead_time(filters)
    return _respond(
        request,
        current="reports:lead-time",
        title=_("Cancellation by lead time"),
        filters=filters,
        form=form,
        report_tables=[presenters.leadtime_table(report, filters)],
        chart=presenters.leadtime_chart(report),
        chart_label=_(
            "The share of visits cancelled per week of lead time (bars) and the number of "
            "visits (line); the numbers are in the table."
        ),
    )


@report_page
def outcomes_page(request, filters, form):
    report = outcome_shares(filters)
    return _respond(
        request,
        current="reports:outcomes",
        title=_("Outcomes"),
        filters=filters,
        form=form,
        report_tables=[
            presenters.outcomes_table(
                report, filters, by="rar_area", key="outcomes-areas", title=_("Per RAR area")
            ),
            presenters.outcomes_table(
                report, filters, by="jobcentre", key="outcomes-jobcentres", title=_("Per jobcentre")
            ),
        ],
        chart=presenters.outcomes_chart(report),
        chart_label=_(
            "What became of the visits per RAR area, as stacked shares; the numbers are in "
            "the table."
        ),
    )


@report_page
def followups_page(request, filters, form):
    report = followup_compliance(filters)
    return _respond(
        request,
        current="reports:followups",
        title=_("Follow-up compliance"),
        filters=filters,
        form=form,
        report_tables=[
            presenters.followups_table(report, filters, by="jobcentre"),
            presenters.followups_table(report, filters, by="consultant"),
        ],
        chart=presenters.followups_chart(report),
        chart_label=_(
            "Follow-ups per jobcentre: done on time, done late, overdue and open, stacked; "
            "the numbers are in the tables."
        ),
    )


@report_page
def jobcentres_page(request, filters, form):
    report = jobcentre_comparison(filters)
    return _respond(
        request,
        current="reports:jobcentres",
        title=_("Jobcentres compared"),
        filters=filters,
        form=form,
        report_tables=[presenters.jobcentres_table(report, filters)],
        chart=presenters.jobcentres_chart(report),
        chart_label=_(
            "Quota, booked and held visits per jobcentre, as a bar chart; the numbers are in "
            "the table."
        ),
    )


@report_page
def visits_page(request, filters, form):
    """The visits behind a figure, paginated; a fixed number of queries per page."""
    figure = drilldown_form(request.GET).cleaned_data
    now = timezone.now()
    visits = (
        drilldown_visits(filters, figure, today=timezone.localdate(now), now=now)
        .select_related("company", "jobcentre__rar_area", "outcome", "booked_by")
        .prefetch_related("attendees__consultant")
        .order_by("starts_at", "pk")
    )
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "reports/visits.html",
        {
            "title": _("Visits behind the figure"),
            "form": form,
            "filters": filters,
            "description": drilldown_description(filters, figure),
            "page": page,
            "querystring": params.urlencode(),
            "pages": report_pages(filters.querystring()),
            "index_url": f"{reverse('reports:index')}?{filters.querystring()}",
        },
    )
