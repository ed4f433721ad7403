"""The survey results page and its export for agency staff: /surveys/results/.

The filter form is shared with the API (surveys.results_api), so both read the same
parameters the same way."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from campaign.models import Campaign, Track
from common.errors import ApplicationError
from common.exports import table_download
from consultants.models import Jobcentre, RarArea
from consultants.permissions import role_required
from consultants.roles import Role
from surveys.models import Question, Survey
from surveys.results import (
    SCALE,
    SUPPRESS_BELOW,
    Crosstab,
    QuestionResult,
    ResultsFilter,
    scale_questions,
    survey_results,
)
from surveys.results_export import export_table, survey_comments

Kind = Question.Kind
LABEL_WIDTH = 45  # characters per line of a chart's bar label


def survey_choices() -> list[tuple[str, str]]:
    """("", all company surveys), then each survey key with its newest title."""
    newest: dict[str, Survey] = {}
    for survey in Survey.objects.order_by("key", "-version"):
        newest.setdefault(survey.key, survey)
    return [("", _("All company surveys"))] + [
        (key, f"{survey.localized_title()} ({key})") for key, survey in newest.items()
    ]


def outcome_choices() -> list[tuple[str, str]]:
    """Every 1-5 scale question key of any survey (newest wording), for the crosstabs."""
    newest: dict[str, Question] = {}
    questions = Question.objects.filter(kind__in=(Kind.LIKERT, Kind.SINGLE)).select_related(
        "survey"
    )
    for question in questions.order_by("survey__key", "-survey__version", "position"):
        newest.setdefault(question.key, question)
    return [("", _("Overall satisfaction (default)"))] + [
        (q.key, textwrap.shorten(q.localized_text(), 80, placeholder="…"))
        for q in scale_questions(newest.values())
    ]


class ResultsFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.all(),
        required=False,
        empty_label=_("All campaigns"),
    )
    survey = forms.ChoiceField(label=_("Survey"), required=False)
    track = forms.ChoiceField(
        label=_("Track"), choices=[("", _("Both tracks")), *Track.choices], required=False
    )
    rar_area = forms.ModelChoiceField(
        label=_("RAR area"),
        queryset=RarArea.objects.all(),
        required=False,
        empty_label=_("All RAR areas"),
    )
    jobcentre = forms.ModelChoiceField(
        label=_("Jobcentre"),
        queryset=Jobcentre.objects.order_by("name"),
        required=False,
        empty_label=_("All jobcentres"),
    )
    question = forms.ChoiceField(label=_("Crosstabs of"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survey"].choices = survey_choices()
        self.fields["question"].choices = outcome_choices()
        for bound in self.fields.values():
            bound.widget.attrs["class"] = "form-select"

    def results_filter(self) -> ResultsFilter:
        """The filter the (valid, or unbound) form stands for."""
        data = self.cleaned_data if self.is_bound else {}

        def pk(name: str) -> int | None:
            return data[name].pk if data.get(name) else None

        return ResultsFilter(
            campaign=pk("campaign"),
            survey_key=data.get("survey") or None,
            track=data.get("track") or None,
            rar_area=pk("rar_area"),
            jobcentre=pk("jobcentre"),
        )

    def outcome_key(self) -> str | None:
        return (self.cleaned_data.get("question") if self.is_bound else None) or None


# --- Charts ------------------------------------------------------------------------------------


@dataclass
class Chart:
    """What static/js/survey-results.js draws: horizontal bars, one dataset per series."""

    id: str
    title: str
    axis: str
    labels: list[list[str]]
    datasets: list[dict[str, Any]]
    min: float = 0
    max: float = 100
    stacked: bool = False

    @property
    def height(self) -> int:
        """Pixels for the canvas: room for each bar's label lines."""
        lines = sum(max(1, len(label)) for label in self.labels)
        return 60 + 18 * lines + 16 * len(self.labels)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "axis": self.axis,
            "labels": self.labels,
            "datasets": self.datasets,
            "min": self.min,
            "max": self.max,
            "stacked": self.stacked,
        }


@dataclass
class QuestionGroup:
    """Questions shown under one chart: a run of 1-5 items (mean per item), a run of number
    questions (mean per question), or one choice question (share per answer)."""

    kind: str  # "means", "numbers" or "choices"
    title: str
    questions: list[QuestionResult] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)  # per question: its text without the title
    chart: Chart | None = None


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, LABEL_WIDTH) or [text]


def _suppressed(label: str) -> str:
    fewer = gettext("fewer than %(n)d answers") % {"n": SUPPRESS_BELOW}
    return f"{label} ({fewer})"


def _split(text: str) -> tuple[str, str]:
    """("If you are ... important is it to you:", "fast service?") for items that share an
    opening; ("", text) for others."""
    head, colon, tail = text.rpartition(": ")
    return (head + ":", tail) if colon and tail else ("", text)


def question_groups(questions: list[QuestionResult]) -> list[QuestionGroup]:
    groups: list[QuestionGroup] = []
    for question in questions:
        if question.kind in (Kind.LIKERT, Kind.NUMBER):
            kind = "means" if question.kind == Kind.LIKERT else "numbers"
            opening, label = _split(question.text) if kind == "means" else ("", question.text)
            last = groups[-1] if groups else None
            if last is None or last.kind != kind or (kind == "means" and last.title != opening):
                last = QuestionGroup(kind=kind, title=opening)
                groups.append(last)
            last.questions.append(question)
            last.labels.append(label)
        else:
            groups.append(
                QuestionGroup(
                    kind="choices", title=question.text, questions=[question], labels=[""]
                )
            )
    for number, group in enumerate(groups, start=1):
        if group.kind == "means" and not group.title:
            group.title = gettext("Ratings from 1 to 5")
        if group.kind == "numbers":
            group.title = gettext("Numbers")
        group.chart = _group_chart(f"survey-chart-{number}", group)
    return groups


def _group_chart(chart_id: str, group: QuestionGroup) -> Chart:
    if group.kind in ("means", "numbers"):
        labels = [
            _wrap(label if not q.suppressed else _suppressed(label))
            for q, label in zip(group.questions, group.labels, strict=True)
        ]
        values = [q.mean for q in group.questions]
        top = max([v for v in values if v is not None] or [0])
        return Chart(
            id=chart_id,
            title=group.title,
            axis=gettext("Mean (1–5)") if group.kind == "means" else gettext("Mean"),
            labels=labels,
            datasets=[{"label": gettext("Mean"), "data": values}],
            min=min(SCALE) if group.kind == "means" else 0,
            max=max(SCALE) if group.kind == "means" else max(1, top),
        )
    question = group.questions[0]
    return Chart(
        id=chart_id,
        title=group.title,
        axis=gettext("Share of answers (%)"),
        labels=[_wrap(choice.label) for choice in question.choices],
        datasets=[
            {
                "label": gettext("Share of answers (%)"),
                "data": [choice.share_percent for choice in question.choices],
            }
        ],
    )


def crosstab_chart(chart_id: str, crosstab: Crosstab) -> Chart:
    return Chart(
        id=chart_id,
        title=crosstab.title,
        axis=gettext("Share answering 4 or 5 (%)"),
        labels=[
            _wrap(cell.label if not cell.suppressed else _suppressed(cell.label))
            for cell in crosstab.cells
        ],
        datasets=[
            {
                "label": gettext("Share answering 4 or 5 (%)"),
                "data": [cell.share_high_percent for cell in crosstab.cells],
            }
        ],
    )


# --- Views -------------------------------------------------------------------------------------


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@role_required(Role.AGENCY)
@require_GET
def results_page(request):
    form = ResultsFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "surveys/results.html", {"form": form}, status=400)
    filters = form.results_filter()
    results = survey_results(user=request.user, filters=filters, outcome_key=form.outcome_key())
    groups = question_groups(results.questions)
    crosstabs = [
        (crosstab, crosstab_chart(f"survey-crosstab-{number}", crosstab))
        for number, crosstab in enumerate(results.crosstabs, start=1)
    ]
    charts = [g.chart.as_json() for g in groups if g.chart] + [c.as_json() for _t, c in crosstabs]
    comments = survey_comments(
        user=request.user, filters=filters, page=request.GET.get("page") or 1
    )
    return render(
        request,
        "surveys/results.html",
        {
            "form": form,
            "results": results,
            "groups": groups,
            "crosstabs": crosstabs,
            "charts": charts,
            "comments": comments,
            "export_query": _query_without(request, "page", "format"),
        },
    )


@role_required(Role.AGENCY)
@require_GET
def results_export(request) -> HttpResponse:
    form = ResultsFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "\n".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    header, rows = export_table(user=request.user, filters=form.results_filter())
    try:
        return table_download("survey-answers", header, rows, fmt=request.GET.get("format"))
    except ApplicationError as error:
        return HttpResponseBadRequest(str(error.message), content_type="text/plain; charset=utf-8")
