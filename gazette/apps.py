from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteConfig(AppConfig):
    name = "gazette"
    verbose_name = _("Gazette")

    def ready(self):
        # gdpr registers the member's gazette in the account export and erasure;
        # provisioning gives each commune its gazette (communities.provisioning).
        from . import gdpr, provisioning, reportables, signal_handlers  # noqa: F401

        provisioning.register()
        reportables.register()
        signal_handlers.register()
