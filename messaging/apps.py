from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        # Wiring only: the erasure step and the reportable are registered on import.
        from . import gdpr, reportables  # noqa: F401
