"""The agency's evaluation report, computed: every figure the 2015-16 evaluation's summary and
sections use, for the campaign and scope of a ReportFilter, and the summary's sentences in the
report's style ("Der blev booket 3.966 besøg ...").

The page and the API read it through reports.evaluation_snapshots, which keeps it per filter
and language (computing it takes a second or more at a million visits); the PDF computes it.

Nothing here counts what an aggregate module counts: the figures come from reports.table1,
funnel, leadtime, outcomes, followups and jobcentres and from surveys.results, each called
once, and are only picked out, added up and divided here. The one query of this module's own
is for what no aggregate holds: the first and last day of the visits and the consultants they
were booked with.

Definitions (each aggregate's own; see its module):
- booked: the visits the filter keeps (a moved visit once), whatever their state now.
- cancelled: by the company or the jobcentre; consultant no-shows likewise by the visit's
  state (reports.outcomes). Shares are of the visits booked.
- within / beyond the horizon: a lead time (days from booking to visit) under HORIZON_DAYS
  (42, six weeks: the report's Allerød case), and HORIZON_DAYS or more (reports.leadtime).
- outcome registered: visits with an outcome, of those booked (the report's 66 %).
- follow-ups: agreed, done on time, done late, overdue now, open (reports.followups).
- jobcentres taking part: those with a quota in the campaign or visits under the filter.
- consultants with visits: the local consultants booked for the visits (active attendees,
  and those of cancelled visits); Jobservice representatives are counted on their own.
- surveys: the company surveys about each track's visits (every version) and the consultants'
  campaign survey; the response rate is submitted / invited; "satisfied" is 4 or 5 on overall
  satisfaction; a figure from fewer than surveys.results.SUPPRESS_BELOW answers is None. The
  survey figures follow the filter's campaign, track and place, not its dates (answers have
  none), and surveys.results scopes them by the reader as well.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from bookings.models import Attendee
from bookings.slots import LOCAL_TZ
from campaign.models import Campaign, Track
from reports.evaluation_summary import summary
from reports.filters import ReportFilter
from reports.followups import Compliance, followup_compliance
from reports.funnel import funnel
from reports.jobcentres import JobcentreComparison, jobcentre_comparison
from reports.leadtime import CANCELLED, LAST_BIN, LeadTime, lead_time
from reports.outcomes import Outcomes, outcome_shares
from reports.table1 import Table1, table1
from reports.tables import Cell
from surveys.invitations import CONSULTANT_SURVEY_KEY
from surveys.results import (
    SUPPRESS_BELOW,
    QuestionResult,
    ResponseRate,
    ResultsFilter,
    survey_results,
)

HORIZON_DAYS = LAST_BIN  # 42 days: "booked within six weeks"
OVERALL = "overall_satisfaction"
DISSATISFIED = (1, 2)
HIGHLIGHT_LIMIT = 5  # jobcentres named per highlight at most


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- The figures -----------------------------------------------------------------------------


@dataclass
class Period:
    starts_on: dt.date | None = None  # the campaign's own dates
    ends_on: dt.date | None = None
    first_visit: dt.date | None = None  # the visits' first and last day (local time)
    last_visit: dt.date | None = None

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class Participation:
    jobcentres: int = 0  # with a quota or with visits
    jobcentres_with_visits: int = 0
    quota: int = 0
    consultants: int = 0  # local consultants with visits
    jobservice_representatives: int = 0

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class TrackFigures:
    track: str
    label: str
    booked: int = 0
    held: int = 0
    outcome_registered: int = 0
    with_agreements: int = 0
    survey_answered: int = 0

    def as_dict(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass
class VisitFigures:
    booked: int = 0
    held: int = 0
    cancelled: int = 0
    no_show_company: int = 0
    no_show_consultant: int = 0
    outcome_registered: int = 0
    tracks: list[TrackFigures] = field(default_factory=list)

    @property
    def cancelled_share(self) -> float | None:
        return _share(self.cancelled, self.booked)

    @property
    def no_show_consultant_share(self) -> float | None:
        return _share(self.no_show_consultant, self.booked)

    @property
    def outcome_registered_share(self) -> float | None:
        return _share(self.outcome_registered, self.booked)

    def as_dict(self) -> dict:
        return {
            "booked": self.booked,
            "held": self.held,
            "cancelled": self.cancelled,
            "cancelled_share": self.cancelled_share,
            "no_show_company": self.no_show_company,
            "no_show_consultant": self.no_show_consultant,
            "no_show_consultant_share": self.no_show_consultant_share,
            "outcome_registered": self.outcome_registered,
            "outcome_registered_share": self.outcome_registered_share,
            "tracks": [t.as_dict() for t in self.tracks],
        }


@dataclass
class LeadGroup:
    visits: int = 0
    cancelled: int = 0

    @property
    def cancelled_share(self) -> float | None:
        return _share(self.cancelled, self.visits)

    def as_dict(self) -> dict:
        return {
            "visits": self.visits,
            "cancelled": self.cancelled,
            "cancelled_share": self.cancelled_share,
        }


@dataclass
class LeadTimeSplit:
    """The key finding: visits booked less than `horizon_days` ahead, and the rest."""

    horizon_days: int
    within: LeadGroup
    beyond: LeadGroup

    @property
    def horizon_weeks(self) -> int:
        return self.horizon_days // 7

    def as_dict(self) -> dict:
        return {
            "horizon_days": self.horizon_days,
            "within": self.within.as_dict(),
            "beyond": self.beyond.as_dict(),
        }


@dataclass
class SurveyFigures:
    """One survey's response rate and figures (surveys.results), with the report's headline
    shares picked out."""

    key: str  # "company_track_1", "company_track_2" or "consultants"
    title: str
    rate: ResponseRate
    questions: dict[str, QuestionResult]  # every question but free text, by key, in order

    @property
    def items(self) -> list[QuestionResult]:
        """The 1-5 scale questions: a mean and a share answering 4-5 each."""
        return [q for q in self.questions.values() if q.is_scale]

    def share_high(self, key: str) -> float | None:
        question = self.questions.get(key)
        return question.share_high if question is not None else None

    def share_of(self, key: str, values) -> float | None:
        """The share of a question's answers that are among `values` (None if suppressed)."""
        question = self.questions.get(key)
        if question is None or question.suppressed:
            return None
        shares = [c.share for c in question.choices if c.value in values and c.share is not None]
        return sum(shares)

    @property
    def satisfied(self) -> float | None:
        return self.share_high(OVERALL)

    @property
    def dissatisfied(self) -> float | None:
        return self.share_of(OVERALL, DISSATISFIED)

    @property
    def followup_agreed(self) -> float | None:
        return self.share_of("followup_agreed", (True,))

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "title": self.title,
            "invited": self.rate.invited,
            "opened": self.rate.opened,
            "answered": self.rate.answered,
            "answered_rate": self.rate.answered_rate,
            "satisfied_share": self.satisfied,
            "dissatisfied_share": self.dissatisfied,
            "followup_agreed_share": self.followup_agreed,
            "items": [
                {
                    "key": q.key,
                    "text": q.text,
                    "n": q.n,
                    "suppressed": q.suppressed,
                    "mean": q.mean,
                    "share_high": q.share_high,
                }
                for q in self.items
            ],
        }


@dataclass
class HighlightItem:
    name: str
    value: int | float
    kind: str = "int"  # "int" or "percent" (a fraction)

    @property
    def text(self) -> str:
        return Cell(self.value, kind=self.kind).text

    def as_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "kind": self.kind}


@dataclass
class Highlight:
    """A fact from the jobcentre comparison: who has the most, the highest, the lowest."""

    key: str
    label: str
    items: list[HighlightItem]

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "items": [i.as_dict() for i in self.items]}


@dataclass
class Evaluation:
    filters: ReportFilter
    today: dt.date
    period: Period
    participation: Participation
    visits: VisitFigures
    lead_time: LeadTime
    lead_split: LeadTimeSplit
    outcomes: Outcomes
    table1: Table1
    followups: Compliance  # per jobcentre (the report names no consultants)
    jobcentres: JobcentreComparison
    highlights: list[Highlight]
    company_track1: SurveyFigures | None
    company_track2: SurveyFigures | None
    consultants: SurveyFigures
    summary: list[str] = field(default_factory=list)
    suppress_below: int = SUPPRESS_BELOW

    @property
    def campaign(self) -> Campaign | None:
        return self.filters.campaign

    @property
    def company_surveys(self) -> list[SurveyFigures]:
        return [s for s in (self.company_track1, self.company_track2) if s is not None]

    def as_dict(self) -> dict:
        """Every figure as plain data (dates as dates), for the API."""
        f = self.filters
        campaign = self.campaign
        followups = self.followups.total
        return {
            "campaign": (
                {
                    "id": campaign.pk,
                    "name": campaign.name,
                    "starts_on": campaign.starts_on,
                    "ends_on": campaign.ends_on,
                }
                if campaign is not None
                else None
            ),
            "filter": {
                "track": f.track,
                "rar_area": f.rar_area.pk if f.rar_area else None,
                "jobcentre": f.jobcentre.pk if f.jobcentre else None,
                "date_from": f.date_from,
                "date_to": f.date_to,
            },
            "today": self.today,
            "period": self.period.as_dict(),
            "participation": self.participation.as_dict(),
            "visits": self.visits.as_dict(),
            "lead_time": {
                **self.lead_split.as_dict(),
                "bins": [b.as_dict() for b in self.lead_time.bins],
            },
            "outcomes": {
                "areas": [r.as_dict() for r in self.outcomes.areas],
                "total": self.outcomes.total.as_dict(),
            },
            "table1": self.table1.as_dict(),
            "followups": {
                **followups.as_dict(),
                "on_time_rate": followups.on_time_rate,
                "jobcentres": [
                    {
                        "id": r.id,
                        "name": r.name,
                        **r.figures.as_dict(),
                        "on_time_rate": r.figures.on_time_rate,
                    }
                    for r in self.followups.jobcentres
                ],
            },
            "surveys": {
                "suppress_below": self.suppress_below,
                "company_track_1": self.company_track1.as_dict() if self.company_track1 else None,
                "company_track_2": self.company_track2.as_dict() if self.company_track2 else None,
                "consultants": self.consultants.as_dict(),
            },
            "jobcentres": {
                "rows": [r.as_dict() for r in self.jobcentres.jobcentres],
                "total": self.jobcentres.total.as_dict(),
                "highlights": [h.as_dict() for h in self.highlights],
            },
            "summary": list(self.summary),
        }


# --- Assembling them -------------------------------------------------------------------------


def _period_and_people(filters: ReportFilter) -> tuple[Period, int, int]:
    """The visits' first and last day and the consultants and Jobservice representatives
    booked for them: one query (no aggregate module has these)."""
    booked_for = Q(attendees__is_active=True) | Q(state__in=CANCELLED)
    row = filters.visits().aggregate(
        first=Min("starts_at"),
        last=Max("starts_at"),
        consultants=Count(
            "attendees__consultant",
            distinct=True,
            filter=booked_for & Q(attendees__role=Attendee.Role.LOCAL),
        ),
        representatives=Count(
            "attendees__consultant",
            distinct=True,
            filter=booked_for & Q(attendees__role=Attendee.Role.JOBSERVICE),
        ),
    )
    campaign = filters.campaign
    period = Period(
        starts_on=campaign.starts_on if campaign else None,
        ends_on=campaign.ends_on if campaign else None,
        first_visit=row["first"].astimezone(LOCAL_TZ).date() if row["first"] else None,
        last_visit=row["last"].astimezone(LOCAL_TZ).date() if row["last"] else None,
    )
    return period, row["consultants"], row["representatives"]


def _tracks(filters: ReportFilter) -> list[TrackFigures]:
    """Visits per track from the funnel, every track the filter keeps listed."""
    rows = {row.key: row for row in funnel(filters, by="track", firms=False).rows}
    tracks = []
    for track, label in Track.choices:
        if filters.track and filters.track != track:
            continue
        figures = TrackFigures(track=track, label=str(label))
        row = rows.get(track)
        if row is not None:
            for name in ("booked", "held", "outcome_registered", "with_agreements"):
                setattr(figures, name, row.stages[name] or 0)
            figures.survey_answered = row.stages["survey_answered"] or 0
        tracks.append(figures)
    return tracks


def _lead_split(report: LeadTime) -> LeadTimeSplit:
    within, beyond = LeadGroup(), LeadGroup()
    for b in report.bins:
        group = within if b.start < HORIZON_DAYS else beyond
        group.visits += b.visits
        group.cancelled += b.cancelled
    return LeadTimeSplit(horizon_days=HORIZON_DAYS, within=within, beyond=beyond)


def _survey(key: str, title: str, user, results_filter: ResultsFilter) -> SurveyFigures:
    results = survey_results(user=user, filters=results_filter)
    return SurveyFigures(
        key=key,
        title=title,
        rate=results.rate,
        questions={q.key: q for q in results.questions},
    )


def _surveys(filters: ReportFilter, user) -> tuple[SurveyFigures | None, ...]:
    """The company surveys per track (None for a track the filter leaves out) and the
    consultants' survey (every track: it asks about the campaign, not a visit)."""
    place = {
        "campaign": filters.campaign.pk if filters.campaign else None,
        "rar_area": filters.rar_area.pk if filters.rar_area else None,
        "jobcentre": filters.jobcentre.pk if filters.jobcentre else None,
    }
    titles = {
        Track.JOBSERVICE: gettext("Companies, track 1 (Jobservice Danmark)"),
        Track.JOBCENTRE: gettext("Companies, track 2 (jobcentres)"),
    }
    company = []
    for track in (Track.JOBSERVICE, Track.JOBCENTRE):
        if filters.track and filters.track != track:
            company.append(None)
            continue
        company.append(
            _survey(
                f"company_track_{track}",
                titles[track],
                user,
                ResultsFilter(track=track, **place),
            )
        )
    consultants = _survey(
        "consultants",
        gettext("Consultants"),
        user,
        ResultsFilter(survey_key=CONSULTANT_SURVEY_KEY, **place),
    )
    return company[0], company[1], consultants


def _extremes(rows, value, *, highest: bool) -> list:
    """The rows sharing the highest (or lowest) value, at most HIGHLIGHT_LIMIT."""
    if not rows:
        return []
    best = max(value(r) for r in rows) if highest else min(value(r) for r in rows)
    return [r for r in rows if value(r) == best][:HIGHLIGHT_LIMIT]


def _highlights(
    comparison: JobcentreComparison, outcomes: Outcomes, compliance: Compliance, report: Table1
) -> list[Highlight]:
    """Facts from the comparison of two or more jobcentres with visits; none otherwise."""
    rows = [r for r in comparison.jobcentres if r.booked]
    if len(rows) < 2:
        return []
    highlights = [
        Highlight(
            "most_booked",
            gettext("Most visits booked"),
            [
                HighlightItem(r.name, r.booked)
                for r in _extremes(rows, lambda r: r.booked, highest=True)
            ],
        )
    ]
    rated = [r for r in rows if r.outcome_registration_rate is not None]
    if len(rated) >= 2:
        for key, label, highest in (
            ("highest_registration", gettext("Highest outcome-registration rate"), True),
            ("lowest_registration", gettext("Lowest outcome-registration rate"), False),
        ):
            picked = _extremes(rated, lambda r: r.outcome_registration_rate, highest=highest)
            highlights.append(
                Highlight(
                    key,
                    label,
                    [HighlightItem(r.name, r.outcome_registration_rate, "percent") for r in picked],
                )
            )
    areas = [a for a in report.areas if a.booked]
    if len(areas) >= 2:
        picked = _extremes(areas, lambda a: a.outcome_registered / a.booked, highest=False)
        highlights.append(
            Highlight(
                "lowest_area_registration",
                gettext("RAR area with the lowest share of visits with a registered outcome"),
                [HighlightItem(a.name, a.outcome_registered / a.booked, "percent") for a in picked],
            )
        )
    for key, label, counted in (
        (
            "consultant_no_shows",
            gettext("Consultant no-shows"),
            [(r.name, r.counts["no_show_consultant"]) for r in outcomes.jobcentres],
        ),
        (
            "overdue_followups",
            gettext("Overdue follow-ups"),
            [(r.name, r.figures.overdue) for r in compliance.jobcentres],
        ),
    ):
        named = sorted(((n, v) for n, v in counted if v), key=lambda nv: (-nv[1], nv[0]))
        if named:
            items = [HighlightItem(n, v) for n, v in named[:HIGHLIGHT_LIMIT]]
            highlights.append(Highlight(key, label, items))
    return highlights


def evaluation(filters: ReportFilter, *, user, now: dt.datetime | None = None) -> Evaluation:
    """Every figure of the evaluation report for the filter. `user` reads the survey figures
    (surveys.results scopes them by reader; the filter already holds a coordinator's
    jobcentre). `now` decides which visits have passed and its day what is overdue
    (default: now). A fixed number of queries whatever the data."""
    now = now or timezone.now()
    today = timezone.localdate(now)

    period, consultants, representatives = _period_and_people(filters)
    report = table1(filters, today=today)
    outcomes = outcome_shares(filters)
    leads = lead_time(filters)
    compliance = followup_compliance(filters, today=today, per_consultant=False)
    comparison = jobcentre_comparison(filters, now=now)
    track1, track2, consultant_survey = _surveys(filters, user)

    total = outcomes.total
    visits = VisitFigures(
        booked=report.total.booked,
        held=total.counts["held"] + total.counts["held_short"] + total.counts["held_phone"],
        cancelled=total.counts["cancelled"],
        no_show_company=total.counts["no_show_company"],
        no_show_consultant=total.counts["no_show_consultant"],
        outcome_registered=report.total.outcome_registered,
        tracks=_tracks(filters),
    )
    participation = Participation(
        jobcentres=sum(1 for r in comparison.jobcentres if r.quota or r.booked),
        jobcentres_with_visits=sum(1 for r in comparison.jobcentres if r.booked),
        quota=comparison.total.quota,
        consultants=consultants,
        jobservice_representatives=representatives,
    )
    result = Evaluation(
        filters=filters,
        today=today,
        period=period,
        participation=participation,
        visits=visits,
        lead_time=leads,
        lead_split=_lead_split(leads),
        outcomes=outcomes,
        table1=report,
        followups=compliance,
        jobcentres=comparison,
        highlights=_highlights(comparison, outcomes, compliance, report),
        company_track1=track1,
        company_track2=track2,
        consultants=consultant_survey,
    )
    result.summary = summary(result)
    return result
