"""Loading the shipped survey definitions (the questionnaires of the agency's 2015-16
campaign evaluation) from surveys/data/shipped_surveys.json."""

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from surveys.models import Question, Survey

SHIPPED_SURVEYS_JSON = Path(__file__).parent / "data" / "shipped_surveys.json"

SURVEY_FIELDS = ("audience", "track", "title", "title_en", "intro", "intro_en")
QUESTION_FIELDS = ("key", "kind", "text", "text_en", "required", "choices", "condition")
QUESTION_DEFAULTS: dict[str, Any] = {"required": False, "choices": [], "condition": None}


def _normalized(raw: dict[str, Any]) -> dict[str, Any]:
    """A definition from the JSON with defaults filled in and unknown fields dropped; checks
    that question keys are unique and that each condition refers to an earlier question."""
    questions = [
        {f: {**QUESTION_DEFAULTS, **q}[f] for f in QUESTION_FIELDS} for q in raw["questions"]
    ]
    seen: set[str] = set()
    for question in questions:
        condition = question["condition"]
        if condition is not None and condition["question"] not in seen:
            raise ValueError(
                f"{raw['key']}.{question['key']}: condition not on an earlier question"
            )
        if question["key"] in seen:
            raise ValueError(f"{raw['key']}.{question['key']}: duplicate key")
        if question["kind"] not in Question.Kind.values:
            raise ValueError(f"{raw['key']}.{question['key']}: unknown kind")
        seen.add(question["key"])
    return {**{f: raw.get(f, "") for f in SURVEY_FIELDS}, "questions": questions}


def _definition_of(survey: Survey) -> dict[str, Any]:
    """A stored survey version in the same form as `_normalized`."""
    questions = survey.questions.order_by("position")
    return {
        **{f: getattr(survey, f) for f in SURVEY_FIELDS},
        "questions": [{f: getattr(q, f) for f in QUESTION_FIELDS} for q in questions],
    }


def _canonical(definition: dict[str, Any]) -> str:
    return json.dumps(definition, sort_keys=True, ensure_ascii=False)


@transaction.atomic
def shipped_surveys_load(*, path: Path = SHIPPED_SURVEYS_JSON) -> dict[str, Survey]:
    """Make the latest version of each shipped survey match its definition. Idempotent: a
    survey whose latest version has the same canonical form (survey fields and questions in
    order) is reused; any difference makes a new version, so a version that may have answers
    is never edited. Returns {key: latest Survey}."""
    raws = json.loads(path.read_text(encoding="utf-8"))["surveys"]
    result: dict[str, Survey] = {}
    for raw in raws:
        key, definition = raw["key"], _normalized(raw)
        latest = Survey.objects.select_for_update().filter(key=key).order_by("-version").first()
        if latest is not None and _canonical(_definition_of(latest)) == _canonical(definition):
            result[key] = latest
            continue
        questions = definition.pop("questions")
        survey = Survey.objects.create(
            key=key, version=latest.version + 1 if latest else 1, **definition
        )
        Question.objects.bulk_create(
            Question(survey=survey, position=position, **question)
            for position, question in enumerate(questions, start=1)
        )
        result[key] = survey
    return result
