from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        import surveys.renderers  # noqa: F401  (registers the renderers of its message kinds)
        from bookings.signals import outcome_registered
        from surveys.invitations import on_outcome_registered

        outcome_registered.connect(on_outcome_registered, dispatch_uid="surveys-company-invite")
