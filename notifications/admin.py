"""The outbox in the Django admin: every message with its state; the failed ones through the
state filter (`?state__exact=failed`), and a resend action for failed or cancelled ones.
Rows are written by the services, never here: the content fields are read-only."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from notifications.models import Message
from notifications.services import messages_resend


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("due_at", "kind", "to_email", "subject_ref", "state", "attempts", "sent_at")
    list_filter = ("state", "kind", "language")
    search_fields = ("to_email", "key", "subject_ref")
    date_hierarchy = "due_at"
    ordering = ("-due_at", "-pk")
    actions = ["resend"]
    readonly_fields = (
        "key",
        "kind",
        "subject_ref",
        "to_email",
        "to_name",
        "language",
        "context",
        "due_at",
        "state",
        "attempts",
        "last_error",
        "sent_at",
        "claimed_at",
        "created_at",
    )
    list_per_page = 100
    show_full_result_count = False  # the outbox grows; counting it all on every page is waste

    def has_add_permission(self, request):
        return False

    @admin.action(
        description=_("Resend the selected failed or cancelled messages"),
        permissions=["change"],
    )
    def resend(self, request, queryset):
        count = messages_resend(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d message is back in the queue.",
                "%(count)d messages are back in the queue.",
                count,
            )
            % {"count": count},
            messages.SUCCESS if count else messages.WARNING,
        )
