from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("Campaigns and call lists")

    def ready(self) -> None:
        from auditlog.registry import auditlog

        from campaign.models import CallListEntry, Company, Participation

        auditlog.register(Company)
        auditlog.register(CallListEntry)
        auditlog.register(Participation)
