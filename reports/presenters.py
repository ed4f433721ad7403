"""Each aggregate as the dashboards show it: its tables (every figure linked to the visits
behind it) and its Chart.js configuration, built from the same numbers. The building blocks
are in reports.tables."""

from __future__ import annotations

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from bookings.models import AgreementKind, OutcomeKind
from reports.filters import ReportFilter
from reports.followups import STATUSES, Compliance, FollowUpFigures
from reports.funnel import FIRM_STAGES, STAGES, Funnel
from reports.jobcentres import JobcentreComparison
from reports.leadtime import LeadTime
from reports.outcomes import GROUPS, Outcomes
from reports.table1 import TABLE1_KINDS, Table1
from reports.tables import (
    WHOLE_X,
    WHOLE_Y,
    Cell,
    Column,
    Link,
    Row,
    Table,
    chart,
    percent,
    visits_link,
)

# --- Table 1 ---------------------------------------------------------------------------------


def table1_table(report: Table1, filters: ReportFilter) -> Table:
    link = visits_link(filters)
    columns = [Column("total", _("Whole country"))] + [
        Column(str(area.rar_area), area.name) for area in report.areas
    ]
    figures = [report.total, *report.areas]

    def row(key, header, value, params, *, section="", indent=False) -> Row:
        cells = []
        for column in figures:
            where = {} if column.rar_area is None else {"rar_area": column.rar_area}
            cells.append(Cell(value(column), url=link(**where, **params)))
        return Row(key, header, cells, section=section, indent=indent)

    rows = [
        row("booked", _("Booked visits"), lambda c: c.booked, {}),
        row(
            "outcome_registered",
            _("Visits with a registered outcome"),
            lambda c: c.outcome_registered,
            {"outcome": "registered"},
        ),
    ]
    for i, (kind, label) in enumerate(OutcomeKind.choices):
        rows.append(
            row(
                f"outcome-{kind}",
                str(label),
                lambda c, kind=kind: c.outcomes[kind],
                {"outcome": kind},
                section=_("Registered outcomes") if i == 0 else "",
                indent=True,
            )
        )
    for i, kind in enumerate(TABLE1_KINDS):
        rows.append(
            row(
                kind,
                str(AgreementKind(kind).label),
                lambda c, kind=kind: c.agreements[kind],
                {"agreement_kind": kind},
                section=_("Agreements: positions per kind") if i == 0 else "",
            )
        )
    rows += [
        row(
            AgreementKind.REFUGEE_PLACES,
            str(AgreementKind.REFUGEE_PLACES.label),
            lambda c: c.refugee_places,
            {"agreement_kind": AgreementKind.REFUGEE_PLACES},
            section=_("Beyond the report's Table 1"),
        ),
        row(
            AgreementKind.INTEGRATION_AGREEMENT,
            _("Integration agreements (positions)"),
            lambda c: c.agreements[AgreementKind.INTEGRATION_AGREEMENT],
            {"agreement_kind": AgreementKind.INTEGRATION_AGREEMENT},
        ),
        row(
            "jobservice_agreements",
            _("Jobservice agreements (number)"),
            lambda c: c.jobservice_agreements,
            {"agreement_kind": AgreementKind.JOBSERVICE_AGREEMENT},
        ),
    ]
    for i, (status, label) in enumerate(_followup_columns()[:4]):
        rows.append(
            row(
                f"followups-{status}",
                label,
                lambda c, status=status: getattr(c.followups, status),
                {"followup": status},
                section=_("Follow-ups") if i == 0 else "",
            )
        )
    return Table(
        key="table1",
        title=_("Table 1"),
        caption=_(
            "Visits booked, visits with a registered outcome, positions agreed per kind of "
            "agreement and follow-ups, per RAR area and for the whole country. Agreements "
            "count positions the firm wanted filled, not hires. Every figure links to the "
            "visits behind it."
        ),
        corner=_("Figure"),
        columns=columns,
        rows=rows,
    )


def table1_chart(report: Table1) -> dict:
    return chart(
        "bar",
        [a.name for a in report.areas],
        [
            {"label": _("Booked visits"), "data": [a.booked for a in report.areas]},
            {
                "label": _("Visits with a registered outcome"),
                "data": [a.outcome_registered for a in report.areas],
            },
            {
                "label": _("Positions agreed (the report's eight kinds)"),
                "data": [sum(a.agreements[k] for k in TABLE1_KINDS) for a in report.areas],
            },
        ],
        scales=WHOLE_Y,
    )


# --- Funnel ----------------------------------------------------------------------------------


FUNNEL_STAGE_PARAMS: dict[str, dict] = {
    "booked": {},
    "held": {"state": "held_all"},
    "outcome_registered": {"outcome": "registered"},
    "with_agreements": {"agreement_kind": "any"},
    "survey_answered": {"survey": "answered"},
}
_FUNNEL_GROUP_PARAM = {
    "track": "track",
    "rar_area": "rar_area",
    "jobcentre": "jobcentre",
    "phoner": "phoner",
}


def funnel_table(report: Funnel, filters: ReportFilter, dimension_label: str) -> Table:
    link = visits_link(filters)

    def cells(row, where: dict) -> list[Cell]:
        out = []
        for stage in STAGES:
            value = row.stages[stage]
            url = "" if stage in FIRM_STAGES else link(**where, **FUNNEL_STAGE_PARAMS[stage])
            out.append(Cell(value, url=url))
        return out

    rows = []
    for row in report.rows:
        where = {}
        if report.by is not None:
            where[_FUNNEL_GROUP_PARAM[report.by]] = "none" if row.key is None else row.key
        rows.append(Row(str(row.key), row.name, cells(row, where)))
    return Table(
        key="funnel",
        title=_("Funnel"),
        caption=_(
            "From the firms on the call lists to the surveys answered. The firm stages count "
            "call-list entries (not narrowed by the dates); the visit stages link to the "
            "visits behind them."
        ),
        corner=dimension_label if report.by else _("Campaign"),
        columns=[Column(stage, str(label)) for stage, label in STAGES.items()],
        rows=rows,
        foot=[Row("total", _("In all"), cells(report.total, {}))],
    )


def funnel_chart(report: Funnel) -> dict:
    return chart(
        "bar",
        [str(label) for label in STAGES.values()],
        [{"label": _("In all"), "data": [report.total.stages[s] for s in STAGES]}],
        indexAxis="y",
        scales=WHOLE_X,
    )


# --- Lead time -------------------------------------------------------------------------------


def leadtime_table(report: LeadTime, filters: ReportFilter) -> Table:
    link = visits_link(filters)
    rows = [
        Row(
            str(b.start),
            b.label,
            [
                Cell(b.visits, url=link(lead=b.start)),
                Cell(b.cancelled, url=link(lead=b.start, state="cancelled")),
                Cell(b.cancelled_share, kind="percent"),
            ],
        )
        for b in report.bins
    ]
    total = report.total
    return Table(
        key="lead-time",
        title=_("Cancellation by lead time"),
        caption=_(
            "Days from the day a visit was booked to the day it starts, in weeks: how many "
            "visits, how many of them are cancelled now (by the company or the jobcentre), "
            "and the share cancelled."
        ),
        corner=_("Lead time (days)"),
        columns=[
            Column("visits", _("Visits")),
            Column("cancelled", _("Cancelled")),
            Column("cancelled_share", _("Share cancelled")),
        ],
        rows=rows,
        foot=[
            Row(
                "total",
                _("In all"),
                [
                    Cell(total.visits, url=link()),
                    Cell(total.cancelled, url=link(state="cancelled")),
                    Cell(total.cancelled_share, kind="percent"),
                ],
            )
        ],
    )


def leadtime_chart(report: LeadTime) -> dict:
    return chart(
        "bar",
        [b.label for b in report.bins],
        [
            {
                "label": _("Share cancelled (%)"),
                "data": [percent(b.cancelled_share) for b in report.bins],
                "yAxisID": "y",
            },
            {
                "type": "line",
                "label": _("Visits"),
                "data": [b.visits for b in report.bins],
                "yAxisID": "y1",
            },
        ],
        scales={
            "x": {"title": {"display": True, "text": _("Lead time (days)")}},
            "y": {
                "beginAtZero": True,
                "title": {"display": True, "text": _("Share cancelled (%)")},
            },
            "y1": {
                "beginAtZero": True,
                "ticks": {"precision": 0},
                "position": "right",
                "grid": {"drawOnChartArea": False},
                "title": {"display": True, "text": _("Visits")},
            },
        },
    )


# --- Outcomes --------------------------------------------------------------------------------


CONSULTANT_NO_SHOW = "no_show_consultant"


def outcomes_table(
    report: Outcomes, filters: ReportFilter, *, by: str, key: str, title: str
) -> Table:
    link = visits_link(filters)
    groups = report.areas if by == "rar_area" else report.jobcentres

    def cells(row, where: dict) -> list[Cell]:
        out = [Cell(row.visits, url=link(**where))]
        for group in GROUPS:
            count = row.counts[group]
            highlight = ""
            if group == CONSULTANT_NO_SHOW and count:
                highlight = _("Consultants did not show: look into it.")
            out.append(
                Cell(
                    count,
                    url=link(**where, state=group),
                    share=row.share(group),
                    with_share=True,
                    highlight=highlight,
                )
            )
        return out

    return Table(
        key=key,
        title=title,
        caption=_(
            "What became of the visits, by the visit's state now: each count with its share "
            "of the visits. Consultant no-shows are marked with a warning sign."
        ),
        corner=_("RAR area") if by == "rar_area" else _("Jobcentre"),
        columns=[Column("visits", _("Visits"))]
        + [Column(group, str(label), with_share=True) for group, (label, _s) in GROUPS.items()],
        rows=[Row(str(r.id), r.name, cells(r, {by: r.id})) for r in groups],
        foot=[Row("total", _("In all"), cells(report.total, {}))],
    )


def outcomes_chart(report: Outcomes) -> dict:
    return chart(
        "bar",
        [a.name for a in report.areas],
        [
            {"label": str(label), "data": [percent(a.share(group)) for a in report.areas]}
            for group, (label, _s) in GROUPS.items()
        ],
        indexAxis="y",
        scales={
            "x": {
                "stacked": True,
                "max": 100,
                "title": {"display": True, "text": _("Share of the visits (%)")},
            },
            "y": {"stacked": True},
        },
    )


# --- Follow-ups ------------------------------------------------------------------------------


def _followup_columns() -> list[tuple[str, str]]:
    return [
        ("agreed", _("Follow-ups agreed")),
        ("on_time", _("Done on time")),
        ("late", _("Done late")),
        ("overdue", _("Overdue now")),
        ("open", _("Open, not yet due")),
    ]


# Consultants on the follow-up page, the most overdue first; the downloads hold them all.
CONSULTANTS_SHOWN = 100


def _followup_cells(figures: FollowUpFigures, link: Link | None, where: dict) -> list[Cell]:
    """The figures, each linked to its follow-ups' visits (`link` None: no links, for rows
    only the downloads hold)."""
    cells = [
        Cell(getattr(figures, status), url=link(**where, followup=status) if link else "")
        for status in STATUSES
    ]
    cells.append(Cell(figures.on_time_rate, kind="percent"))
    return cells


def followups_table(report: Compliance, filters: ReportFilter, *, by: str) -> Table:
    link = visits_link(filters)
    shown, shown_note = None, ""
    if by == "jobcentre":
        rows = [
            Row(str(r.id), r.name, _followup_cells(r.figures, link, {"jobcentre": r.id}))
            for r in report.jobcentres
        ]
        key, title, corner = "followups-jobcentres", _("Per jobcentre"), _("Jobcentre")
    else:
        # A whole campaign has thousands of consultants: the page shows those who most need
        # a reminder.
        worst_first = sorted(
            report.consultants,
            key=lambda r: (-r.figures.overdue, -r.figures.late, r.name.casefold(), r.id),
        )
        rows = [
            Row(
                str(r.id),
                f"{r.name} ({r.jobcentre})" if r.jobcentre else r.name,
                _followup_cells(
                    r.figures, link if i < CONSULTANTS_SHOWN else None, {"consultant": r.id}
                ),
            )
            for i, r in enumerate(worst_first)
        ]
        key, title, corner = (
            "followups-consultants",
            _("Per consultant, the most overdue first"),
            _("Consultant"),
        )
        if len(rows) > CONSULTANTS_SHOWN:
            shown = CONSULTANTS_SHOWN
            shown_note = _(
                "The %(shown)s consultants with the most overdue follow-ups of %(count)s. "
                "Choose a jobcentre to see fewer, or download the table for all of them."
            ) % {"shown": CONSULTANTS_SHOWN, "count": number_format(len(rows))}
    return Table(
        key=key,
        title=title,
        caption=_(
            "Follow-ups agreed at the visits: done on time (on or before the due date), done "
            "late, overdue now (not done, due before today) and open (due today or later). "
            "The on-time rate is of those done or overdue."
        ),
        corner=corner,
        columns=[Column(status, label) for status, label in _followup_columns()]
        + [Column("on_time_rate", _("On time"))],
        rows=rows,
        foot=[Row("total", _("In all"), _followup_cells(report.total, link, {}))],
        shown=shown,
        shown_note=shown_note,
    )


def followups_chart(report: Compliance) -> dict:
    rows = report.jobcentres
    return chart(
        "bar",
        [r.name for r in rows],
        [
            {"label": label, "data": [getattr(r.figures, status) for r in rows]}
            for status, label in _followup_columns()[1:]
        ],
        indexAxis="y",
        scales={"x": {"stacked": True, "ticks": {"precision": 0}}, "y": {"stacked": True}},
    )


# --- Jobcentres ------------------------------------------------------------------------------


def jobcentres_table(report: JobcentreComparison, filters: ReportFilter) -> Table:
    link = visits_link(filters)

    def cells(row, where: dict) -> list[Cell]:
        return [
            Cell(row.quota),
            Cell(row.booked, url=link(**where)),
            Cell(row.held, url=link(**where, state="held_all")),
            Cell(row.ended, url=link(**where, ended="1")),
            Cell(row.outcome_registered, url=link(**where, outcome="registered")),
            Cell(row.outcome_registration_rate, kind="percent"),
            Cell(row.agreements, url=link(**where, agreement_kind="any")),
            Cell(row.agreements_per_held_visit, kind="ratio"),
        ]

    rows = [
        Row(str(r.id), f"{r.name} ({r.rar_area})", cells(r, {"jobcentre": r.id}))
        for r in report.jobcentres
    ]
    return Table(
        key="jobcentres",
        title=_("Jobcentres compared"),
        caption=_(
            "Quota in the campaign, visits booked and held, visits whose time has passed and "
            "those with a registered outcome (the registration rate is of the visits whose "
            "time has passed), agreements made and agreements per held visit."
        ),
        corner=_("Jobcentre (RAR area)"),
        columns=[
            Column("quota", _("Quota")),
            Column("booked", _("Booked")),
            Column("held", _("Held")),
            Column("ended", _("Time passed")),
            Column("outcome_registered", _("Outcome registered")),
            Column("outcome_registration_rate", _("Registration rate")),
            Column("agreements", _("Agreements")),
            Column("agreements_per_held_visit", _("Agreements per held visit")),
        ],
        rows=rows,
        foot=[Row("total", _("In all"), cells(report.total, {}))],
    )


def jobcentres_chart(report: JobcentreComparison) -> dict:
    rows = report.jobcentres
    return chart(
        "bar",
        [r.name for r in rows],
        [
            {"label": _("Quota"), "data": [r.quota for r in rows]},
            {"label": _("Booked"), "data": [r.booked for r in rows]},
            {"label": _("Held"), "data": [r.held for r in rows]},
        ],
        indexAxis="y",
        scales=WHOLE_X,
    )
