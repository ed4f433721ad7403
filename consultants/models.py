"""Who visits: RAR areas, municipalities, jobcentres, their consultants and coordinators,
and the Jobservice Danmark representatives who join track-1 visits."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class RarArea(models.Model):
    """One of the 8 regional labour-market councils (RAR) of 2015-16; reports group by it."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order in reports (the report's Table 1 order).")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("RAR area")
        verbose_name_plural = _("RAR areas")

    def __str__(self) -> str:
        return self.name


class Jobcentre(models.Model):
    """A municipality's jobcentre: it vets call lists, has a quota and consultants who visit."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    rar_area = models.ForeignKey(
        RarArea, on_delete=models.PROTECT, related_name="jobcentres", verbose_name=_("RAR area")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("jobcentre")
        verbose_name_plural = _("jobcentres")

    def __str__(self) -> str:
        return self.name


class Municipality(models.Model):
    """A Danish municipality (kommune), with the jobcentre that serves it."""

    code = models.PositiveSmallIntegerField(_("municipality code"), unique=True)
    name = models.CharField(_("name"), max_length=60, unique=True)
    region = models.CharField(_("region"), max_length=60)
    rar_area = models.ForeignKey(
        RarArea, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("RAR area")
    )
    jobcentre = models.ForeignKey(
        Jobcentre,
        on_delete=models.PROTECT,
        related_name="municipalities",
        verbose_name=_("jobcentre"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Consultant(models.Model):
    """A person who holds visits: a jobcentre's company consultant, or a Jobservice Danmark
    representative (track 1, no jobcentre of their own). Availability lives beside it."""

    class Kind(models.TextChoices):
        LOCAL = "local", _("Jobcentre consultant")
        JOBSERVICE = "jobservice", _("Jobservice Danmark representative")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultant",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.LOCAL)
    jobcentre = models.ForeignKey(
        Jobcentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultants",
        verbose_name=_("jobcentre"),
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="da"
    )
    max_visits_per_day = models.PositiveSmallIntegerField(_("max visits per day"), default=3)
    max_visits_per_week = models.PositiveSmallIntegerField(_("max visits per week"), default=10)
    is_active = models.BooleanField(_("active"), default=True)
    feed_token_hash = models.CharField(
        _("calendar feed token hash"),
        max_length=64,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text=_("The secret calendar subscription link, stored as its hash; empty: none."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("consultant")
        verbose_name_plural = _("consultants")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_jobcentre_matches_kind",
                condition=(Q(kind="local", jobcentre__isnull=False) | Q(kind="jobservice")),
                violation_error_message=_("A jobcentre consultant must belong to a jobcentre."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Coordinator(models.Model):
    """The campaign coordinator of one jobcentre: vets its call lists, manages its consultants."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinator",
        verbose_name=_("user"),
    )
    jobcentre = models.ForeignKey(
        Jobcentre,
        on_delete=models.PROTECT,
        related_name="coordinators",
        verbose_name=_("jobcentre"),
    )

    class Meta:
        verbose_name = _("coordinator")
        verbose_name_plural = _("coordinators")

    def __str__(self) -> str:
        return f"{self.user} ({self.jobcentre})"


class WorkingHours(models.Model):
    """A consultant's weekly working hours on one weekday (Monday = 0)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="working_hours"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    starts_at = models.TimeField(_("from"))
    ends_at = models.TimeField(_("to"))

    class Meta:
        ordering = ["consultant", "weekday", "starts_at"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_end_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_weekday_range",
                condition=Q(weekday__gte=0, weekday__lte=6),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}-{self.ends_at:%H:%M}"


class Absence(models.Model):
    """A time a consultant cannot take visits: holiday, sickness, a course."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Holiday")
        SICK = "sick", _("Sick")
        COURSE = "course", _("Course")
        OTHER = "other", _("Other")

    consultant = models.ForeignKey(Consultant, on_delete=models.CASCADE, related_name="absences")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.HOLIDAY)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_end_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("The end must be after the start."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.consultant}: {self.get_kind_display()} {self.starts_at:%Y-%m-%d}"
