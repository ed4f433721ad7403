"""Surveys: versioned definitions with questions, personal invitations with hashed tokens,
and the answers, each tied to the visit (or consultant, or jobcentre) it is about."""

from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from bookings.models import Booking
from campaign.models import Campaign, Track
from consultants.models import Consultant, Jobcentre


class Audience(models.TextChoices):
    COMPANY = "company", _("Company")
    CONSULTANT = "consultant", _("Consultant")
    JOBCENTRE = "jobcentre", _("Jobcentre")


class Survey(models.Model):
    """One version of a questionnaire. A version that has answers is never edited; editing
    makes the next version."""

    key = models.SlugField(_("key"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    audience = models.CharField(_("audience"), max_length=20, choices=Audience)
    track = models.CharField(_("track"), max_length=1, choices=Track, blank=True)
    title = models.CharField(_("title (Danish)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    intro = models.TextField(_("introduction (Danish)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["key", "version"], name="%(app_label)s_%(class)s_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    def localized_title(self) -> str:
        return self.title_en if get_language() == "en" and self.title_en else self.title


class Question(models.Model):
    """A question of a survey. `choices` is a list of {"value", "da", "en"}; for a Likert
    item it labels the two ends. `condition` shows the question only when another question's
    answer is one of some values: {"question": "<key>", "in": [values]}."""

    class Kind(models.TextChoices):
        LIKERT = "likert", _("Scale 1-5")
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        YES_NO = "yes_no", _("Yes / no")
        NUMBER = "number", _("Number")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    key = models.SlugField(_("key"), max_length=60)
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    text = models.CharField(_("question (Danish)"), max_length=400)
    text_en = models.CharField(_("question (English)"), max_length=400)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    condition = models.JSONField(_("shown when"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "position"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "key"], name="%(app_label)s_%(class)s_unique_key"
            ),
        ]

    def __str__(self) -> str:
        return self.text

    def localized_text(self) -> str:
        return self.text_en if get_language() == "en" and self.text_en else self.text


class Invitation(models.Model):
    """A personal invitation to answer a survey, about one visit (companies), one campaign
    (consultants) or one jobcentre (long-term follow-up). The link's token is stored only as
    its hash."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="invitations")
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="invitations")
    booking = models.ForeignKey(
        Booking, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    consultant = models.ForeignKey(
        Consultant, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    jobcentre = models.ForeignKey(
        Jobcentre, on_delete=models.PROTECT, null=True, blank=True, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("invited"))
    expires_at = models.DateTimeField(_("expires"))
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_has_subject",
                condition=Q(booking__isnull=False)
                | Q(consultant__isnull=False)
                | Q(jobcentre__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["survey", "booking"],
                condition=Q(booking__isnull=False),
                name="%(app_label)s_%(class)s_once_per_visit",
            ),
            models.UniqueConstraint(
                fields=["survey", "campaign", "consultant"],
                condition=Q(consultant__isnull=False),
                name="%(app_label)s_%(class)s_once_per_consultant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} → {self.email}"


class Answer(models.Model):
    """One answer, saved as the respondent goes; the invitation's submitted_at ends it."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"))
    answered_at = models.DateTimeField(_("answered"), auto_now=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["invitation", "question"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question.key}={self.value}"


class OptOut(models.Model):
    """An address that asked for no more survey mail."""

    email = models.EmailField(_("e-mail"), unique=True)
    created_at = models.DateTimeField(_("opted out"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey opt-out")
        verbose_name_plural = _("survey opt-outs")

    def __str__(self) -> str:
        return self.email
