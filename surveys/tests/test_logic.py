"""The rules of answering, without a database: which questions show for which answers, and
what each kind of question accepts."""

import json
from dataclasses import dataclass, field

import pytest
from hypothesis import given
from hypothesis import strategies as st

from surveys.logic import (
    NUMBER_MAX,
    TEXT_MAX_LENGTH,
    AnswerInvalid,
    answer_clean,
    missing_required,
    stale_answers_dropped,
    visible_keys,
)
from surveys.shipped import SHIPPED_SURVEYS_JSON


@dataclass
class Q:
    key: str
    kind: str = "text"
    required: bool = False
    choices: list = field(default_factory=list)
    condition: dict | None = None


def shipped(key: str = "company-track-2") -> list[Q]:
    data = json.loads(SHIPPED_SURVEYS_JSON.read_text(encoding="utf-8"))
    raw = next(s for s in data["surveys"] if s["key"] == key)
    return [
        Q(q["key"], q["kind"], q.get("required", False), q.get("choices", []), q.get("condition"))
        for q in raw["questions"]
    ]


COMPANY = shipped()
HELD_ONLY = {
    "prepared",
    "needs_uncovered",
    "offers_presented",
    "knowledge_improved",
    "expectations_met",
    "overall_satisfaction",
    "followup_agreed",
    "likely_cooperation",
    "importance_fast_service",
    "importance_clear_use",
    "importance_law_knowledge",
    "importance_price",
    "respondent_role",
    "company_size",
}
FOLLOWUP = {"followup_kinds", "followup_happened"}


def choice(*values) -> list[dict]:
    return [{"value": v, "da": str(v), "en": str(v)} for v in values]


# --- Visibility ------------------------------------------------------------------------------


def test_before_any_answer_only_the_unconditional_questions_show():
    assert visible_keys(COMPANY, {}) == {"visit_held", "comments"}


def test_a_held_visit_shows_the_ratings_and_a_cancelled_one_the_reason():
    held = visible_keys(COMPANY, {"visit_held": "held"})
    assert held == {"visit_held", "comments"} | HELD_ONLY
    cancelled = visible_keys(COMPANY, {"visit_held": "cancelled"})
    assert cancelled == {"visit_held", "cancel_reason", "comments"}


def test_a_yes_shows_the_follow_up_questions_and_a_no_does_not():
    answers = {"visit_held": "held", "followup_agreed": True}
    assert visible_keys(COMPANY, answers) >= FOLLOWUP
    assert not FOLLOWUP & visible_keys(COMPANY, {**answers, "followup_agreed": False})
    chain = {**answers, "followup_happened": True}
    assert "followup_satisfaction" in visible_keys(COMPANY, chain)


def test_a_hidden_question_hides_the_questions_conditioned_on_it():
    answers = {
        "visit_held": "cancelled",  # hides followup_agreed, though it is answered yes
        "followup_agreed": True,
        "followup_happened": True,
    }
    shown = visible_keys(COMPANY, answers)
    assert not (FOLLOWUP | {"followup_agreed", "followup_satisfaction"}) & shown


def test_a_condition_on_a_multiple_choice_holds_when_any_chosen_value_is_listed():
    questions = [
        Q("kinds", "multiple", choices=choice("a", "b", "c")),
        Q("about_b", condition={"question": "kinds", "in": ["b", "x"]}),
    ]
    assert "about_b" in visible_keys(questions, {"kinds": ["a", "b"]})
    assert "about_b" not in visible_keys(questions, {"kinds": ["a", "c"]})
    assert "about_b" not in visible_keys(questions, {"kinds": []})


def test_yes_no_conditions_compare_booleans_not_numbers():
    questions = [Q("ok", "yes_no"), Q("why", condition={"question": "ok", "in": [True]})]
    assert "why" in visible_keys(questions, {"ok": True})
    assert "why" not in visible_keys(questions, {"ok": 1})  # 1 == True in Python
    numbers = [
        Q("n", "single", choices=choice(1, 2)),
        Q("m", condition={"question": "n", "in": [1]}),
    ]
    assert "m" not in visible_keys(numbers, {"n": True})


def test_a_condition_on_an_unknown_question_or_a_loop_hides_the_question():
    questions = [
        Q("orphan", condition={"question": "nowhere", "in": ["x"]}),
        Q("a", condition={"question": "b", "in": ["x"]}),
        Q("b", condition={"question": "a", "in": ["x"]}),
    ]
    assert visible_keys(questions, {"a": "x", "b": "x"}) == set()


def test_missing_required_counts_only_questions_that_show():
    assert missing_required(COMPANY, {}) == ["visit_held"]
    assert missing_required(COMPANY, {"visit_held": "cancelled"}) == []
    assert missing_required(COMPANY, {"visit_held": "held"}) == ["overall_satisfaction"]
    assert missing_required(COMPANY, {"visit_held": "held", "overall_satisfaction": 4}) == []


def test_the_form_drops_answers_its_own_change_hides_but_keeps_never_shown_ones():
    before = {"visit_held": "held", "prepared": 4}
    posted = {"visit_held": "cancelled", "prepared": "4", "comments": ""}
    assert stale_answers_dropped(COMPANY, before, posted) == {
        "visit_held": "cancelled",
        "comments": "",
    }
    # cancel_reason was never on the form for a held visit: kept, so the service refuses it.
    tampered = {"visit_held": "held", "cancel_reason": "busy"}
    assert stale_answers_dropped(COMPANY, before, tampered) == tampered


# --- Values per kind -------------------------------------------------------------------------

LIKERT = Q("l", "likert", choices=[{"value": 1, "da": "Lav"}, {"value": 5, "da": "Høj"}])
SINGLE_TEXT = Q("s", "single", choices=choice("held", "cancelled"))
SINGLE_NUMBER = Q("n", "single", choices=choice(1, 2, 3, 4, 5))
MULTIPLE = Q("m", "multiple", choices=choice("a", "b", "c"))
YES_NO = Q("y", "yes_no")
NUMBER = Q("c", "number")
TEXT = Q("t", "text")


@pytest.mark.parametrize(
    ("question", "raw", "value"),
    [
        (LIKERT, 1, 1),
        (LIKERT, "5", 5),
        (LIKERT, " 3 ", 3),
        (SINGLE_TEXT, "held", "held"),
        (SINGLE_NUMBER, "4", 4),
        (SINGLE_NUMBER, 4, 4),
        (MULTIPLE, ["c", "a"], ["a", "c"]),
        (MULTIPLE, ["b"], ["b"]),
        (YES_NO, True, True),
        (YES_NO, False, False),
        (YES_NO, "yes", True),
        (YES_NO, "No", False),
        (YES_NO, "true", True),
        (YES_NO, "false", False),
        (NUMBER, 0, 0),
        (NUMBER, "12", 12),
        (NUMBER, 3.0, 3),
        (NUMBER, NUMBER_MAX, NUMBER_MAX),
        (TEXT, "  Godt møde \n", "Godt møde"),
        (TEXT, "x" * TEXT_MAX_LENGTH, "x" * TEXT_MAX_LENGTH),
    ],
)
def test_a_fitting_value_is_normalised(question, raw, value):
    result = answer_clean(question, raw)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(
    ("question", "raw"),
    [
        (LIKERT, 0),
        (LIKERT, 6),
        (LIKERT, "3.5"),
        (LIKERT, True),
        (LIKERT, "high"),
        (SINGLE_TEXT, "maybe"),
        (SINGLE_TEXT, ["held"]),
        (SINGLE_NUMBER, 6),
        (SINGLE_NUMBER, True),
        (MULTIPLE, ["a", "a"]),
        (MULTIPLE, ["a", "z"]),
        (MULTIPLE, "a"),
        (YES_NO, "maybe"),
        (YES_NO, 1),
        (NUMBER, -1),
        (NUMBER, "-3"),
        (NUMBER, NUMBER_MAX + 1),
        (NUMBER, "1.5"),
        (NUMBER, "12 stk"),
        (NUMBER, False),
        (TEXT, "x" * (TEXT_MAX_LENGTH + 1)),
        (TEXT, 42),
    ],
)
def test_a_value_that_does_not_fit_is_refused_with_a_message(question, raw):
    with pytest.raises(AnswerInvalid) as refused:
        answer_clean(question, raw)
    assert str(refused.value.message)


@pytest.mark.parametrize("raw", [None, "", "   ", [], [""]])
@pytest.mark.parametrize("question", [LIKERT, SINGLE_TEXT, MULTIPLE, YES_NO, NUMBER, TEXT])
def test_an_empty_value_is_no_answer(question, raw):
    assert answer_clean(question, raw) is None


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


@given(raw=JSON)
def test_any_json_value_is_either_accepted_or_refused_with_a_message(raw):
    for question in (LIKERT, SINGLE_TEXT, SINGLE_NUMBER, MULTIPLE, YES_NO, NUMBER, TEXT):
        try:
            answer_clean(question, raw)
        except AnswerInvalid as exc:
            assert str(exc.message)


def test_a_number_with_thousands_of_digits_is_refused_not_crashed():
    with pytest.raises(AnswerInvalid):
        answer_clean(NUMBER, "9" * 5000)
