"""Survey results for agency staff: response rates, the figures of every question, the
companies' comments (masked), and the answers set beside what the system knows about the
visit (were the agreed follow-ups done on time, which track, how far ahead was it booked).

What counts:

- A response is a submitted invitation; answers saved on an invitation that was never
  submitted are left out. "Opened" counts invitations opened or submitted.
- Without a survey key, every company survey (track 1 and track 2) is read together; with
  one, every version of that key. Answers are aggregated by question key across versions
  and surveys, so a question that kept its key keeps its history. A key's text, kind and
  choices are those of the newest version of the survey with the most responses; answers
  to a version where the key had another kind are left out.
- Track, RAR area and jobcentre are the visit's; for a survey about a consultant or a
  jobcentre, that consultant's or jobcentre's.
- A figure computed from fewer than SUPPRESS_BELOW answers is None and flagged
  `suppressed` (means, medians, shares, distributions, crosstab cells); the number of
  answers itself is shown.
- "Share high" is the share answering 4 or 5 on a 1-5 scale: satisfied, likely, important.

Queries do not grow with the number of responses: the counts are grouped by (question,
answer value) and by (group, answer value) in SQL. The comments and the export are in
surveys.results_export.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from bookings.models import FollowUp
from bookings.slots import LOCAL_TZ
from campaign.models import Track
from consultants.roles import Role, has_role, is_agency, jobcentre_id_of
from surveys.models import Answer, Audience, Invitation, Question, Survey

SUPPRESS_BELOW = 5
DEFAULT_OUTCOME_KEY = "overall_satisfaction"
SCALE = (1, 2, 3, 4, 5)
HIGH = (4, 5)
LEAD_TIME_BOUNDS = (14, 28, 42)  # days: 0-13, 14-27, 28-41, 42 and more

Kind = Question.Kind


@dataclass(frozen=True)
class ResultsFilter:
    """Which responses to read; None is "all"."""

    campaign: int | None = None
    survey_key: str | None = None
    track: str | None = None
    rar_area: int | None = None
    jobcentre: int | None = None


# --- Scope -----------------------------------------------------------------------------------


def _place_q(lookup: str, value: Any) -> Q:
    """Invitations whose jobcentre (lookup "") or its RAR area (lookup "rar_area") is
    `value`. An invitation's jobcentre is its visit's, else its consultant's, else its own."""
    path = f"jobcentre__{lookup}" if lookup else "jobcentre"
    return (
        Q(**{f"booking__{path}": value})
        | Q(booking__isnull=True, **{f"consultant__{path}": value})
        | Q(booking__isnull=True, consultant__isnull=True, **{path: value})
    )


def surveys_in(filters: ResultsFilter) -> QuerySet[Survey]:
    """The survey versions read: every version of the key, or every company survey (of the
    track, when one is chosen)."""
    surveys = Survey.objects.all()
    if filters.survey_key:
        return surveys.filter(key=filters.survey_key)
    surveys = surveys.filter(audience=Audience.COMPANY)
    if filters.track:
        surveys = surveys.filter(Q(track=filters.track) | Q(track=""))
    return surveys


def invitations_in(user, filters: ResultsFilter) -> QuerySet[Invitation]:
    """The invitations the user may read that match the filters. Agency staff read all; a
    coordinator or consultant only their own jobcentre's; anyone else nothing."""
    invitations = Invitation.objects.filter(survey__in=surveys_in(filters))
    if not is_agency(user):
        jobcentre = jobcentre_id_of(user)
        if jobcentre is None or not has_role(user, Role.COORDINATOR, Role.CONSULTANT):
            return invitations.none()
        invitations = invitations.filter(_place_q("", jobcentre))
    if filters.campaign:
        invitations = invitations.filter(campaign_id=filters.campaign)
    if filters.track:
        invitations = invitations.filter(
            Q(booking__track=filters.track) | Q(booking__isnull=True, survey__track=filters.track)
        )
    if filters.rar_area:
        invitations = invitations.filter(_place_q("rar_area", filters.rar_area))
    if filters.jobcentre:
        invitations = invitations.filter(_place_q("", filters.jobcentre))
    return invitations


def submitted_in(user, filters: ResultsFilter) -> QuerySet[Invitation]:
    """The responses: submitted invitations in scope."""
    return invitations_in(user, filters).filter(submitted_at__isnull=False)


# --- Figures ---------------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _percent(share: float | None) -> float | None:
    return None if share is None else share * 100


@dataclass
class ResponseRate:
    invited: int = 0
    opened: int = 0
    answered: int = 0

    @property
    def opened_rate(self) -> float | None:
        return _share(self.opened, self.invited)

    @property
    def answered_rate(self) -> float | None:
        return _share(self.answered, self.invited)

    @property
    def opened_percent(self) -> float | None:
        return _percent(self.opened_rate)

    @property
    def answered_percent(self) -> float | None:
        return _percent(self.answered_rate)


@dataclass
class ChoiceCount:
    """One answer value of a question: how many chose it and their share of the question's
    answers (None when suppressed). For a multiple-choice question the shares add up to
    more than 1."""

    value: Any
    label: str
    count: int | None
    share: float | None

    @property
    def share_percent(self) -> float | None:
        return _percent(self.share)


@dataclass
class QuestionResult:
    key: str
    kind: str
    text: str
    n: int
    suppressed: bool
    is_scale: bool = False  # a 1-5 scale: a Likert item or a single choice among 1-5
    mean: float | None = None
    median: float | None = None
    share_high: float | None = None  # answering 4 or 5 on a scale
    choices: list[ChoiceCount] = field(default_factory=list)

    @property
    def share_high_percent(self) -> float | None:
        return _percent(self.share_high)


@dataclass
class CrosstabCell:
    key: str
    label: str
    n: int
    suppressed: bool
    mean: float | None
    share_high: float | None

    @property
    def share_high_percent(self) -> float | None:
        return _percent(self.share_high)


@dataclass
class Crosstab:
    dimension: str  # "followup", "track" or "lead_time"
    title: str
    cells: list[CrosstabCell]


@dataclass
class SurveyResults:
    filters: ResultsFilter
    rate: ResponseRate
    questions: list[QuestionResult]
    outcome_key: str | None  # the question the crosstabs read, if any
    outcome_text: str
    crosstabs: list[Crosstab]
    suppress_below: int = SUPPRESS_BELOW


def _key(value: Any) -> str:
    """A dict key for an answer value that keeps True apart from 1."""
    return json.dumps(value, sort_keys=True)


def _label(choice: dict, fallback: Any) -> str:
    label = choice.get("en" if get_language() == "en" else "da") or choice.get("da")
    return str(label) if label else str(fallback)


def _is_scale(question: Question) -> bool:
    if question.kind == Kind.LIKERT:
        return True
    values = [c.get("value") for c in question.choices or [] if isinstance(c, dict)]
    return (
        question.kind == Kind.SINGLE
        and all(isinstance(v, int) and not isinstance(v, bool) for v in values)
        and sorted(values) == list(SCALE)
    )


def _choice_labels(question: Question) -> list[tuple[Any, str]]:
    """(value, label) for every answer a question offers, in order."""
    choices = [c for c in question.choices or [] if isinstance(c, dict) and "value" in c]
    if question.kind == Kind.LIKERT:
        ends = {c["value"]: _label(c, c["value"]) for c in choices}
        return [(v, f"{v} – {ends[v]}" if v in ends else str(v)) for v in SCALE]
    if question.kind == Kind.YES_NO:
        return [(True, gettext("Yes")), (False, gettext("No"))]
    return [(c["value"], _label(c, c["value"])) for c in choices]


def _scale_figures(counts: dict[int, int]) -> tuple[int, float | None, float | None]:
    """n, mean and share answering 4-5 from counts per scale value (others ignored)."""
    n = sum(counts.get(v, 0) for v in SCALE)
    mean = _share(sum(v * counts.get(v, 0) for v in SCALE), n)
    return n, mean, _share(sum(counts.get(v, 0) for v in HIGH), n)


def _scale_counts(value_counts: dict[str, int]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for key, count in value_counts.items():
        value = json.loads(key)
        if value in SCALE and not isinstance(value, bool):
            counts[value] = counts.get(value, 0) + count
    return counts


def _catalogue(surveys: QuerySet[Survey], answered_by_key: dict[str, int]) -> dict[str, Question]:
    """One representative question per key, in the order shown: from the survey key with
    the most responses (then alphabetical), its newest version holding the key."""
    ranked = sorted(answered_by_key, key=lambda k: (-answered_by_key[k], k))
    rank = {key: number for number, key in enumerate(ranked)}
    questions = Question.objects.filter(survey__in=surveys).select_related("survey")
    ordered = sorted(
        questions,
        key=lambda q: (
            rank.get(q.survey.key, len(rank)),
            q.survey.key,
            -q.survey.version,
            q.position,
        ),
    )
    catalogue: dict[str, Question] = {}
    for question in ordered:
        first = catalogue.setdefault(question.key, question)
        same_kind = first.kind == question.kind
        if first is not question and same_kind and first.kind in (Kind.SINGLE, Kind.MULTIPLE):
            # An option only another survey or version offers keeps its label (the track 1
            # survey's "Jobservice agreement"). The copy is never saved.
            offered = {_key(c.get("value")) for c in first.choices or [] if isinstance(c, dict)}
            extra = [
                c
                for c in question.choices or []
                if isinstance(c, dict) and _key(c.get("value")) not in offered
            ]
            if extra and not _is_scale(first):
                first.choices = [*first.choices, *extra]
    return catalogue


def _question_result(question: Question, value_counts: dict[str, int]) -> QuestionResult:
    kind = question.kind
    result = QuestionResult(
        key=question.key,
        kind=kind,
        text=question.localized_text(),
        n=0,
        suppressed=True,
        is_scale=_is_scale(question),
    )
    labels = _choice_labels(question)
    counts: dict[str, int] = defaultdict(int)
    if kind == Kind.MULTIPLE:
        for key, count in value_counts.items():
            chosen = json.loads(key)
            chosen = chosen if isinstance(chosen, list) else [chosen]
            if not chosen:
                continue
            result.n += count
            for value in {_key(v) for v in chosen}:
                counts[value] += count
    elif kind == Kind.NUMBER:
        numbers: list[float] = []
        for key, count in value_counts.items():
            value = json.loads(key)
            if isinstance(value, int | float) and not isinstance(value, bool):
                numbers += [value] * count
        result.n = len(numbers)
        if numbers and result.n >= SUPPRESS_BELOW:
            result.mean = statistics.fmean(numbers)
            result.median = statistics.median(numbers)
    else:
        if result.is_scale:
            scale = _scale_counts(value_counts)
            result.n, result.mean, result.share_high = _scale_figures(scale)
            counts.update({_key(v): c for v, c in scale.items()})
        else:
            counts.update(value_counts)
            result.n = sum(value_counts.values())
    result.suppressed = result.n < SUPPRESS_BELOW
    if result.suppressed:
        result.mean = result.median = result.share_high = None
    if kind != Kind.NUMBER:
        known = {_key(value) for value, _label_ in labels}
        # Values no choice offers any more (an older version's) are shown as they are.
        labels += [(json.loads(k), k.strip('"')) for k in sorted(counts) if k not in known]
        result.choices = [
            ChoiceCount(
                value=value,
                label=label,
                count=None if result.suppressed else counts.get(_key(value), 0),
                share=None if result.suppressed else _share(counts.get(_key(value), 0), result.n),
            )
            for value, label in labels
        ]
    return result


def _rates(user, filters: ResultsFilter) -> tuple[ResponseRate, dict[str, int]]:
    """The response rate, and the responses per survey key."""
    rows = (
        invitations_in(user, filters)
        .values("survey__key")
        .annotate(
            invited=Count("id"),
            opened=Count("id", filter=Q(opened_at__isnull=False) | Q(submitted_at__isnull=False)),
            answered=Count("id", filter=Q(submitted_at__isnull=False)),
        )
        .order_by()
    )
    rate = ResponseRate()
    answered: dict[str, int] = {}
    for row in rows:
        rate.invited += row["invited"]
        rate.opened += row["opened"]
        rate.answered += row["answered"]
        answered[row["survey__key"]] = row["answered"]
    return rate, answered


def question_catalogue(user, filters: ResultsFilter) -> dict[str, Question]:
    """The questions read, one per key, in the order shown (see _catalogue)."""
    _rate, answered = _rates(user, filters)
    return _catalogue(surveys_in(filters), answered)


def scale_questions(catalogue: Iterable[Question]) -> list[Question]:
    """The questions a crosstab can read: 1-5 scales."""
    return [q for q in catalogue if _is_scale(q)]


def survey_results(
    *, user, filters: ResultsFilter, outcome_key: str | None = None
) -> SurveyResults:
    """Every figure of the results page. `outcome_key` is the scale question the crosstabs
    read (default: overall satisfaction if the surveys ask it, else the first scale)."""
    rate, answered = _rates(user, filters)
    catalogue = _catalogue(surveys_in(filters), answered)
    submitted = submitted_in(user, filters)
    rows = (
        Answer.objects.filter(invitation__in=submitted)
        .exclude(question__kind=Kind.TEXT)
        .values("question__key", "question__kind", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_question: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        question = catalogue.get(row["question__key"])
        if question is not None and question.kind == row["question__kind"]:
            by_question[question.key][_key(row["value"])] += row["n"]
    questions = [
        _question_result(question, by_question.get(key, {}))
        for key, question in catalogue.items()
        if question.kind != Kind.TEXT
    ]

    scales = {q.key: q for q in scale_questions(catalogue.values())}
    if outcome_key not in scales:
        outcome_key = DEFAULT_OUTCOME_KEY if DEFAULT_OUTCOME_KEY in scales else None
        outcome_key = outcome_key or next(iter(scales), None)
    crosstabs = []
    outcome_text = ""
    if outcome_key is not None:
        outcome = scales[outcome_key]
        outcome_text = outcome.localized_text()
        crosstabs = _crosstabs(submitted, outcome)
    return SurveyResults(
        filters=filters,
        rate=rate,
        questions=questions,
        outcome_key=outcome_key,
        outcome_text=outcome_text,
        crosstabs=crosstabs,
    )


# --- Crosstabs -------------------------------------------------------------------------------

FOLLOWUP_GROUPS = (
    ("none", _("No follow-up agreed")),
    ("on_time", _("All done on time")),
    ("late", _("Done, but late")),
    ("pending", _("Not done, not yet due")),
    ("not_done", _("Not done by the due date")),
)


def _lead_time_groups() -> list[tuple[str, str]]:
    groups = []
    low = 0
    for high in LEAD_TIME_BOUNDS:
        label = gettext("%(low)d–%(high)d days") % {"low": low, "high": high - 1}
        groups.append((f"{low}-{high - 1}", label))
        low = high
    groups.append((f"{low}+", gettext("%(low)d days or more") % {"low": low}))
    return groups


def followup_group(*, today: dt.date | None = None) -> Case:
    """The follow-up state of an answer's visit: not done (an open follow-up past its due
    date) before late (one done after its due date, local time) before not yet due (open,
    due today or later) before all done on time; none when nothing was agreed."""
    today = today or timezone.localdate()
    followups = FollowUp.objects.filter(outcome__booking=OuterRef("invitation__booking_id"))
    return Case(
        When(
            Exists(followups.filter(done_at__isnull=True, due_on__lt=today)), then=Value("not_done")
        ),
        When(Exists(followups.filter(done_at__date__gt=F("due_on"))), then=Value("late")),
        When(Exists(followups.filter(done_at__isnull=True)), then=Value("pending")),
        When(Exists(followups), then=Value("on_time")),
        default=Value("none"),
        output_field=CharField(),
    )


def lead_time_group() -> Case:
    """The bin of days from booking (Booking.booked_at; for a moved visit, the move) to the
    visit: calendar days in local time, so a visit booked on the 1st for the 15th is 14 days
    ahead whatever the hour, and summer time changes nothing."""
    lead = TruncDate("invitation__booking__starts_at", tzinfo=LOCAL_TZ) - TruncDate(
        "invitation__booking__booked_at", tzinfo=LOCAL_TZ
    )
    groups = [key for key, _label_ in _lead_time_groups()]
    return Case(
        *[
            When(LessThan(lead, dt.timedelta(days=high)), then=Value(key))
            for key, high in zip(groups, LEAD_TIME_BOUNDS, strict=False)
        ],
        default=Value(groups[-1]),
        output_field=CharField(),
    )


def _cells(groups: list[tuple[str, str]], rows: Iterable[dict]) -> list[CrosstabCell]:
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        value = row["value"]
        if value in SCALE and not isinstance(value, bool):
            counts[row["group"]][value] += row["n"]
    cells = []
    for key, label in groups:
        n, mean, share_high = _scale_figures(counts.get(key, {}))
        suppressed = n < SUPPRESS_BELOW
        cells.append(
            CrosstabCell(
                key=key,
                label=str(label),
                n=n,
                suppressed=suppressed,
                mean=None if suppressed else mean,
                share_high=None if suppressed else share_high,
            )
        )
    return cells


def _crosstabs(submitted: QuerySet[Invitation], outcome: Question) -> list[Crosstab]:
    answers = Answer.objects.filter(
        invitation__in=submitted,
        invitation__booking__isnull=False,
        question__key=outcome.key,
        question__kind=outcome.kind,
    )

    def grouped(expression) -> list[dict]:
        return list(
            answers.annotate(group=expression)
            .values("group", "value")
            .annotate(n=Count("id"))
            .order_by()
        )

    return [
        Crosstab(
            dimension="followup",
            title=gettext("By the agreed follow-ups"),
            cells=_cells(list(FOLLOWUP_GROUPS), grouped(followup_group())),
        ),
        Crosstab(
            dimension="track",
            title=gettext("By track"),
            cells=_cells(list(Track.choices), grouped(F("invitation__booking__track"))),
        ),
        Crosstab(
            dimension="lead_time",
            title=gettext("By days from booking to visit"),
            cells=_cells(_lead_time_groups(), grouped(lead_time_group())),
        ),
    ]
