"""The rules of answering a survey, as pure functions (no database): which questions are
visible given the answers so far, and what a raw answer means for each kind of question.

A question is anything with `key`, `kind`, `required`, `choices` and `condition`
attributes (a surveys.models.Question, or a stand-in in tests). Answers are a dict
{question key: normalised value}; a question with no answer is simply absent."""

from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

LIKERT_MIN, LIKERT_MAX = 1, 5
NUMBER_MAX = 1_000_000
TEXT_MAX_LENGTH = 4000

YES = frozenset({"yes", "true", "ja"})
NO = frozenset({"no", "false", "nej"})


class QuestionLike(Protocol):
    key: str
    kind: str
    required: bool
    choices: list
    condition: dict | None


class AnswerInvalid(ValueError):
    """A raw answer that does not fit its question; `message` says why, for the person."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


# --- Visibility ------------------------------------------------------------------------------


def same_value(a: Any, b: Any) -> bool:
    """Equality that keeps booleans apart from numbers (in Python, True == 1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


def _condition_holds(controlling: QuestionLike, answer: Any, allowed: list) -> bool:
    if answer is None:
        return False
    given = answer if controlling.kind == "multiple" and isinstance(answer, list) else [answer]
    return any(same_value(value, ok) for value in given for ok in allowed)


def visible_keys(questions: Iterable[QuestionLike], answers: Mapping[str, Any]) -> set[str]:
    """The keys of the questions shown for these answers. A question with a condition is
    shown only when its controlling question is shown and answered with one of the
    condition's values (for a multiple-choice question: any chosen value). A condition on
    an unknown question, or a loop of conditions, hides the question."""
    by_key = {q.key: q for q in questions}
    memo: dict[str, bool] = {}

    def shown(key: str, path: frozenset[str]) -> bool:
        if key in memo:
            return memo[key]
        question = by_key.get(key)
        if question is None or key in path:
            return False
        condition = question.condition
        if not condition:
            result = True
        else:
            controlling = by_key.get(condition.get("question"))
            result = (
                controlling is not None
                and shown(controlling.key, path | {key})
                and _condition_holds(
                    controlling, answers.get(controlling.key), condition.get("in") or []
                )
            )
        memo[key] = result
        return result

    return {key for key in by_key if shown(key, frozenset())}


def missing_required(questions: Iterable[QuestionLike], answers: Mapping[str, Any]) -> list[str]:
    """The keys of required questions that are shown and not answered, in order."""
    questions = list(questions)
    visible = visible_keys(questions, answers)
    return [
        q.key for q in questions if q.required and q.key in visible and is_empty(answers.get(q.key))
    ]


# --- Values ----------------------------------------------------------------------------------


def is_empty(raw: Any) -> bool:
    """No answer: nothing, an empty or blank text, or an empty list."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return raw.strip() == ""
    if isinstance(raw, list | tuple):
        return all(is_empty(item) for item in raw)
    return False


def choice_values(question: QuestionLike) -> list:
    return [choice["value"] for choice in question.choices or []]


def _choice(question: QuestionLike, raw: Any) -> Any:
    """The choice value `raw` stands for (a form sends "3" for the value 3), or
    AnswerInvalid."""
    for value in choice_values(question):
        if same_value(value, raw):
            return value
        if isinstance(raw, str) and not isinstance(value, bool) and str(value) == raw.strip():
            return value
    raise AnswerInvalid(_("Please choose one of the options."))


def _integer(raw: Any) -> int | None:
    """`raw` as an int when it is one (or a text or float holding one), else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float):
        return int(raw) if raw.is_integer() else None
    if isinstance(raw, str):
        text = raw.strip()
        digits = text[1:] if text[:1] in "+-" else text
        if digits.isascii() and digits.isdigit():
            try:
                return int(text)
            except ValueError:  # beyond Python's limit on digits in a conversion
                return None
    return None


def _likert(question: QuestionLike, raw: Any) -> int:
    value = _integer(raw)
    if value is None or not LIKERT_MIN <= value <= LIKERT_MAX:
        raise AnswerInvalid(
            _("Please choose a number from %(low)d to %(high)d.")
            % {"low": LIKERT_MIN, "high": LIKERT_MAX}
        )
    return value


def _multiple(question: QuestionLike, raw: Any) -> list:
    if not isinstance(raw, list | tuple):
        raise AnswerInvalid(_("Please choose among the options."))
    chosen = [_choice(question, item) for item in raw if not is_empty(item)]
    for index, value in enumerate(chosen):
        if any(same_value(value, earlier) for earlier in chosen[:index]):
            raise AnswerInvalid(_("Please choose each option only once."))
    # In the order of the options, so equal answers are stored alike.
    return [v for v in choice_values(question) if any(same_value(v, c) for c in chosen)]


def _yes_no(question: QuestionLike, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = raw.strip().lower()
        if word in YES:
            return True
        if word in NO:
            return False
    raise AnswerInvalid(_("Please answer yes or no."))


def _number(question: QuestionLike, raw: Any) -> int:
    value = _integer(raw)
    if value is None:
        raise AnswerInvalid(_("Please enter a whole number, such as 12."))
    if value < 0:
        raise AnswerInvalid(_("Please enter 0 or more."))
    if value > NUMBER_MAX:
        raise AnswerInvalid(
            _("Please enter a number no larger than %(max)s.")
            % {"max": number_format(NUMBER_MAX, force_grouping=True)}
        )
    return value


def _text(question: QuestionLike, raw: Any) -> str:
    if not isinstance(raw, str):
        raise AnswerInvalid(_("Please write your answer as text."))
    text = raw.strip()
    if len(text) > TEXT_MAX_LENGTH:
        raise AnswerInvalid(
            ngettext_lazy(
                "Please keep your answer within %(max)d character (it has %(length)d).",
                "Please keep your answer within %(max)d characters (it has %(length)d).",
                "max",
            )
            % {"max": TEXT_MAX_LENGTH, "length": len(text)}
        )
    return text


CLEANERS = {
    "likert": _likert,
    "single": _choice,
    "multiple": _multiple,
    "yes_no": _yes_no,
    "number": _number,
    "text": _text,
}


def answer_clean(question: QuestionLike, raw: Any) -> Any:
    """The normalised value of a raw answer to `question`, or None for no answer. Raises
    AnswerInvalid with a message for the person when the value does not fit the kind."""
    if is_empty(raw):
        return None
    cleaner = CLEANERS.get(question.kind)
    if cleaner is None:
        raise AnswerInvalid(_("This question cannot be answered."))
    return cleaner(question, raw)


def stale_answers_dropped(
    questions: Iterable[QuestionLike], before: Mapping[str, Any], posted: Mapping[str, Any]
) -> dict[str, Any]:
    """For the answer form, which posts every field it shows: the posted answers without
    those to questions that were shown (so on the form) but are hidden by this very post,
    e.g. the ratings when "was the meeting held" turns to "no". What stays is exactly what
    the person can have meant; answers to questions hidden before and after stay in, so the
    service refuses them."""
    questions = list(questions)
    shown_before = visible_keys(questions, before)
    after = dict(before)
    for key, raw in posted.items():
        after[key] = raw
    # Which questions the post's own answers show (raw values are close enough here: a
    # controlling question's invalid value is refused by the service anyway).
    cleaned_after = {}
    by_key = {q.key: q for q in questions}
    for key, raw in after.items():
        question = by_key.get(key)
        try:
            cleaned_after[key] = answer_clean(question, raw) if question else raw
        except AnswerInvalid:
            cleaned_after[key] = None
    shown_after = visible_keys(questions, cleaned_after)
    return {
        key: raw for key, raw in posted.items() if key in shown_after or key not in shown_before
    }
