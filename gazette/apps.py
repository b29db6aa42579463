from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteConfig(AppConfig):
    name = "gazette"
    verbose_name = _("Gazette")

    def ready(self):
        from . import reportables, signal_handlers

        reportables.register()
        signal_handlers.register()
