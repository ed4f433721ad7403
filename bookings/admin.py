"""Admin for visits (bookings) with their attendees, and what came of them: outcomes,
agreements and follow-ups."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookings.models import Agreement, Attendee, Booking, BookingLink, FollowUp, Outcome
from bookings.outcomes import outcome_register
from common.errors import ApplicationError
from consultants.admin import is_set_filter


class AttendeeForm(forms.ModelForm):
    """Checks the database's no-double-booking rule before saving, so a clash is a form
    error rather than a failed save."""

    class Meta:
        model = Attendee
        fields = (
            "booking",
            "consultant",
            "role",
            "starts_at",
            "blocked_until",
            "is_active",
            "acknowledged_at",
        )

    def clean(self):
        cleaned_data = super().clean()
        consultant = cleaned_data.get("consultant")
        starts_at = cleaned_data.get("starts_at")
        blocked_until = cleaned_data.get("blocked_until")
        if not (consultant and starts_at and blocked_until and cleaned_data.get("is_active")):
            return cleaned_data
        if blocked_until <= starts_at:
            raise ValidationError(
                {"blocked_until": _("The busy time must end after the visit starts.")}
            )
        clash = (
            Attendee.objects.filter(
                consultant=consultant,
                is_active=True,
                starts_at__lt=blocked_until,
                blocked_until__gt=starts_at,
            )
            .exclude(pk=self.instance.pk)
            .select_related("booking__company")
            .first()
        )
        if clash is not None:
            raise ValidationError(
                _("%(consultant)s is already busy then, at %(booking)s (travel time included)."),
                code="double_booking",
                params={"consultant": consultant, "booking": clash.booking},
            )
        return cleaned_data


class AttendeeInline(admin.TabularInline):
    model = Attendee
    form = AttendeeForm
    fields = ("consultant", "role", "starts_at", "blocked_until", "is_active", "acknowledged_at")
    autocomplete_fields = ("consultant",)
    extra = 0

    def get_queryset(self, request):
        # Each row shows str(attendee): its consultant and visit (company).
        return super().get_queryset(request).select_related("consultant", "booking__company")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("company", "starts_at", "track", "jobcentre", "state", "booked_by")
    list_filter = ("state", "track", "campaign", "jobcentre__rar_area", "jobcentre")
    list_select_related = ("company", "jobcentre", "booked_by")
    # The search box; the search itself is get_search_results below, which matches these
    # fields and also the name or e-mail of the visit's consultants.
    search_fields = ("^company__cvr", "company__name", "jobcentre__name", "contact_name")
    search_help_text = _(
        "Search by CVR number, company name, jobcentre, contact person, or the name or "
        "e-mail of a consultant at the visit."
    )
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    show_full_result_count = False
    autocomplete_fields = (
        "campaign",
        "company",
        "jobcentre",
        "booked_by",
        "call_list",
        "call",
        "replaces",
    )
    readonly_fields = ("outcome_link", "changed_at", "sequence")
    fieldsets = (
        (None, {"fields": ("campaign", "track", "company", "jobcentre", "state")}),
        (
            _("Time"),
            {
                "fields": (("starts_at", "ends_at"),),
                "description": _(
                    "Changing the time here does not move the attendees' busy times below. "
                    "To move a visit, register it as moved and book the new time, so the "
                    "old booking is kept."
                ),
            },
        ),
        (
            _("At the company"),
            {"fields": ("location", "contact_name", "contact_email", "contact_phone")},
        ),
        (
            _("Booking"),
            {
                "fields": (
                    "booked_by",
                    "booked_at",
                    "call_list",
                    "call",
                    "replaces",
                    "cancel_reason",
                )
            },
        ),
        (_("Record"), {"fields": ("outcome_link", "changed_at", "sequence")}),
    )
    inlines = (AttendeeInline,)

    def get_search_results(self, request, queryset, search_term):
        """Every word must match a search field or an attendee's name or e-mail. Attendees
        are matched with EXISTS: a join would make the list SELECT DISTINCT over all visits."""
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            attendee = Attendee.objects.filter(booking=OuterRef("pk")).filter(
                Q(consultant__name__icontains=word) | Q(consultant__email__icontains=word)
            )
            queryset = queryset.filter(
                Q(company__cvr__startswith=word)
                | Q(company__name__icontains=word)
                | Q(jobcentre__name__icontains=word)
                | Q(contact_name__icontains=word)
                | Q(Exists(attendee))
            )
        return queryset, False

    def get_changeform_initial_data(self, request):
        return {
            "booked_by": request.user.pk,
            "booked_at": timezone.now(),
            **super().get_changeform_initial_data(request),
        }

    def save_model(self, request, obj, form, change):
        if change and form.changed_data:
            obj.sequence += 1  # calendar clients take the change only with a higher SEQUENCE
        super().save_model(request, obj, form, change)

    @admin.display(description=_("outcome"))
    def outcome_link(self, obj: Booking) -> str:
        if obj.pk is None:
            return "-"
        try:
            outcome = obj.outcome
        except ObjectDoesNotExist:
            return _("Not registered")
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:bookings_outcome_change", args=[outcome.pk]),
            outcome.get_kind_display(),
        )


@admin.register(Attendee)
class AttendeeAdmin(admin.ModelAdmin):
    form = AttendeeForm
    list_display = ("consultant", "booking", "role", "starts_at", "is_active", "acknowledged_at")
    list_filter = (
        "role",
        "is_active",
        is_set_filter(
            "acknowledged_at", _("acknowledged"), _("Acknowledged"), _("Not acknowledged")
        ),
        "booking__track",
        "booking__state",
        "consultant__jobcentre__rar_area",
        "consultant__jobcentre",
    )
    list_select_related = ("consultant", "booking__company")
    search_fields = (
        "consultant__name",
        "consultant__email",
        "^booking__company__cvr",
        "booking__company__name",
    )
    search_help_text = _("Search by consultant name or e-mail, CVR number or company name.")
    autocomplete_fields = ("booking", "consultant")
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
    show_full_result_count = False


class AgreementInline(admin.TabularInline):
    """On a new outcome: the agreements registered with it (through the service). On a
    registered one: its agreements, correctable, none added or removed."""

    model = Agreement
    fields = ("kind", "positions", "filled_positions", "filled_on")
    extra = 0

    def get_fields(self, request, obj=None):
        return ("kind", "positions") if obj is None else self.fields

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None and super().has_delete_permission(request, obj)


class FollowUpInline(admin.TabularInline):
    """As the agreements: registered with a new outcome, corrected on a registered one."""

    model = FollowUp
    fields = ("kind", "description", "owner", "due_on", "done_at", "done_note")
    autocomplete_fields = ("owner",)
    extra = 0

    def get_fields(self, request, obj=None):
        return ("kind", "description", "owner", "due_on") if obj is None else self.fields

    def has_add_permission(self, request, obj=None):
        return obj is None and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return obj is None and super().has_delete_permission(request, obj)


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    """A new outcome, with its agreement and follow-up rows, is registered through
    bookings.outcomes.outcome_register, the service the pages and the API use: the same
    rules, and it sets the visit's state. A registered outcome is read-only but for its note
    (and corrections to its agreements and follow-ups)."""

    list_display = ("booking", "kind", "registered_by", "registered_at")
    list_filter = (
        "kind",
        "booking__track",
        "booking__campaign",
        "booking__jobcentre__rar_area",
        "booking__jobcentre",
    )
    list_select_related = ("booking__company", "registered_by")
    search_fields = ("^booking__company__cvr", "booking__company__name", "booking__jobcentre__name")
    search_help_text = _("Search by CVR number, company name or jobcentre.")
    autocomplete_fields = ("booking", "registered_by")
    date_hierarchy = "registered_at"
    ordering = ("-registered_at",)
    show_full_result_count = False
    inlines = (AgreementInline, FollowUpInline)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("booking", "kind", "reason", "note")
        return ("booking", "kind", "reason", "note", "registered_by", "registered_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("booking", "kind", "reason", "registered_by", "registered_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        refusal = getattr(request, "_outcome_refusal", None)
        if refusal is None:
            return form

        class RefusedForm(form):
            """The second pass after the service refused: show why, save nothing."""

            def clean(self):
                cleaned_data = super().clean()
                for name, errors in refusal.field_errors.items():
                    for message in errors:
                        self.add_error(name if name in self.fields else None, message)
                if not refusal.field_errors:
                    self.add_error(None, refusal.message)
                return cleaned_data

        return RefusedForm

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as refusal:
            if object_id is not None or request.method != "POST":
                raise
            # The transaction is rolled back; render the form again with the refusal.
            request._outcome_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        # A new outcome is saved with its rows by the service, in save_related.

    def save_related(self, request, form, formsets, change):
        if change:
            super().save_related(request, form, formsets, change)
            return
        rows = {Agreement: [], FollowUp: []}
        for formset in formsets:
            for row in formset.forms:
                if row.has_changed() and not formset._should_delete_form(row):
                    rows[formset.model].append(row.cleaned_data)
        outcome = outcome_register(
            actor=request.user,
            booking=form.cleaned_data["booking"],
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data.get("reason", ""),
            note=form.cleaned_data.get("note", ""),
            agreements=rows[Agreement],
            followups=rows[FollowUp],
        )
        # The admin goes on with the form's instance (log entry, redirect): make it the
        # outcome saved, and say what was added with it.
        obj = form.instance
        obj.pk = outcome.pk
        obj.reason, obj.registered_by, obj.registered_at = (
            outcome.reason,
            outcome.registered_by,
            outcome.registered_at,
        )
        obj._state.adding, obj._state.db = False, outcome._state.db
        for formset in formsets:
            manager = outcome.agreements if formset.model is Agreement else outcome.followups
            formset.new_objects = list(manager.all())
            formset.changed_objects, formset.deleted_objects = [], []


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("company", "kind", "positions", "filled_positions", "filled_on")
    list_filter = (
        "kind",
        is_set_filter("filled_on", _("filled"), _("Filled"), _("Not filled")),
        "outcome__booking__campaign",
        "outcome__booking__track",
        "outcome__booking__jobcentre__rar_area",
        "outcome__booking__jobcentre",
    )
    list_select_related = ("outcome__booking__company",)
    search_fields = ("^outcome__booking__company__cvr", "outcome__booking__company__name")
    search_help_text = _("Search by CVR number or company name.")
    autocomplete_fields = ("outcome",)
    date_hierarchy = "filled_on"
    ordering = ("-outcome__registered_at", "kind")
    show_full_result_count = False

    @admin.display(description=_("company"), ordering="outcome__booking__company__name")
    def company(self, obj: Agreement):
        return obj.outcome.booking.company


class FollowUpStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", _("Open")), ("overdue", _("Overdue")), ("done", _("Done"))]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(done_at__isnull=True)
        if self.value() == "overdue":
            return queryset.filter(done_at__isnull=True, due_on__lt=timezone.localdate())
        if self.value() == "done":
            return queryset.filter(done_at__isnull=False)
        return queryset


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ("company", "kind", "owner", "due_on", "done_at", "is_overdue")
    list_filter = (
        FollowUpStatusFilter,
        "kind",
        "outcome__booking__campaign",
        "owner__jobcentre__rar_area",
        "owner__jobcentre",
    )
    list_select_related = ("owner", "outcome__booking__company")
    search_fields = (
        "^outcome__booking__company__cvr",
        "outcome__booking__company__name",
        "owner__name",
        "owner__email",
        "description",
    )
    search_help_text = _(
        "Search by CVR number, company name, owner's name or e-mail, or the description."
    )
    autocomplete_fields = ("outcome", "owner")
    date_hierarchy = "due_on"
    show_full_result_count = False

    @admin.display(description=_("company"), ordering="outcome__booking__company__name")
    def company(self, obj: FollowUp):
        return obj.outcome.booking.company

    @admin.display(description=_("overdue"), boolean=True)
    def is_overdue(self, obj: FollowUp) -> bool:
        return obj.done_at is None and obj.due_on < timezone.localdate()


@admin.register(BookingLink)
class BookingLinkAdmin(admin.ModelAdmin):
    """A company's self-service link. The app makes it and mails it; only the token's hash
    is stored, so a link cannot be made (or shown) here. It can be revoked or cut short."""

    list_display = ("booking", "created_at", "expires_at", "revoked_at")
    list_filter = (
        is_set_filter("revoked_at", _("revoked"), _("Revoked"), _("Not revoked")),
        "booking__campaign",
        "booking__jobcentre__rar_area",
    )
    list_select_related = ("booking__company",)
    search_fields = ("^booking__company__cvr", "booking__company__name")
    search_help_text = _("Search by CVR number or company name.")
    fields = ("booking", "token_hash", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("booking", "token_hash", "created_at")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    show_full_result_count = False
    actions = ("revoke",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("booking__company")

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Revoke the selected links"), permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d link revoked.", "%(count)d links revoked.", revoked)
            % {"count": revoked},
            messages.SUCCESS,
        )
