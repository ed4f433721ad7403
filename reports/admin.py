from django.contrib import admin

from reports.models import EvaluationSnapshot


@admin.register(EvaluationSnapshot)
class EvaluationSnapshotAdmin(admin.ModelAdmin):
    """The kept evaluation reports (reports.evaluation_snapshots), read only: only the report
    writes them. Deleting one is harmless: the next reader waits for it to be computed."""

    list_display = ("campaign", "key", "computed_at", "read_at", "reader")
    list_filter = ("campaign", "language")
    list_select_related = ("campaign", "reader")
    search_fields = ("key",)
    exclude = ("page", "figures")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
