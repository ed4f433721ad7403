from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

from campaign.models import Campaign


class EvaluationSnapshot(models.Model):
    """The evaluation report for one filter and language, computed and kept
    (reports.evaluation_snapshots): the page's report as HTML and the API's figures. The
    report runs every aggregate of the dashboards; the page and the API answer from here while
    the snapshot is fresh, and a Celery job recomputes the ones people read."""

    key = models.CharField(_("key"), max_length=400, unique=True, editable=False)
    language = models.CharField(_("language"), max_length=8, editable=False)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="+", verbose_name=_("campaign")
    )
    params = models.JSONField(_("filter"), default=dict)  # ReportFilter.params()
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("last read by"),
    )  # the survey figures are read as this user when Celery recomputes them
    today = models.DateField(_("figures as of the day"))
    computed_at = models.DateTimeField(_("computed"))
    read_at = models.DateTimeField(_("last read"), db_index=True)
    page = models.TextField(_("report page"))
    figures = models.JSONField(_("figures"), encoder=DjangoJSONEncoder)  # Evaluation.as_dict()

    class Meta:
        verbose_name = _("evaluation snapshot")
        verbose_name_plural = _("evaluation snapshots")

    def __str__(self) -> str:
        return f"{self.campaign} ({self.key})"
