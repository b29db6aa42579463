from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ModerationConfig(AppConfig):
    name = "moderation"
    verbose_name = _("Modération")

    def ready(self):
        # Reports and moderation in the GDPR export and erasure (accounts.gdpr).
        from . import gdpr

        gdpr.register()
