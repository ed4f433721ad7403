"""Admin for RAR areas, municipalities, jobcentres, consultants, coordinators and the
consultants' availability (working hours, absences)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from consultants.models import (
    Absence,
    Consultant,
    Coordinator,
    Jobcentre,
    Municipality,
    RarArea,
    WorkingHours,
)


def is_set_filter(field: str, title, yes, no) -> type[admin.SimpleListFilter]:
    """A list filter on whether a nullable field (a timestamp, usually) is set, with labels
    that say what that means ("Acknowledged" / "Not acknowledged") instead of the generic
    "Empty" / "Not empty". The other apps' admins use it too."""

    class IsSetFilter(admin.SimpleListFilter):
        parameter_name = f"{field}_set"

        def lookups(self, request, model_admin):
            return [("1", yes), ("0", no)]

        def queryset(self, request, queryset):
            if self.value() == "1":
                return queryset.filter(**{f"{field}__isnull": False})
            if self.value() == "0":
                return queryset.filter(**{f"{field}__isnull": True})
            return queryset

    IsSetFilter.title = title
    IsSetFilter.__name__ = IsSetFilter.__qualname__ = f"{field.title().replace('_', '')}SetFilter"
    return IsSetFilter


@admin.register(RarArea)
class RarAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "position")
    list_editable = ("position",)
    search_fields = ("name",)


class MunicipalityInline(admin.TabularInline):
    """The municipalities a jobcentre serves. They come from the reference data
    (manage.py load_reference), so they are shown, not edited, here."""

    model = Municipality
    fields = ("code", "name", "region", "rar_area")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rar_area")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Jobcentre)
class JobcentreAdmin(admin.ModelAdmin):
    list_display = ("name", "rar_area", "email", "phone")
    list_filter = ("rar_area",)
    list_select_related = ("rar_area",)
    search_fields = ("name", "email", "municipalities__name")
    search_help_text = _("Search by jobcentre name, e-mail or municipality.")
    inlines = (MunicipalityInline,)


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "rar_area", "jobcentre")
    list_filter = ("rar_area", "region", "jobcentre")
    list_select_related = ("rar_area", "jobcentre")
    search_fields = ("name", "=code", "jobcentre__name")
    search_help_text = _("Search by municipality name or code, or jobcentre.")
    autocomplete_fields = ("jobcentre",)


class WorkingHoursInline(admin.TabularInline):
    model = WorkingHours
    fields = ("weekday", "starts_at", "ends_at")
    extra = 0


class AbsenceInline(admin.TabularInline):
    model = Absence
    fields = ("kind", "starts_at", "ends_at", "note")
    extra = 0

    def get_queryset(self, request):
        # Each row shows str(absence), which names the consultant.
        return super().get_queryset(request).select_related("consultant")


@admin.register(Consultant)
class ConsultantAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "email",
        "kind",
        "jobcentre",
        "max_visits_per_day",
        "max_visits_per_week",
        "is_active",
    )
    list_filter = ("kind", "is_active", "jobcentre__rar_area", "jobcentre")
    list_select_related = ("jobcentre",)
    search_fields = ("name", "email", "jobcentre__name", "user__username")
    search_help_text = _("Search by name, e-mail, user name or jobcentre.")
    autocomplete_fields = ("user", "jobcentre")
    fieldsets = (
        (None, {"fields": ("name", "email", "phone", "language", "user", "is_active")}),
        (_("Where they work"), {"fields": ("kind", "jobcentre")}),
        (_("Capacity"), {"fields": ("max_visits_per_day", "max_visits_per_week")}),
    )
    inlines = (WorkingHoursInline, AbsenceInline)


@admin.register(Coordinator)
class CoordinatorAdmin(admin.ModelAdmin):
    list_display = ("user", "user_email", "jobcentre")
    list_filter = ("jobcentre__rar_area", "jobcentre")
    list_select_related = ("user", "jobcentre")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "jobcentre__name",
    )
    search_help_text = _("Search by user name, e-mail or jobcentre.")
    autocomplete_fields = ("user", "jobcentre")

    @admin.display(description=_("e-mail"), ordering="user__email")
    def user_email(self, obj: Coordinator) -> str:
        return obj.user.email


@admin.register(WorkingHours)
class WorkingHoursAdmin(admin.ModelAdmin):
    list_display = ("consultant", "weekday", "starts_at", "ends_at")
    list_filter = ("weekday", "consultant__jobcentre__rar_area", "consultant__jobcentre")
    list_select_related = ("consultant",)
    search_fields = ("consultant__name", "consultant__email")
    search_help_text = _("Search by consultant name or e-mail.")
    autocomplete_fields = ("consultant",)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("consultant", "kind", "starts_at", "ends_at", "note")
    list_filter = ("kind", "consultant__jobcentre__rar_area", "consultant__jobcentre")
    list_select_related = ("consultant",)
    search_fields = ("consultant__name", "consultant__email", "note")
    search_help_text = _("Search by consultant name or e-mail, or the note.")
    autocomplete_fields = ("consultant",)
    date_hierarchy = "starts_at"
    ordering = ("-starts_at",)
