"""Writes to survey definitions. A version that has answers is never edited: a change starts
with a copy of it as the next version of its key (the admin's "Create a new version" action
and POST /api/v1/surveys/<id>/new-version/ both call survey_version_create)."""

from django.db import transaction

from surveys.models import Question, Survey

SURVEY_COPY_FIELDS = ("audience", "track", "title", "title_en", "intro", "intro_en")
QUESTION_COPY_FIELDS = (
    "key",
    "position",
    "kind",
    "text",
    "text_en",
    "required",
    "choices",
    "condition",
)


@transaction.atomic
def survey_version_create(*, source: Survey) -> Survey:
    """Copy `source`, with its questions, as the next version of its key (one above the
    highest, whichever version `source` is). The key's versions are locked first, so two
    copies made at once get consecutive numbers instead of a clash."""
    versions = list(Survey.objects.select_for_update().filter(key=source.key).order_by())
    last = max((survey.version for survey in versions), default=0)
    copy = Survey.objects.create(
        key=source.key,
        version=last + 1,
        **{name: getattr(source, name) for name in SURVEY_COPY_FIELDS},
    )
    Question.objects.bulk_create(
        Question(survey=copy, **{name: getattr(question, name) for name in QUESTION_COPY_FIELDS})
        for question in source.questions.order_by("position")
    )
    return copy
