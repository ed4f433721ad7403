"""The answer form: reading a post into raw answers, and what the template needs to show
each visible question (its inputs, labels, current value and errors). The rules themselves
are surveys.logic; this module only translates between them and HTML."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from surveys.logic import (
    LIKERT_MAX,
    LIKERT_MIN,
    NUMBER_MAX,
    TEXT_MAX_LENGTH,
    AnswerInvalid,
    answer_clean,
    visible_keys,
)
from surveys.models import Question

PREFIX = "q-"


def field_name(key: str) -> str:
    return f"{PREFIX}{key}"


def choice_label(choice: Mapping[str, Any]) -> str:
    """A choice's label in the active language (Danish, else English, else its value)."""
    first, second = ("en", "da") if get_language() == "en" else ("da", "en")
    return str(choice.get(first) or choice.get(second) or choice.get("value"))


def answers_from_post(questions: Iterable[Question], data: QueryDict) -> dict[str, Any]:
    """The raw answers in a post: one per question whose field was sent. A multiple-choice
    question sends an empty hidden value besides its boxes, so unticking them all is an
    answer too (an empty one)."""
    answers: dict[str, Any] = {}
    for question in questions:
        name = field_name(question.key)
        if name not in data:
            continue
        if question.kind == Question.Kind.MULTIPLE:
            answers[question.key] = [v for v in data.getlist(name) if v != ""]
        else:
            answers[question.key] = data.get(name)
    return answers


def _form_value(value: Any) -> Any:
    """A stored or posted value as the form shows it: strings, yes/no for booleans."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return [_form_value(v) for v in value]
    return "" if value is None else str(value)


@dataclass
class Option:
    value: str
    label: str
    id: str
    checked: bool


@dataclass
class FieldView:
    """One visible question as the template shows it."""

    key: str
    kind: str
    name: str
    id: str
    label: str
    required: bool
    value: str = ""
    options: list[Option] = field(default_factory=list)
    low_label: str = ""
    high_label: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def error_id(self) -> str:
        return f"{self.id}-errors"

    @property
    def is_group(self) -> bool:
        """Shown as a fieldset of radio buttons or check boxes."""
        return self.kind not in (Question.Kind.NUMBER, Question.Kind.TEXT)


@dataclass
class SummaryItem:
    message: str
    label: str = ""
    target: str = ""  # the id to jump to


class AnswerForm:
    """The visible questions with their current values and errors. `values` are the saved
    answers, overlaid with what the person posted when the post was refused (so nothing
    they typed is lost on the page)."""

    max_number = NUMBER_MAX
    max_text = TEXT_MAX_LENGTH

    def __init__(
        self,
        questions: list[Question],
        values: Mapping[str, Any],
        errors: Mapping[str, Iterable] | None = None,
    ):
        self.questions = questions
        self.values = dict(values)
        self.errors = {key: [str(m) for m in messages] for key, messages in (errors or {}).items()}
        cleaned: dict[str, Any] = {}
        for question in questions:
            try:
                cleaned[question.key] = answer_clean(question, self.values.get(question.key))
            except AnswerInvalid:
                cleaned[question.key] = None  # not an answer: shows nothing it controls
        self.visible = visible_keys(questions, {k: v for k, v in cleaned.items() if v is not None})

    @property
    def visible_signature(self) -> str:
        """The shown questions' keys, for the page script to tell whether a save changed
        what is asked (surveys/static/surveys/answer.js)."""
        return " ".join(q.key for q in self.questions if q.key in self.visible)

    @property
    def error_signature(self) -> str:
        return " ".join(sorted(self.errors))

    @property
    def fields(self) -> list[FieldView]:
        return [self._field(q) for q in self.questions if q.key in self.visible]

    @property
    def summary(self) -> list[SummaryItem]:
        """Every error, in the order of the questions, then any about no question shown."""
        items = []
        by_key = {q.key: q for q in self.questions}
        for question in self.questions:
            for message in self.errors.get(question.key, []):
                shown = question.key in self.visible
                items.append(
                    SummaryItem(
                        message=message,
                        label=question.localized_text(),
                        target=self._target(question) if shown else "",
                    )
                )
        for key, messages in self.errors.items():
            if key not in by_key:
                items.extend(SummaryItem(message=m) for m in messages)
        return items

    @staticmethod
    def _id(question: Question) -> str:
        return f"question-{question.key}"

    def _target(self, question: Question) -> str:
        """Where a link from the error summary goes: the input itself, or the first one of
        a group."""
        if question.kind in (Question.Kind.NUMBER, Question.Kind.TEXT):
            return self._id(question)
        return f"{self._id(question)}-0"

    def _field(self, question: Question) -> FieldView:
        current = _form_value(self.values.get(question.key))
        view = FieldView(
            key=question.key,
            kind=question.kind,
            name=field_name(question.key),
            id=self._id(question),
            label=question.localized_text(),
            required=question.required,
            errors=self.errors.get(question.key, []),
        )
        if question.kind == Question.Kind.LIKERT:
            ends = {str(c.get("value")): choice_label(c) for c in question.choices or []}
            view.low_label = ends.get(str(LIKERT_MIN), "")
            view.high_label = ends.get(str(LIKERT_MAX), "")
            pairs = [(str(n), str(n)) for n in range(LIKERT_MIN, LIKERT_MAX + 1)]
        elif question.kind == Question.Kind.YES_NO:
            pairs = [("yes", str(_("Yes"))), ("no", str(_("No")))]
        elif question.kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
            pairs = [(_form_value(c.get("value")), choice_label(c)) for c in question.choices]
        else:
            view.value = current if isinstance(current, str) else ""
            return view
        chosen = set(current) if isinstance(current, list) else {current}
        view.options = [
            Option(value=value, label=label, id=f"{view.id}-{i}", checked=value in chosen)
            for i, (value, label) in enumerate(pairs)
        ]
        return view
