"""The outbox: every e-mail is a row written in the same transaction as the change that
causes it. The database holds the schedule; a dispatcher sends due rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """One e-mail to one person. `key` makes it idempotent (e.g.
    ``booking:42:company-reminder:2026-12-03T09:00``); `subject_ref` names what it is about
    (``booking:42``) so a change to that thing can cancel or move its pending messages."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=60)
    subject_ref = models.CharField(_("about"), max_length=60, db_index=True)
    to_email = models.EmailField(_("to"))
    to_name = models.CharField(_("recipient"), max_length=200, blank=True)
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="da"
    )
    context = models.JSONField(_("content data"), default=dict, blank=True)
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # When the dispatcher claimed the row (state `sending`), or when its next retry is due;
    # the sweep returns a `sending` row whose claim is older than the timeout to pending.
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["due_at"], condition=Q(state="pending"), name="notifications_due_pending"
            ),
            models.Index(
                fields=["claimed_at"],
                condition=Q(state="sending"),
                name="notifications_sending_claimed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_email} ({self.get_state_display()})"
