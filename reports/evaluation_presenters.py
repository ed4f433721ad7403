"""The evaluation report as its templates show it (reports/templates/reports/evaluation*.html):
key figures, tables built with reports.tables (every figure linked to the visits behind it on
the page), Chart.js configurations from reports.presenters for the screen, and simple CSS bars
for print and the PDF. Nothing here counts: the figures are reports.evaluation's."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reports import presenters
from reports.evaluation import Evaluation, SurveyFigures, TrackFigures
from reports.evaluation_summary import number, percent
from reports.filters import ReportFilter
from reports.presenters import FUNNEL_STAGE_PARAMS
from reports.tables import Cell, Column, Row, Table, visits_link


def _text(value: str) -> Cell:
    return Cell(value, kind="text")


def _share_text(share: float | None) -> str:
    return "–" if share is None else percent(share)


def _participation_table(ev: Evaluation) -> Table:
    period, p = ev.period, ev.participation

    def days(first, last) -> str:
        if not first or not last:
            return "–"
        return (
            f"{date_format(first, 'SHORT_DATE_FORMAT')} – {date_format(last, 'SHORT_DATE_FORMAT')}"
        )

    rows = [
        ("campaign_period", _("Campaign period"), _text(days(period.starts_on, period.ends_on))),
        ("visit_period", _("Visits from – to"), _text(days(period.first_visit, period.last_visit))),
        ("jobcentres", _("Jobcentres taking part"), Cell(p.jobcentres)),
        ("jobcentres_with_visits", _("Jobcentres with visits"), Cell(p.jobcentres_with_visits)),
        ("quota", _("Quota (visits offered)"), Cell(p.quota)),
        ("consultants", _("Consultants with visits"), Cell(p.consultants)),
        (
            "jobservice_representatives",
            _("Jobservice Danmark representatives with visits"),
            Cell(p.jobservice_representatives),
        ),
    ]
    return Table(
        key="participation",
        title=_("Participation"),
        caption=_(
            "Jobcentres taking part have a quota in the campaign or visits; consultants with "
            "visits are the local consultants the visits were booked with."
        ),
        corner=_("Figure"),
        columns=[Column("value", _("Value"))],
        rows=[Row(key, header, [cell]) for key, header, cell in rows],
    )


TRACK_STAGES = ("booked", "held", "outcome_registered", "with_agreements", "survey_answered")


def _tracks_table(ev: Evaluation, filters: ReportFilter) -> Table:
    link = visits_link(filters)
    labels = {
        "booked": _("Visits booked"),
        "held": _("Held"),
        "outcome_registered": _("Outcome registered"),
        "with_agreements": _("With agreements"),
        "survey_answered": _("Survey answered"),
    }

    def cells(figures, where: dict) -> list[Cell]:
        return [
            Cell(getattr(figures, s), url=link(**where, **FUNNEL_STAGE_PARAMS[s]))
            for s in TRACK_STAGES
        ]

    total = TrackFigures(
        track="",
        label="",
        **{s: sum(getattr(t, s) for t in ev.visits.tracks) for s in TRACK_STAGES},
    )
    return Table(
        key="tracks",
        title=_("Visits per track"),
        caption=_(
            "Track 1: large firms visited by Jobservice Danmark with the local jobcentre; "
            "track 2: smaller firms visited by the jobcentre. Visits booked count every "
            "visit, whatever became of it."
        ),
        corner=_("Track"),
        columns=[Column(s, labels[s]) for s in TRACK_STAGES],
        rows=[Row(t.track, t.label, cells(t, {"track": t.track})) for t in ev.visits.tracks],
        foot=[Row("total", _("In all"), cells(total, {}))],
    )


def _lead_split_table(ev: Evaluation) -> Table:
    split = ev.lead_split
    weeks = split.horizon_weeks

    def cells(group) -> list[Cell]:
        return [
            Cell(group.visits),
            Cell(group.cancelled),
            Cell(group.cancelled_share, kind="percent"),
        ]

    return Table(
        key="lead-split",
        title=_("Booked within six weeks, and further ahead"),
        caption=_(
            "The visits booked less than %(weeks)s weeks (%(days)s days) before they were to "
            "take place, and those booked further ahead: how many, and how many of them were "
            "cancelled."
        )
        % {"weeks": weeks, "days": split.horizon_days},
        corner=_("Booked ahead"),
        columns=[
            Column("visits", _("Visits")),
            Column("cancelled", _("Cancelled")),
            Column("cancelled_share", _("Share cancelled")),
        ],
        rows=[
            Row(
                "within",
                _("Less than %(weeks)s weeks") % {"weeks": weeks},
                cells(split.within),
            ),
            Row(
                "beyond",
                _("%(weeks)s weeks or more") % {"weeks": weeks},
                cells(split.beyond),
            ),
        ],
    )


def _response_table(ev: Evaluation) -> Table:
    def cells(survey: SurveyFigures) -> list[Cell]:
        return [
            Cell(survey.rate.invited),
            Cell(survey.rate.answered),
            Cell(survey.rate.answered_rate, kind="percent"),
            Cell(survey.satisfied, kind="percent"),
            Cell(survey.dissatisfied, kind="percent"),
            Cell(survey.followup_agreed, kind="percent"),
        ]

    return Table(
        key="company-responses",
        title=_("Response rates and satisfaction"),
        caption=_(
            "Companies invited to the survey after their visit, the answers, and of those "
            "who answered each question: satisfied or very satisfied with the meeting (4-5), "
            "dissatisfied or very dissatisfied (1-2), and a follow-up agreed. A share from "
            "fewer than %(n)s answers is not shown (–)."
        )
        % {"n": ev.suppress_below},
        corner=_("Survey"),
        columns=[
            Column("invited", _("Invited")),
            Column("answered", _("Answered")),
            Column("answered_rate", _("Response rate")),
            Column("satisfied", _("Satisfied")),
            Column("dissatisfied", _("Dissatisfied")),
            Column("followup_agreed", _("Follow-up agreed")),
        ],
        rows=[Row(s.key, s.title, cells(s)) for s in ev.company_surveys],
    )


def _items_table(survey: SurveyFigures, suppress_below: int, title: str = "") -> Table:
    return Table(
        key=f"items-{survey.key}",
        title=title or survey.title,
        caption=_(
            "Each question on a scale from 1 to 5: the answers, the mean and the share "
            "answering 4 or 5. A figure from fewer than %(n)s answers is not shown (–)."
        )
        % {"n": suppress_below},
        corner=_("Question"),
        columns=[
            Column("n", _("Answers")),
            Column("mean", _("Mean (1-5)")),
            Column("share_high", _("Share 4-5")),
        ],
        rows=[
            Row(
                q.key,
                q.text,
                [Cell(q.n), Cell(q.mean, kind="ratio"), Cell(q.share_high, kind="percent")],
            )
            for q in survey.items
        ],
    )


def _consultant_rate_table(survey: SurveyFigures) -> Table:
    return Table(
        key="consultant-responses",
        title=_("Response rate"),
        caption=_("Consultants invited to evaluate the campaign, and those who answered."),
        corner=_("Survey"),
        columns=[
            Column("invited", _("Invited")),
            Column("answered", _("Answered")),
            Column("answered_rate", _("Response rate")),
        ],
        rows=[
            Row(
                survey.key,
                survey.title,
                [
                    Cell(survey.rate.invited),
                    Cell(survey.rate.answered),
                    Cell(survey.rate.answered_rate, kind="percent"),
                ],
            )
        ],
    )


def _bars(items: list[tuple[str, float | None, str]], maximum: float | None = None) -> list:
    """CSS bars for print: (label, value, text) -> dicts with a width in whole percent of
    `maximum` (default: the largest value)."""
    values = [v for _label, v, _t in items if v is not None]
    top = maximum if maximum is not None else max(values, default=0)
    return [
        {
            "label": label,
            "text": text,
            "width": 0 if value is None or not top else round(100 * value / top),
        }
        for label, value, text in items
    ]


def _key_figures(ev: Evaluation) -> list[dict]:
    visits, split = ev.visits, ev.lead_split
    tracks = " · ".join(f"{t.label}: {number(t.booked)}" for t in visits.tracks)
    followups = ev.followups.total
    figures = [
        {
            "key": "booked",
            "label": _("Visits booked"),
            "value": number(visits.booked),
            "detail": tracks,
        },
        {
            "key": "cancelled",
            "label": _("Cancelled"),
            "value": _share_text(visits.cancelled_share),
            "detail": ngettext("%(n)s visit", "%(n)s visits", visits.cancelled)
            % {"n": number(visits.cancelled)},
        },
        {
            "key": "cancelled_within",
            "label": _("Cancelled when booked less than %(weeks)s weeks ahead")
            % {"weeks": split.horizon_weeks},
            "value": _share_text(split.within.cancelled_share),
            "detail": _("%(weeks)s weeks or more ahead: %(share)s")
            % {"weeks": split.horizon_weeks, "share": _share_text(split.beyond.cancelled_share)},
        },
        {
            "key": "outcome_registered",
            "label": _("Outcomes registered"),
            "value": _share_text(visits.outcome_registered_share),
            "detail": _("%(n)s of %(of)s visits")
            % {"n": number(visits.outcome_registered), "of": number(visits.booked)},
        },
        {
            "key": "followups",
            "label": _("Follow-ups agreed"),
            "value": number(followups.agreed),
            "detail": _("on time: %(on_time)s · late: %(late)s · overdue: %(overdue)s")
            % {
                "on_time": number(followups.on_time),
                "late": number(followups.late),
                "overdue": number(followups.overdue),
            },
        },
        {
            "key": "no_show_consultant",
            "label": _("Consultant no-shows"),
            "value": number(visits.no_show_consultant),
            "detail": _share_text(visits.no_show_consultant_share),
        },
    ]
    for survey in ev.company_surveys:
        figures.append(
            {
                "key": f"satisfied-{survey.key}",
                "label": _("Satisfied: %(survey)s") % {"survey": survey.title},
                "value": _share_text(survey.satisfied),
                "detail": ngettext(
                    "%(n)s answer, response rate %(rate)s",
                    "%(n)s answers, response rate %(rate)s",
                    survey.rate.answered,
                )
                % {
                    "n": number(survey.rate.answered),
                    "rate": _share_text(survey.rate.answered_rate),
                },
            }
        )
    return figures


def report_context(ev: Evaluation, filters: ReportFilter, *, pdf: bool) -> dict:
    leads = ev.lead_time.bins
    context = {
        "ev": ev,
        "pdf": pdf,
        "filters": filters,
        "key_figures": _key_figures(ev),
        "tables": {
            "participation": _participation_table(ev),
            "tracks": _tracks_table(ev, filters),
            "outcomes": presenters.outcomes_table(
                ev.outcomes,
                filters,
                by="rar_area",
                key="outcomes-areas",
                title=_("What became of the visits, per RAR area"),
            ),
            "lead_split": _lead_split_table(ev),
            "lead_time": presenters.leadtime_table(ev.lead_time, filters),
            "table1": presenters.table1_table(ev.table1, filters),
            "followups": presenters.followups_table(ev.followups, filters, by="jobcentre"),
            "responses": _response_table(ev),
            "consultant_rate": _consultant_rate_table(ev.consultants),
            "consultant_items": _items_table(
                ev.consultants, ev.suppress_below, _("The consultants' ratings")
            ),
            "jobcentres": presenters.jobcentres_table(ev.jobcentres, filters),
        },
        "company_item_tables": [_items_table(s, ev.suppress_below) for s in ev.company_surveys],
        "bars": {
            "lead_time": _bars(
                [(b.label, b.cancelled_share, _share_text(b.cancelled_share)) for b in leads],
                maximum=1,
            ),
            "table1": _bars([(a.name, a.booked, number(a.booked)) for a in ev.table1.areas]),
            "consultants": _bars(
                [(q.text, q.share_high, _share_text(q.share_high)) for q in ev.consultants.items],
                maximum=1,
            ),
        },
    }
    if not pdf:
        context["charts"] = {
            "lead_time": presenters.leadtime_chart(ev.lead_time),
            "table1": presenters.table1_chart(ev.table1),
            "outcomes": presenters.outcomes_chart(ev.outcomes),
        }
    return context
