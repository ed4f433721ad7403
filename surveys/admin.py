"""Admin for survey versions and their questions, invitations with their answers, and
opt-outs.

A survey version that has answers is never edited underneath them: its page is read-only
and says to create a new version (the "Create a new version" action copies it)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from consultants.admin import is_set_filter
from surveys.definitions import survey_version_create
from surveys.models import Answer, Invitation, OptOut, Question, Survey

LOCKED_MESSAGE = _(
    "This survey version already has answers, so it can no longer be changed. To change "
    "the survey, create a new version: select it in the list of surveys and choose "
    "“Create a new version of the selected surveys”."
)


def survey_has_answers(request, survey_id: int | None) -> bool:
    """Whether anyone answered this survey version. Read once per request: the permission
    checks of one page ask several times."""
    if survey_id is None:
        return False
    cache = request.__dict__.setdefault("_visitbook_answered_surveys", {})
    if survey_id not in cache:
        cache[survey_id] = Answer.objects.filter(question__survey_id=survey_id).exists()
    return cache[survey_id]


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("position", "key", "kind", "text", "text_en", "required", "choices", "condition")
    extra = 0

    # obj is the survey on its page.
    def has_add_permission(self, request, obj=None):
        locked = obj is not None and survey_has_answers(request, obj.pk)
        return not locked and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        locked = obj is not None and survey_has_answers(request, obj.pk)
        return not locked and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        locked = obj is not None and survey_has_answers(request, obj.pk)
        return not locked and super().has_delete_permission(request, obj)


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("key", "version", "title", "audience", "track", "created_at")
    list_filter = ("audience", "track", "key")
    search_fields = ("key", "title", "title_en")
    search_help_text = _("Search by key or title.")
    readonly_fields = ("created_at",)
    fieldsets = (
        (None, {"fields": (("key", "version"), ("audience", "track"), "created_at")}),
        (_("Danish"), {"fields": ("title", "intro")}),
        (_("English"), {"fields": ("title_en", "intro_en")}),
    )
    inlines = (QuestionInline,)
    actions = ("new_version",)

    def has_change_permission(self, request, obj=None):
        # A version with answers is shown read-only (with its questions), never edited.
        if obj is not None and survey_has_answers(request, obj.pk):
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and survey_has_answers(request, obj.pk):
            messages.warning(request, LOCKED_MESSAGE)
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description=_("Create a new version of the selected surveys"), permissions=["add"]
    )
    def new_version(self, request, queryset):
        """Copy the newest selected version of each survey, with its questions, as the next
        version of that key."""
        newest = {}
        for survey in queryset.order_by("key", "version"):
            newest[survey.key] = survey
        with transaction.atomic():
            created = [survey_version_create(source=survey) for survey in newest.values()]
        self.message_user(
            request,
            _("Created %(surveys)s.") % {"surveys": ", ".join(str(s) for s in created)},
            messages.SUCCESS,
        )


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Question
        fields = (
            "survey",
            "key",
            "position",
            "kind",
            "text",
            "text_en",
            "required",
            "choices",
            "condition",
        )

    def clean_survey(self):
        survey = self.cleaned_data["survey"]
        if survey is not None and Answer.objects.filter(question__survey=survey).exists():
            raise ValidationError(LOCKED_MESSAGE, code="survey_answered")
        return survey


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    form = QuestionForm
    list_display = ("survey", "position", "key", "kind", "text", "required")
    list_filter = ("survey__audience", "kind", "survey")
    list_select_related = ("survey",)
    search_fields = ("key", "text", "text_en", "survey__key")
    search_help_text = _("Search by key, question text or survey key.")
    autocomplete_fields = ("survey",)
    ordering = ("survey__key", "-survey__version", "position")

    def has_change_permission(self, request, obj=None):
        if obj is not None and survey_has_answers(request, obj.survey_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and survey_has_answers(request, obj.survey_id):
            return False
        return super().has_delete_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and survey_has_answers(request, obj.survey_id):
            messages.warning(request, LOCKED_MESSAGE)
        return super().change_view(request, object_id, form_url, extra_context)


class AnswerInline(admin.TabularInline):
    """What the respondent answered: shown, never edited here."""

    model = Answer
    fields = ("question", "value", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are made by the survey mailing, which creates the link's token and sends
    it; only its hash is stored, so an invitation cannot be made (or its link shown) here.
    The address and the deadline can be corrected."""

    list_display = (
        "email",
        "survey",
        "campaign",
        "subject",
        "created_at",
        "expires_at",
        "opened_at",
        "submitted_at",
    )
    list_filter = (
        is_set_filter("submitted_at", _("submitted"), _("Submitted"), _("Not submitted")),
        is_set_filter("opened_at", _("opened"), _("Opened"), _("Not opened")),
        "survey__audience",
        "survey",
        "campaign",
    )
    list_select_related = ("survey", "campaign", "booking__company", "consultant", "jobcentre")
    search_fields = (
        "email",
        "^booking__company__cvr",
        "booking__company__name",
        "consultant__name",
        "jobcentre__name",
    )
    search_help_text = _("Search by e-mail, CVR number, company name, consultant or jobcentre.")
    date_hierarchy = "created_at"
    show_full_result_count = False
    fields = (
        "survey",
        "campaign",
        "booking",
        "consultant",
        "jobcentre",
        "email",
        "token_hash",
        "created_at",
        "expires_at",
        "opened_at",
        "submitted_at",
    )
    readonly_fields = (
        "survey",
        "campaign",
        "booking",
        "consultant",
        "jobcentre",
        "token_hash",
        "created_at",
        "opened_at",
        "submitted_at",
    )
    inlines = (AnswerInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("survey", "campaign", "booking__company", "consultant", "jobcentre")
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("about"))
    def subject(self, obj: Invitation):
        return obj.booking or obj.consultant or obj.jobcentre


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):
    """Answers are the respondents' own: they can be looked up (and erased), not written."""

    list_display = ("invitation", "question_key", "value", "answered_at")
    list_filter = ("question__survey__audience", "question__survey", "invitation__campaign")
    list_select_related = ("invitation__survey", "question")
    search_fields = ("invitation__email", "^invitation__booking__company__cvr", "question__key")
    search_help_text = _("Search by e-mail, CVR number or question key.")
    date_hierarchy = "answered_at"
    ordering = ("-answered_at",)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("question"), ordering="question__key")
    def question_key(self, obj: Answer) -> str:
        return obj.question.key


@admin.register(OptOut)
class OptOutAdmin(admin.ModelAdmin):
    list_display = ("email", "created_at")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
