from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Tableau de bord")

    def ready(self):
        from . import signal_handlers  # noqa: F401  (wiring only)
