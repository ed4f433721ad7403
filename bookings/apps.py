from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "bookings"
    verbose_name = _("Visits")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        import bookings.renderers  # noqa: F401  (registers the renderers of its message kinds)
        from bookings.models import Agreement, Attendee, Booking, FollowUp, Outcome

        # changed_at and sequence change with every change; they would only add noise.
        auditlog.register(Booking, exclude_fields=["changed_at", "sequence"])
        auditlog.register(Attendee)
        auditlog.register(Outcome)
        auditlog.register(Agreement)
        auditlog.register(FollowUp)
