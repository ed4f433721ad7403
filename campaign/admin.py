"""Admin for campaigns, participating jobcentres, companies, call scripts, call lists with
their vetting, and the calls made."""

from django.contrib import admin, messages
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from campaign.models import (
    CallAttempt,
    CallList,
    CallListEntry,
    CallScript,
    Campaign,
    Company,
    ImportBatch,
    Participation,
    PhonerFirms,
    PhonerHour,
    PhonerScriptTotals,
    PhonerWorkedHours,
)
from consultants.admin import is_set_filter
from consultants.models import Jobcentre


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ("jobcentre", "quota", "accepted_at")
    extra = 0

    def get_queryset(self, request):
        # Each row shows str(participation): its jobcentre and campaign.
        return super().get_queryset(request).select_related("jobcentre", "campaign")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "jobcentre":
            # Up to one row per jobcentre (94): give every row's select the same list of
            # choices, read once, instead of one query per row.
            field.choices = [
                ("", "---------"),
                *((pk, name) for pk, name in Jobcentre.objects.values_list("pk", "name")),
            ]
        return field


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "starts_on", "ends_on", "max_horizon_days", "visit_minutes")
    search_fields = ("name",)
    date_hierarchy = "starts_on"
    fieldsets = (
        (None, {"fields": ("name", ("starts_on", "ends_on"))}),
        (
            _("Booking rules"),
            {
                "fields": (
                    "min_notice_working_days",
                    "max_horizon_days",
                    "visit_minutes",
                    "travel_buffer_minutes",
                )
            },
        ),
        (_("Calling"), {"fields": ("recontact_days", "call_retry_minutes", "call_max_attempts")}),
        (
            _("Reminders and escalations"),
            {
                "fields": (
                    ("company_reminder_enabled", "company_reminder_working_days"),
                    ("ack_reminders_enabled", "ack_reminder_hours", "ack_escalation_hours"),
                    "attendee_reminder_enabled",
                    (
                        "outcome_prompts_enabled",
                        "outcome_prompt_again_working_days",
                        "outcome_escalation_working_days",
                    ),
                    "followup_due_days",
                    ("followup_reminders_enabled", "followup_escalation_working_days"),
                )
            },
        ),
        (
            _("Surveys"),
            {
                "fields": (
                    ("company_survey_enabled", "survey_reminder_days", "survey_link_days"),
                    "consultant_survey_enabled",
                    "jobcentre_survey_months",
                )
            },
        ),
    )
    inlines = (ParticipationInline,)


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("jobcentre", "campaign", "quota", "accepted_at")
    list_editable = ("quota",)
    list_filter = (
        "campaign",
        is_set_filter("accepted_at", _("accepted"), _("Accepted"), _("Not accepted")),
        "jobcentre__rar_area",
    )
    list_select_related = ("jobcentre", "campaign")
    search_fields = ("jobcentre__name", "campaign__name")
    search_help_text = _("Search by jobcentre or campaign.")
    autocomplete_fields = ("campaign", "jobcentre")


class CompanySizeFilter(admin.SimpleListFilter):
    """The size bands of the two tracks: track 2 targets 5-100 employees (mostly 5-19),
    track 1 firms with more than 100."""

    title = _("size")
    parameter_name = "size"
    bands = {
        "lt5": (None, 4),
        "5-19": (5, 19),
        "20-100": (20, 100),
        "gt100": (101, None),
    }

    def lookups(self, request, model_admin):
        return [
            ("lt5", _("Under 5 employees")),
            ("5-19", _("5-19 employees")),
            ("20-100", _("20-100 employees")),
            ("gt100", _("Over 100 employees")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in self.bands:
            return queryset
        low, high = self.bands[self.value()]
        if low is not None:
            queryset = queryset.filter(employees__gte=low)
        if high is not None:
            queryset = queryset.filter(employees__lte=high)
        return queryset


class MultiSiteFilter(admin.SimpleListFilter):
    """Jobservice Danmark matters to large firms with sites spread out (track 1)."""

    title = _("sites")
    parameter_name = "multi_site"

    def lookups(self, request, model_admin):
        return [("1", _("Several sites")), ("0", _("One site"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(sites__gt=1)
        if self.value() == "0":
            return queryset.filter(sites=1)
        return queryset


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "cvr",
        "employees",
        "sites",
        "municipality",
        "last_jobcentre_cooperation",
        "do_not_contact",
    )
    list_filter = (
        "do_not_contact",
        CompanySizeFilter,
        MultiSiteFilter,
        "municipality__rar_area",
        "municipality__jobcentre",
    )
    list_select_related = ("municipality",)
    search_fields = ("^cvr", "name", "contact_name", "email", "^postcode", "city")
    search_help_text = _("Search by CVR number, name, contact person, e-mail, postcode or city.")
    autocomplete_fields = ("municipality",)
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("cvr", "name", ("employees", "sites"))}),
        (_("Address"), {"fields": ("address", ("postcode", "city"), "municipality")}),
        (
            _("Contact"),
            {"fields": ("contact_name", "contact_role", "phone", "email", "language")},
        ),
        (_("Contact history"), {"fields": ("last_jobcentre_cooperation", "do_not_contact")}),
    )


def script_is_used(request, script: CallScript) -> bool:
    """Whether calls were made with this script version (read once per request)."""
    cache = request.__dict__.setdefault("_visitbook_used_scripts", {})
    if script.pk not in cache:
        cache[script.pk] = script.calls.exists()
    return cache[script.pk]


@admin.register(CallScript)
class CallScriptAdmin(admin.ModelAdmin):
    """A script version that calls were made with is kept as it was, so booking rates can be
    compared between versions; a change is a new version."""

    list_display = ("campaign", "track", "version", "created_at")
    list_filter = ("campaign", "track")
    list_select_related = ("campaign",)
    search_fields = ("campaign__name", "body")
    search_help_text = _("Search by campaign or script text.")
    autocomplete_fields = ("campaign",)
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and script_is_used(request, obj):
            return ("campaign", "track", "version", "body", "created_at")
        return super().get_readonly_fields(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None and script_is_used(request, obj):
            messages.warning(
                request,
                _(
                    "Calls were made with this script version, so it can no longer be "
                    "changed. Add a new version of the script instead."
                ),
            )
        return super().change_view(request, object_id, form_url, extra_context)


def entries_changelist_url(call_list: CallList, **params) -> str:
    query = "&".join(
        [f"call_list__id__exact={call_list.pk}", *(f"{k}={v}" for k, v in params.items())]
    )
    return f"{reverse('admin:campaign_calllistentry_changelist')}?{query}"


@admin.register(CallList)
class CallListAdmin(admin.ModelAdmin):
    """A call list can hold thousands of firms, so its entries are not an inline here: the
    list links to the call list entries page, filtered to the list, where they are vetted."""

    list_display = (
        "jobcentre",
        "campaign",
        "track",
        "status",
        "vetting_deadline",
        "released_at",
        "entries",
    )
    list_filter = ("status", "campaign", "track", "jobcentre__rar_area", "jobcentre")
    list_select_related = ("jobcentre", "campaign")
    search_fields = ("jobcentre__name", "campaign__name")
    search_help_text = _("Search by jobcentre or campaign.")
    autocomplete_fields = ("campaign", "jobcentre")
    date_hierarchy = "vetting_deadline"
    readonly_fields = ("entries",)
    fields = (
        "campaign",
        "jobcentre",
        "track",
        "status",
        "vetting_deadline",
        "released_at",
        "entries",
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                entry_count=Count("entries"),
                pending_count=Count(
                    "entries", filter=Q(entries__vetting=CallListEntry.Vetting.PENDING)
                ),
                approved_count=Count(
                    "entries", filter=Q(entries__vetting=CallListEntry.Vetting.APPROVED)
                ),
                excluded_count=Count(
                    "entries", filter=Q(entries__vetting=CallListEntry.Vetting.EXCLUDED)
                ),
            )
        )

    @admin.display(description=_("firms"), ordering="entry_count")
    def entries(self, obj: CallList) -> str:
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a> ({}: <a href="{}">{}</a>, {}: <a href="{}">{}</a>, '
            '{}: <a href="{}">{}</a>)',
            entries_changelist_url(obj),
            ngettext("%(count)d firm", "%(count)d firms", obj.entry_count)
            % {"count": obj.entry_count},
            CallListEntry.Vetting.PENDING.label,
            entries_changelist_url(obj, vetting__exact=CallListEntry.Vetting.PENDING),
            obj.pending_count,
            CallListEntry.Vetting.APPROVED.label,
            entries_changelist_url(obj, vetting__exact=CallListEntry.Vetting.APPROVED),
            obj.approved_count,
            CallListEntry.Vetting.EXCLUDED.label,
            entries_changelist_url(obj, vetting__exact=CallListEntry.Vetting.EXCLUDED),
            obj.excluded_count,
        )


@admin.register(CallListEntry)
class CallListEntryAdmin(admin.ModelAdmin):
    list_display = (
        "company",
        "call_list",
        "position",
        "vetting",
        "exclusion_reason",
        "exclusion_note",
    )
    list_editable = ("vetting", "exclusion_reason")
    list_filter = (
        "vetting",
        "exclusion_reason",
        "call_list__campaign",
        "call_list__track",
        "call_list__jobcentre__rar_area",
        "call_list__jobcentre",
    )
    list_select_related = ("company", "call_list__jobcentre", "call_list__campaign")
    search_fields = ("^company__cvr", "company__name")
    search_help_text = _("Search by CVR number or company name.")
    autocomplete_fields = ("call_list", "company")
    ordering = ("call_list_id", "position")
    show_full_result_count = False
    actions = ("approve",)

    @admin.action(description=_("Approve the selected firms for calling"), permissions=["change"])
    def approve(self, request, queryset):
        # One save per entry, not queryset.update(), so the audit log records each decision.
        approved = 0
        for entry in queryset.exclude(vetting=CallListEntry.Vetting.APPROVED):
            entry.vetting = CallListEntry.Vetting.APPROVED
            entry.exclusion_reason = ""
            entry.save(update_fields=["vetting", "exclusion_reason"])
            approved += 1
        self.message_user(
            request,
            ngettext("%(count)d firm approved.", "%(count)d firms approved.", approved)
            % {"count": approved},
            messages.SUCCESS,
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only the services write: calls are recorded in the phoners' workspace
    (campaign.calls), which also moves the firm along the queue and keeps the tallies the
    statistics count. Here they are read."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(CallAttempt)
class CallAttemptAdmin(ReadOnlyAdmin):
    list_display = ("called_at", "company", "phoner", "outcome", "script_version", "callback_at")
    list_filter = (
        "outcome",
        "entry__call_list__campaign",
        "entry__call_list__track",
        "entry__call_list__jobcentre__rar_area",
        "entry__call_list__jobcentre",
    )
    list_select_related = ("entry__company", "phoner", "script")
    search_fields = ("^entry__company__cvr", "entry__company__name", "phoner__username", "note")
    search_help_text = _("Search by CVR number, company name, phoner or note.")
    autocomplete_fields = ("entry", "phoner", "script")
    date_hierarchy = "called_at"
    show_full_result_count = False

    @admin.display(description=_("company"), ordering="entry__company__name")
    def company(self, obj: CallAttempt) -> Company:
        return obj.entry.company

    @admin.display(description=_("script"), ordering="script__version")
    def script_version(self, obj: CallAttempt) -> str:
        return f"v{obj.script.version}" if obj.script else "-"


class PhonerTallyAdmin(ReadOnlyAdmin):
    """A phoner's tallies: found by the phoner's name; large, so not counted in full."""

    search_fields = ("phoner__username", "phoner__first_name", "phoner__last_name")
    show_full_result_count = False


@admin.register(PhonerHour)
class PhonerHourAdmin(PhonerTallyAdmin):
    list_display = (
        "hour",
        "phoner",
        "campaign",
        "track",
        "script",
        "calls",
        "contacts",
        "bookings",
    )
    list_filter = ("campaign", "track")
    list_select_related = ("phoner", "campaign", "script__campaign")
    date_hierarchy = "hour"


@admin.register(PhonerScriptTotals)
class PhonerScriptTotalsAdmin(PhonerTallyAdmin):
    list_display = (
        "phoner",
        "campaign",
        "track",
        "script",
        "hours",
        "calls",
        "contacts",
        "bookings",
    )
    list_filter = ("campaign", "track")
    list_select_related = ("phoner", "campaign", "script__campaign")


@admin.register(PhonerWorkedHours)
class PhonerWorkedHoursAdmin(PhonerTallyAdmin):
    list_display = ("phoner", "campaign", "track", "hours")
    list_filter = ("campaign", "track")
    list_select_related = ("phoner", "campaign")


@admin.register(PhonerFirms)
class PhonerFirmsAdmin(PhonerTallyAdmin):
    list_display = ("phoner", "call_list", "called", "reached")
    list_filter = ("call_list__campaign", "call_list__track")
    list_select_related = ("phoner", "call_list__jobcentre", "call_list__campaign")


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    """Uploaded company files: read-only here; the import page previews and confirms them."""

    list_display = [
        "filename",
        "campaign",
        "track",
        "status",
        "total_rows",
        "uploaded_by",
        "created_at",
        "committed_at",
    ]
    list_filter = ["status", "track", "campaign"]
    search_fields = ["filename"]
    date_hierarchy = "created_at"
    list_select_related = ["campaign", "uploaded_by"]
    exclude = ["content", "rows"]
    readonly_fields = [
        "campaign",
        "track",
        "uploaded_by",
        "filename",
        "status",
        "total_rows",
        "processed_rows",
        "error",
        "created_at",
        "committed_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
