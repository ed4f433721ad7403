from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultantsConfig(AppConfig):
    name = "consultants"
    verbose_name = _("Jobcentres and consultants")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from consultants.models import Absence, Consultant, WorkingHours

        auditlog.register(Consultant, exclude_fields=["feed_token_hash"])
        auditlog.register(WorkingHours)
        auditlog.register(Absence)
