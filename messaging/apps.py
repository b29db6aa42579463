from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        # Wiring only: the erasure step and the reportable are registered on import.
        from notifications.sources import outbox_source_register

        from . import gdpr, reportables  # noqa: F401
        from .outbox import OfficialOutboxSource

        # The outbox asks who an official message's SMS reach and how they read.
        outbox_source_register(OfficialOutboxSource())
