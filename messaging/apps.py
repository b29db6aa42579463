from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MessagingConfig(AppConfig):
    name = "messaging"
    verbose_name = _("Messagerie")

    def ready(self):
        # Wiring only: the erasure step and the reportable are registered on import.
        from communities.member_pages import member_page_slot_register
        from notifications.sources import outbox_source_register

        from . import gdpr, reportables  # noqa: F401
        from .outbox import OfficialOutboxSource
        from .templatetags.messaging_tags import unread_badge

        # The outbox asks who an official message's SMS reach and how they read.
        outbox_source_register(OfficialOutboxSource())
        # The header's unread count, filled in for each reader of a shared page.
        member_page_slot_register("messages_unread", unread_badge)
