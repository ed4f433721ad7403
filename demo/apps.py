from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data at the report's scale. Sits above every other app: it may import them all."""

    name = "demo"
    verbose_name = _("Demo data")
