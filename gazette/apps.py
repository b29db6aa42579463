from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GazetteConfig(AppConfig):
    name = "gazette"
    verbose_name = _("Gazette")

    def ready(self):
        # gdpr registers the member's gazette in the account export and erasure;
        # provisioning gives each commune its gazette (communities.provisioning).
        from . import contact, gdpr, provisioning, reportables, signal_handlers  # noqa: F401

        # A reader of a post may write to its author (messaging asks communities).
        contact.register()
        provisioning.register()
        reportables.register()
        signal_handlers.register()
