"""The shipped survey definitions and their loader."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from surveys.models import Question, Survey
from surveys.shipped import SHIPPED_SURVEYS_JSON, shipped_surveys_load

pytestmark = pytest.mark.django_db

COMPANY_KEYS = {
    "visit_held",
    "cancel_reason",
    "prepared",
    "needs_uncovered",
    "offers_presented",
    "knowledge_improved",
    "expectations_met",
    "overall_satisfaction",
    "followup_agreed",
    "followup_kinds",
    "followup_happened",
    "followup_satisfaction",
    "likely_cooperation",
    "importance_fast_service",
    "importance_clear_use",
    "importance_law_knowledge",
    "importance_price",
    "respondent_role",
    "company_size",
    "comments",
}
CANCELLED_BRANCH = {"visit_held", "cancel_reason", "comments"}


def snapshot(survey: Survey) -> list[tuple]:
    return list(survey.questions.order_by("position").values_list("id", "key", "text", "choices"))


def test_loading_twice_creates_nothing_new():
    first = shipped_surveys_load()
    counts = Survey.objects.count(), Question.objects.count()
    second = shipped_surveys_load()
    assert set(first) == {
        "company-track-1",
        "company-track-2",
        "consultant-campaign",
        "jobcentre-followup",
    }
    assert {k: s.pk for k, s in first.items()} == {k: s.pk for k, s in second.items()}
    assert (Survey.objects.count(), Question.objects.count()) == counts
    assert all(s.version == 1 for s in second.values())


def test_changed_question_makes_version_2_and_keeps_version_1(tmp_path):
    v1 = shipped_surveys_load()["company-track-2"]
    before = snapshot(v1)
    data = json.loads(SHIPPED_SURVEYS_JSON.read_text(encoding="utf-8"))
    survey = next(s for s in data["surveys"] if s["key"] == "company-track-2")
    question = next(q for q in survey["questions"] if q["key"] == "prepared")
    question["text"] = "Var konsulenten godt forberedt?"
    changed = tmp_path / "surveys.json"
    changed.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    loaded = shipped_surveys_load(path=changed)

    v2 = loaded["company-track-2"]
    assert v2.version == 2 and v2.pk != v1.pk
    assert v2.questions.get(key="prepared").text == "Var konsulenten godt forberedt?"
    assert snapshot(Survey.objects.get(pk=v1.pk)) == before
    assert all(s.version == 1 for k, s in loaded.items() if k != "company-track-2")
    assert shipped_surveys_load(path=changed)["company-track-2"].pk == v2.pk


def test_track_2_holds_every_company_question():
    survey = shipped_surveys_load()["company-track-2"]
    assert (survey.audience, survey.track) == ("company", "2")
    assert set(survey.questions.values_list("key", flat=True)) >= COMPANY_KEYS


def test_conditions_refer_to_earlier_questions_of_the_same_survey():
    for survey in shipped_surveys_load().values():
        earlier: set[str] = set()
        for question in survey.questions.order_by("position"):
            if question.condition is not None:
                assert question.condition["question"] in earlier, (survey.key, question.key)
                assert isinstance(question.condition["in"], list)
            earlier.add(question.key)


@pytest.mark.parametrize("key", ["company-track-1", "company-track-2"])
def test_cancelled_visit_shows_only_the_short_branch(key):
    questions = {q.key: q for q in shipped_surveys_load()[key].questions.all()}

    def shown_when_cancelled(question: Question) -> bool:
        condition = question.condition
        if condition is None:
            return True
        if condition["question"] == "visit_held":
            return "cancelled" in condition["in"]
        return shown_when_cancelled(questions[condition["question"]])

    assert {k for k, q in questions.items() if shown_when_cancelled(q)} == CANCELLED_BRANCH


def test_condition_on_a_later_question_is_rejected(tmp_path):
    data = json.loads(SHIPPED_SURVEYS_JSON.read_text(encoding="utf-8"))
    data["surveys"][0]["questions"][0]["condition"] = {"question": "comments", "in": ["x"]}
    broken = tmp_path / "surveys.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValueError, match="earlier question"):
        shipped_surveys_load(path=broken)
    assert not Survey.objects.exists()


def test_command_prints_a_summary():
    out = StringIO()
    call_command("load_surveys", stdout=out)
    assert "4 new versions" in out.getvalue()
    call_command("load_surveys", stdout=out)
    assert "0 new versions" in out.getvalue()
