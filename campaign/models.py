"""The campaign: its booking rules, the companies to call, call lists, jobcentre vetting,
call scripts and the calls made."""

import datetime as dt

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from campaign.validators import validate_cvr
from consultants.models import Jobcentre, Municipality


class Track(models.TextChoices):
    """Track 1: large firms visited by Jobservice Danmark with a local consultant.
    Track 2: small firms visited by their jobcentre."""

    JOBSERVICE = "1", _("Track 1 (Jobservice Danmark)")
    JOBCENTRE = "2", _("Track 2 (jobcentre)")


class Campaign(models.Model):
    """An outbound campaign with its period and the rules the slot finder and reminders keep."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    starts_on = models.DateField(_("campaign starts"))
    ends_on = models.DateField(_("campaign ends"))
    min_notice_working_days = models.PositiveSmallIntegerField(
        _("minimum notice (working days)"), default=2
    )
    max_horizon_days = models.PositiveSmallIntegerField(
        _("maximum horizon (days)"),
        default=42,
        help_text=_("Visits booked further ahead were cancelled far more often."),
    )
    visit_minutes = models.PositiveSmallIntegerField(
        _("visit length (minutes)"), default=60, validators=[MinValueValidator(15)]
    )
    travel_buffer_minutes = models.PositiveSmallIntegerField(
        _("travel buffer (minutes)"), default=30
    )
    followup_due_days = models.PositiveSmallIntegerField(
        _("follow-up due after (days)"), default=14
    )
    recontact_days = models.PositiveSmallIntegerField(
        _("do not recontact within (days)"),
        default=365,
        help_text=_("A firm contacted in any campaign within this many days is flagged."),
    )
    call_retry_minutes = models.PositiveIntegerField(
        _("retry a no-answer after (minutes)"), default=120
    )
    call_max_attempts = models.PositiveSmallIntegerField(
        _("give up after (unanswered calls)"), default=5
    )

    # Reminders and escalations (the outbox, bookings/schedules.py). Each kind has a switch;
    # times of day are fixed: company reminders at 09:00, everything else at 08:00.
    company_reminder_enabled = models.BooleanField(
        _("remind the company before the visit"), default=True
    )
    company_reminder_working_days = models.PositiveSmallIntegerField(
        _("company reminder (working days before)"),
        default=2,
        help_text=_("The company is reminded this many working days before the visit, at 09:00."),
    )
    # Surveys (surveys.invitations): the company's after its visit, the consultants' when
    # the campaign ends, the jobcentres' long-term questionnaire months later.
    company_survey_enabled = models.BooleanField(
        _("send the company survey after the visit"),
        default=True,
        help_text=_(
            "When the outcome is registered, at 09:00 the next working day; a visit registered "
            "as cancelled or missed gets the short cancelled-visit part."
        ),
    )
    survey_reminder_days = models.PositiveSmallIntegerField(
        _("survey reminder after (days)"),
        default=7,
        help_text=_("Companies that have not answered the survey are reminded once, this late."),
    )
    survey_link_days = models.PositiveSmallIntegerField(
        _("survey link valid for (days)"),
        default=30,
        validators=[MinValueValidator(1)],
        help_text=_("A survey link stops working this many days after the invitation."),
    )
    consultant_survey_enabled = models.BooleanField(
        _("ask the consultants to evaluate the campaign when it ends"),
        default=True,
        help_text=_("Every consultant who had visits in the campaign, the day after it ends."),
    )
    jobcentre_survey_months = models.PositiveSmallIntegerField(
        _("long-term questionnaire to the jobcentres after (months)"),
        default=6,
        help_text=_("Months after the campaign ends; 0 sends none."),
    )
    ack_reminders_enabled = models.BooleanField(
        _("remind and escalate unacknowledged visits"), default=True
    )
    ack_reminder_hours = models.PositiveSmallIntegerField(
        _("acknowledgement reminder after (hours)"),
        default=24,
        help_text=_("A consultant who has not acknowledged a new visit is reminded this late."),
    )
    ack_escalation_hours = models.PositiveSmallIntegerField(
        _("escalate an unacknowledged visit after (hours)"),
        default=48,
        help_text=_("Then the jobcentre's coordinators are told."),
    )
    attendee_reminder_enabled = models.BooleanField(
        _("remind the consultants the working day before the visit"),
        default=True,
        help_text=_("At 08:00 on the working day before the visit."),
    )
    outcome_prompts_enabled = models.BooleanField(
        _("ask for the outcome after the visit"),
        default=True,
        help_text=_("A prompt when the visit ends, a second one later, then the coordinators."),
    )
    outcome_prompt_again_working_days = models.PositiveSmallIntegerField(
        _("ask for the outcome again after (working days)"),
        default=2,
        help_text=_("Working days after the visit, at 08:00, while no outcome is registered."),
    )
    outcome_escalation_working_days = models.PositiveSmallIntegerField(
        _("escalate a missing outcome after (working days)"),
        default=4,
        help_text=_(
            "Working days after the visit, at 08:00: the coordinators are told. Keep it after "
            "the second prompt."
        ),
    )
    followup_reminders_enabled = models.BooleanField(
        _("remind and escalate follow-ups"),
        default=True,
        help_text=_(
            "The owner hears on the working day before the due date and the working day after "
            "it, at 08:00, while the follow-up is open."
        ),
    )
    followup_escalation_working_days = models.PositiveSmallIntegerField(
        _("escalate an overdue follow-up after (working days)"),
        default=3,
        help_text=_("Working days after the due date, at 08:00: the coordinators are told."),
    )

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_end_after_start",
                condition=Q(ends_on__gte=F("starts_on")),
                violation_error_message=_("The campaign must end after it starts."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_visit_length",
                condition=Q(visit_minutes__gte=15),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participation(models.Model):
    """A jobcentre's acceptance of a campaign and the number of visits it can take (its quota)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="participations")
    jobcentre = models.ForeignKey(
        Jobcentre, on_delete=models.PROTECT, related_name="participations"
    )
    quota = models.PositiveIntegerField(_("quota (visits)"), default=0)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        ordering = ["campaign", "jobcentre"]
        verbose_name = _("participating jobcentre")
        verbose_name_plural = _("participating jobcentres")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "jobcentre"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_quota_not_negative", condition=Q(quota__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jobcentre} / {self.campaign}"


class Company(models.Model):
    """A firm, identified by its CVR number. Contact history spans campaigns."""

    cvr = models.CharField(_("CVR number"), max_length=8, unique=True, validators=[validate_cvr])
    name = models.CharField(_("name"), max_length=200)
    employees = models.PositiveIntegerField(_("employees"))
    sites = models.PositiveSmallIntegerField(_("number of sites"), default=1)
    address = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=4, blank=True)
    city = models.CharField(_("city"), max_length=60, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="companies"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_role = models.CharField(_("contact's role"), max_length=120, blank=True)
    last_jobcentre_cooperation = models.DateField(
        _("last cooperation with a jobcentre"), null=True, blank=True
    )
    do_not_contact = models.BooleanField(_("do not contact"), default=False)
    do_not_contact_at = models.DateTimeField(_("do not contact since"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="da"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_cvr_eight_digits",
                condition=Q(cvr__regex=r"^[1-9][0-9]{7}$"),
                violation_error_message=_("A CVR number has exactly 8 digits."),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_employees_not_negative",
                condition=Q(employees__gte=0),
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_sites_positive", condition=Q(sites__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.cvr})"


class CallScript(models.Model):
    """The phoners' script for one track of a campaign. Versions are kept; each call stores
    the version used, so script changes can be judged by their booking rates."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="scripts")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    version = models.PositiveSmallIntegerField(_("version"))
    body = models.TextField(_("script"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "track", "-version"]
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "track", "version"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} {self.get_track_display()} v{self.version}"


class CallList(models.Model):
    """The firms one jobcentre's part of a campaign track will call. The jobcentre vets it;
    phoners see it only once released."""

    class Status(models.TextChoices):
        VETTING = "vetting", _("Awaiting vetting")
        RELEASED = "released", _("Released to phoners")
        CLOSED = "closed", _("Closed")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="call_lists")
    jobcentre = models.ForeignKey(Jobcentre, on_delete=models.PROTECT, related_name="call_lists")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.VETTING)
    vetting_deadline = models.DateField(_("vetting deadline"), null=True, blank=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["campaign", "jobcentre", "track"]
        verbose_name = _("call list")
        verbose_name_plural = _("call lists")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "jobcentre", "track"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jobcentre}, {self.get_track_display()} ({self.campaign})"


class CallListEntry(models.Model):
    """One firm on a call list, with the jobcentre's vetting decision and where calling it
    stands."""

    class Status(models.TextChoices):
        OPEN = "open", _("To call")
        RETRY = "retry", _("Call again")
        CALLBACK = "callback", _("Call back agreed")
        BOOKED = "booked", _("Booked")
        CLOSED = "closed", _("Closed")

    class Vetting(models.TextChoices):
        PENDING = "pending", _("Not vetted")
        APPROVED = "approved", _("Approved")
        EXCLUDED = "excluded", _("Excluded")

    class ExclusionReason(models.TextChoices):
        CUSTOMER = "customer", _("Already a customer")
        TIMING = "timing", _("Bad timing")
        OTHER = "other", _("Other")

    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="entries")
    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="list_entries")
    position = models.PositiveIntegerField(_("position"), default=0)
    vetting = models.CharField(
        _("vetting"), max_length=20, choices=Vetting, default=Vetting.PENDING
    )
    exclusion_reason = models.CharField(
        _("reason for exclusion"), max_length=20, choices=ExclusionReason, blank=True
    )
    exclusion_note = models.CharField(_("note"), max_length=300, blank=True)
    vetted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("vetted by"),
    )
    vetted_at = models.DateTimeField(_("vetted"), null=True, blank=True)
    # Calling state, kept up to date by the call service so "next company" is one query.
    status = models.CharField(_("calling status"), max_length=20, choices=Status, default="open")
    attempts = models.PositiveSmallIntegerField(_("unanswered calls"), default=0)
    next_call_at = models.DateTimeField(_("call again at"), null=True, blank=True)
    callback_for = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name=_("call back by"),
        help_text=_("Empty: any phoner may call back."),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("being called by"),
    )
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    # Kept by campaign.calls.call_create, so that the funnel counts called and reached firms
    # on the entries instead of searching their calls.
    first_called_at = models.DateTimeField(_("first called"), null=True, blank=True)
    reached_at = models.DateTimeField(
        _("first reached"),
        null=True,
        blank=True,
        help_text=_("The first call that reached someone (not no answer, busy or wrong number)."),
    )

    class Meta:
        ordering = ["call_list", "position"]
        verbose_name = _("call list entry")
        verbose_name_plural = _("call list entries")
        indexes = [
            models.Index(fields=["call_list", "status", "next_call_at"]),
            # The funnel's firm stages, counted from the index alone (PostgreSQL).
            models.Index(
                fields=["call_list", "vetting", "first_called_at", "reached_at"],
                name="campaign_entry_funnel_idx",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["call_list", "company"], name="%(app_label)s_%(class)s_unique"
            ),
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_exclusion_has_reason",
                condition=~Q(vetting="excluded") | ~Q(exclusion_reason=""),
                violation_error_message=_("An excluded firm needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} on {self.call_list}"

    def note_call(self, call: "CallAttempt") -> None:
        """Keep first_called_at and reached_at up to date with `call` (not saved)."""
        self.first_called_at = min(filter(None, (self.first_called_at, call.called_at)))
        if call.outcome not in CallAttempt.NOT_REACHED:
            self.reached_at = min(filter(None, (self.reached_at, call.called_at)))


class CallAttempt(models.Model):
    """One call a phoner made to a firm on a call list, and what came of it."""

    class Outcome(models.TextChoices):
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        WRONG_NUMBER = "wrong_number", _("Wrong number")
        CALL_BACK = "call_back", _("Call back")
        NOT_INTERESTED = "not_interested", _("Not interested")
        DO_NOT_CONTACT = "do_not_contact", _("Do not contact")
        BOOKED = "booked", _("Booked")

    class NotInterested(models.TextChoices):
        NO_NEED = "no_need", _("No need for staff or help")
        NO_TIME = "no_time", _("No time")
        HAS_PARTNER = "has_partner", _("Already has a partner for recruitment")
        BAD_EXPERIENCE = "bad_experience", _("Bad experience with jobcentres")
        OTHER = "other", _("Other")

    # Outcomes of calls that reached no one at the firm.
    NOT_REACHED = (Outcome.NO_ANSWER, Outcome.BUSY, Outcome.WRONG_NUMBER)

    entry = models.ForeignKey(CallListEntry, on_delete=models.CASCADE, related_name="calls")
    phoner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calls"
    )
    script = models.ForeignKey(
        CallScript, on_delete=models.PROTECT, null=True, blank=True, related_name="calls"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome)
    reason = models.CharField(_("reason"), max_length=30, choices=NotInterested, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    callback_at = models.DateTimeField(_("call back at"), null=True, blank=True)
    called_at = models.DateTimeField(_("called"))

    class Meta:
        ordering = ["-called_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        constraints = [
            models.CheckConstraint(
                name="%(app_label)s_%(class)s_callback_has_time",
                condition=~Q(outcome="call_back") | Q(callback_at__isnull=False),
                violation_error_message=_("A call-back needs a time."),
            ),
        ]
        indexes = [models.Index(fields=["entry", "-called_at"])]

    def __str__(self) -> str:
        return f"{self.entry.company}: {self.get_outcome_display()}"


class CallTally(models.Model):
    """Calls counted as they are made (campaign.calls.call_create)."""

    calls = models.PositiveIntegerField(_("calls"), default=0)
    contacts = models.PositiveIntegerField(_("contacts reached"), default=0)
    bookings = models.PositiveIntegerField(_("bookings"), default=0)

    class Meta:
        abstract = True

    def count(self, outcome: str) -> None:
        """Count one call with `outcome` (not saved)."""
        self.calls += 1
        self.contacts += outcome not in CallAttempt.NOT_REACHED
        self.bookings += outcome == CallAttempt.Outcome.BOOKED


class PhonerHour(CallTally):
    """The calls one phoner made in one clock hour for one campaign track with one script,
    counted as they are made (campaign.calls.call_create), so that the phoner statistics
    (calls per hour worked, booking rates) are sums over one row per phoner and hour instead
    of counts over every call."""

    phoner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    script = models.ForeignKey(
        CallScript, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    hour = models.DateTimeField(_("hour"), help_text=_("The start of the clock hour."))

    class Meta:
        verbose_name = _("phoner's hour")
        verbose_name_plural = _("phoners' hours")
        constraints = [
            models.UniqueConstraint(
                fields=["phoner", "campaign", "track", "script", "hour"],
                condition=Q(script__isnull=False),
                name="%(app_label)s_%(class)s_unique",
            ),
            models.UniqueConstraint(
                fields=["phoner", "campaign", "track", "hour"],
                condition=Q(script__isnull=True),
                name="%(app_label)s_%(class)s_unique_without_script",
            ),
        ]
        # call_create asks whether the phoner already called in this clock hour, in any
        # campaign or track (PhonerWorkedHours).
        indexes = [models.Index(fields=["phoner", "hour"], name="campaign_phonerhour_phoner_idx")]

    def __str__(self) -> str:
        return f"{self.phoner} {self.hour:%Y-%m-%d %H}h: {self.calls}"

    @staticmethod
    def hour_of(moment: dt.datetime) -> dt.datetime:
        """The start of the clock hour of `moment` (in UTC; Danish time differs from it by
        whole hours, so the hours are the same)."""
        return moment.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


class PhonerScriptTotals(CallTally):
    """One phoner's hours (PhonerHour) for one campaign track and script summed: the calls,
    contacts and bookings, and the clock hours with calls under that script. Kept with the
    hours by call_create, so that the phoner statistics read one row per phoner and script
    however many hours the campaigns took."""

    phoner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    script = models.ForeignKey(
        CallScript, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    hours = models.PositiveIntegerField(_("hours worked"), default=0)

    class Meta:
        verbose_name = _("phoner's script totals")
        verbose_name_plural = _("phoners' script totals")
        constraints = [
            models.UniqueConstraint(
                fields=["phoner", "campaign", "track", "script"],
                condition=Q(script__isnull=False),
                name="%(app_label)s_%(class)s_unique",
            ),
            models.UniqueConstraint(
                fields=["phoner", "campaign", "track"],
                condition=Q(script__isnull=True),
                name="%(app_label)s_%(class)s_unique_without_script",
            ),
        ]
        indexes = [models.Index(fields=["campaign", "track"])]

    def __str__(self) -> str:
        return f"{self.phoner} {self.campaign} {self.track}: {self.calls}"


class PhonerWorkedHours(models.Model):
    """The clock hours in which one phoner made calls: in one campaign (None: in any) and
    one track ('': in either). An hour with calls under two scripts, in both tracks or for
    two campaigns counts once wherever it is counted together, so the phoner's hours over
    several scripts, tracks or campaigns are read here rather than summed. Kept by
    call_create."""

    phoner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    track = models.CharField(_("track"), max_length=1, choices=Track, blank=True)
    hours = models.PositiveIntegerField(_("hours worked"), default=0)

    class Meta:
        verbose_name = _("phoner's hours worked")
        verbose_name_plural = _("phoners' hours worked")
        constraints = [
            models.UniqueConstraint(
                fields=["phoner", "campaign", "track"],
                condition=Q(campaign__isnull=False),
                name="%(app_label)s_%(class)s_unique",
            ),
            models.UniqueConstraint(
                fields=["phoner", "track"],
                condition=Q(campaign__isnull=True),
                name="%(app_label)s_%(class)s_unique_any_campaign",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phoner} {self.campaign or '*'} {self.track or '*'}: {self.hours}"

    # What a row keeps apart: per campaign and track, per campaign, per track, in all.
    SCOPES = (("campaign_id", "track"), ("campaign_id",), ("track",), ())

    @classmethod
    def scopes(cls, campaign_id: int, track: str) -> list[dict]:
        """The rows (their campaign_id and track) that an hour of calls in `campaign_id`
        and `track` counts in."""
        given = {"campaign_id": campaign_id, "track": track}
        return [
            {"campaign_id": None, "track": "", **{key: given[key] for key in scope}}
            for scope in cls.SCOPES
        ]


class PhonerFirms(models.Model):
    """How many firms of one call list one phoner has called and reached, counted as the
    calls are made (campaign.calls.call_create), so that the funnel per phoner is a sum over
    one row per phoner and list instead of distinct firms over every call."""

    phoner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    call_list = models.ForeignKey(CallList, on_delete=models.CASCADE, related_name="+")
    called = models.PositiveIntegerField(_("firms called"), default=0)
    reached = models.PositiveIntegerField(_("firms reached"), default=0)

    class Meta:
        verbose_name = _("phoner's firms")
        verbose_name_plural = _("phoners' firms")
        constraints = [
            models.UniqueConstraint(
                fields=["phoner", "call_list"], name="%(app_label)s_%(class)s_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phoner} {self.call_list}: {self.called}/{self.reached}"

    def count(self, *, first_call: bool, first_reach: bool) -> None:
        """Count a call that is the phoner's first to (first reaching) a firm (not saved)."""
        self.called += first_call
        self.reached += first_reach


class ImportBatch(models.Model):
    """One uploaded file of companies for a campaign track. Its rows are validated into a
    preview; nothing reaches the call lists until someone confirms."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        PREVIEW = "preview", _("Ready for review")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        DISCARDED = "discarded", _("Discarded")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="imports")
    track = models.CharField(_("track"), max_length=1, choices=Track)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.VALIDATING)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    rows = models.JSONField(_("validated rows"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("company import")
        verbose_name_plural = _("company imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"
