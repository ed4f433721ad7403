"""Visits: bookings with their attendees, and what came of them (outcomes, agreements,
follow-ups)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaign.models import CallAttempt, CallList, Campaign, Company, Track
from consultants.models import Consultant, Jobcentre


class BookingState(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED_COMPANY = "cancelled_company", _("Cancelled by the company")
    CANCELLED_JOBCENTRE = "cancelled_jobcentre", _("Cancelled by the jobcentre")
    MOVED = "moved", _("Moved")
    HELD = "held", _("Held")
    HELD_SHORT = "held_short", _("Held, but short")
    HELD_PHONE = "held_phone", _("Held by phone")
    NO_SHOW_COMPANY = "no_show_company", _("Company did not show")
    NO_SHOW_CONSULTANT = "no_show_consultant", _("Consultant did not show")


class OutcomeKind(models.TextChoices):
    """What a consultant registers after the visit time; each sets the booking's state."""

    HELD = BookingState.HELD.value, BookingState.HELD.label
    HELD_SHORT = BookingState.HELD_SHORT.value, BookingState.HELD_SHORT.label
    HELD_PHONE = BookingState.HELD_PHONE.value, BookingState.HELD_PHONE.label
    CANCELLED_COMPANY = BookingState.CANCELLED_COMPANY.value, BookingState.CANCELLED_COMPANY.label
    NO_SHOW_COMPANY = BookingState.NO_SHOW_COMPANY.value, BookingState.NO_SHOW_COMPANY.label
    NO_SHOW_CONSULTANT = (
        BookingState.NO_SHOW_CONSULTANT.value,
        BookingState.NO_SHOW_CONSULTANT.label,
    )


HELD_KINDS = (OutcomeKind.HELD, OutcomeKind.HELD_SHORT, OutcomeKind.HELD_PHONE)
ACTIVE_STATES = (BookingState.BOOKED,)


class AgreementKind(models.TextChoices):
    """The report's Table 1 kinds, then the kinds its text adds."""

    JOB_ORDER = "job_order", _("Job order / recruitment")
    SKILLS_JOB = "skills_job", _("Skills job")
    ADULT_APPRENTICE = "adult_apprentice", _("Adult apprentice")
    JOB_ROTATION = "job_rotation", _("Job rotation")
    WAGE_SUBSIDY = "wage_subsidy", _("Wage subsidy")
    INTERNSHIP = "internship", _("Company internship")
    FAGPILOT = "fagpilot", _("Fagpilot")
    RETENTION = "retention", _("Retention")
    REFUGEE_PLACES = "refugee_places", _("Company places for refugees")
    JOBSERVICE_AGREEMENT = "jobservice_agreement", _("Jobservice agreement")
    INTEGRATION_AGREEMENT = "integration_agreement", _("Integration agreement")


class FollowUpKind(models.TextChoices):
    CALL = "call", _("Call the company")
    MEETING = "meeting", _("New meeting")
    CANDIDATES = "candidates", _("Send candidates / CVs")
    INFORMATION = "information", _("Send information")
    AGREEMENT = "agreement", _("Prepare an agreement")
    OTHER = "other", _("Other")


class Booking(models.Model):
    """A visit booked at a company for one track of a campaign. A moved visit is kept with
    state 'moved' and points to the booking that replaced it, so nothing is lost."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="bookings")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="bookings")
    jobcentre = models.ForeignKey(
        Jobcentre,
        on_delete=models.PROTECT,
        related_name="bookings",
        help_text=_("The local jobcentre whose consultant holds (or joins) the visit."),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    state = models.CharField(
        _("state"), max_length=30, choices=BookingState, default=BookingState.BOOKED
    )
    location = models.CharField(_("location"), max_length=300, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings_made",
        verbose_name=_("booked by"),
    )
    call_list = models.ForeignKey(
        CallList, on_delete=models.PROTECT, null=True, blank=True, related_name="bookings"
    )
    call = models.OneToOneField(
        CallAttempt, on_delete=models.PROTECT, null=True, blank=True, related_name="booking"
    )
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )
    cancel_reason = models.CharField(_("reason for cancellation"), max_length=300, blank=True)
    booked_at = models.DateTimeField(_("booked"))
    changed_at = models.DateTimeField(_("last changed"), auto_now=True)
    sequence = models.PositiveIntegerField(
        _("revision"), default=0, help_text=_("Bumped on every change (iCal SEQUENCE).")
    )

    class Meta:
        ordering = ["starts_at"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_end_after_start",
                condition=Q(ends_at__gt=F("starts_at")),
                violation_error_message=_("The visit must end after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "track", "state"]),
            models.Index(fields=["jobcentre", "starts_at"]),
            # The dashboards (reports/): a campaign's visits by period, by state in time
            # order (the lists behind a figure), and per jobcentre.
            models.Index(fields=["campaign", "starts_at"]),
            models.Index(fields=["campaign", "state", "starts_at"]),
            models.Index(fields=["campaign", "jobcentre", "state"]),
            # The phoner statistics over every campaign: each booker's visits and how many
            # are cancelled, read from the index alone (a moved visit counts as its
            # replacement).
            models.Index(
                fields=["booked_by", "state"],
                condition=Q(booked_by__isnull=False) & ~Q(state=BookingState.MOVED),
                name="bookings_booking_booker_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company.name}, {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class Attendee(models.Model):
    """A person at a visit: the local consultant, and on track 1 also a Jobservice Danmark
    representative. blocked_until is the visit's end plus the travel buffer; PostgreSQL
    forbids two active rows of one consultant whose [starts_at, blocked_until) overlap."""

    class Role(models.TextChoices):
        LOCAL = "local", _("Jobcentre consultant")
        JOBSERVICE = "jobservice", _("Jobservice Danmark representative")

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="attendees")
    consultant = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="attendances")
    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.LOCAL)
    starts_at = models.DateTimeField(_("starts"))
    blocked_until = models.DateTimeField(_("busy until"))
    is_active = models.BooleanField(_("active"), default=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)

    class Meta:
        ordering = ["booking", "role"]
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_end_after_start",
                condition=Q(blocked_until__gt=F("starts_at")),
            ),
            models.UniqueConstraint(
                fields=["booking", "role"],
                condition=Q(is_active=True),
                name="%(app_label)s_%(class)s_one_active_per_role",
            ),
        ]
        indexes = [models.Index(fields=["consultant", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.consultant} at {self.booking}"


class VisitKeys(models.Model):
    """The keys of the visit a registered row belongs to (campaign, track, jobcentre, start,
    and who booked it), copied onto it when it is written. A visit never changes once its
    outcome is registered, so the copies never go stale; they let the dashboards count a
    campaign's outcomes, agreements and follow-ups from their own indexed rows, without
    joining every visit (with a million visits, those joins alone took most of the 300 ms a
    page may take).

    save() copies them from the row's visit, so every way of writing these rows keeps them
    (services, the admin, tests); bulk_create callers copy them with `visit_keys_copy`."""

    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="+", editable=False
    )
    track = models.CharField(_("track"), max_length=1, choices=Track, editable=False)
    jobcentre = models.ForeignKey(
        Jobcentre, on_delete=models.PROTECT, related_name="+", editable=False
    )
    visit_starts_at = models.DateTimeField(_("visit starts"), editable=False)
    # The funnel per phoner counts outcomes and agreements per booker without the visits.
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("visit booked by"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.campaign_id is None:
            self.visit_keys_copy(self._visit())
        super().save(*args, **kwargs)

    def visit_keys_copy(self, source: "Booking | VisitKeys") -> None:
        self.campaign_id = source.campaign_id
        self.track = source.track
        self.jobcentre_id = source.jobcentre_id
        self.visit_starts_at = getattr(source, "visit_starts_at", None) or source.starts_at
        self.booked_by_id = source.booked_by_id

    def _visit(self) -> "Booking | VisitKeys":
        raise NotImplementedError


class Outcome(VisitKeys):
    """What came of a visit, registered once by a consultant after the visit time."""

    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="outcome")
    kind = models.CharField(_("outcome"), max_length=30, choices=OutcomeKind)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    registered_at = models.DateTimeField(_("registered"))

    class Meta:
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        indexes = [
            models.Index(fields=["kind"]),
            models.Index(fields=["campaign", "jobcentre"]),
        ]

    def __str__(self) -> str:
        return f"{self.booking}: {self.get_kind_display()}"

    def _visit(self) -> "Booking":
        return self.booking


class Agreement(VisitKeys):
    """Positions a company wanted filled (or a service agreement) agreed at a held visit.
    Positions count what was agreed, not hires; filled_positions records hires later."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="agreements")
    kind = models.CharField(_("kind"), max_length=30, choices=AgreementKind)
    positions = models.PositiveIntegerField(_("positions"), default=1)
    filled_positions = models.PositiveIntegerField(_("positions filled"), default=0)
    filled_on = models.DateField(_("filled on"), null=True, blank=True)

    class Meta:
        ordering = ["outcome", "kind"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_positions_positive",
                condition=Q(positions__gte=1),
                violation_error_message=_("An agreement has at least one position."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_filled_within_positions",
                condition=Q(filled_positions__gte=0, filled_positions__lte=F("positions")),
                violation_error_message=_("More positions filled than agreed."),
            ),
        ]
        indexes = [models.Index(fields=["campaign", "jobcentre"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} × {self.positions}"

    def _visit(self) -> Outcome:
        return self.outcome


class FollowUp(VisitKeys):
    """A task promised to the company at a visit, with an owner and a due date. Firms were
    angry when these never happened; open ones are reminded and escalated."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(_("kind"), max_length=30, choices=FollowUpKind)
    description = models.CharField(_("description"), max_length=300, blank=True)
    owner = models.ForeignKey(Consultant, on_delete=models.PROTECT, related_name="followups")
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["due_on"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["owner", "done_at", "due_on"]),
            models.Index(fields=["campaign", "jobcentre"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} due {self.due_on}"

    def _visit(self) -> Outcome:
        return self.outcome


class BookingLink(models.Model):
    """A company's self-service link to its visit (see, cancel, move). The token is stored
    only as its hash and stops working when the visit starts or the link is revoked."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("company link")
        verbose_name_plural = _("company links")

    def __str__(self) -> str:
        return f"link to {self.booking}"
