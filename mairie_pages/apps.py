from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MairiePagesConfig(AppConfig):
    name = "mairie_pages"
    verbose_name = _("Pages de la mairie")

    def ready(self):
        from wagtail.signals import page_published

        from gazette.stream import StreamSource, stream_source_register
        from notifications.sources import outbox_source_register

        from . import provisioning
        from .announcement_sends import announcement_published
        from .models import AnnouncementPage
        from .outbox import AnnouncementOutboxSource

        # What a new commune needs from this app (communities.provisioning).
        provisioning.register()
        # The mairie's announcements in the gazette's stream and digest (gazette.stream).
        stream_source_register(
            StreamSource(model=AnnouncementPage, public_of=AnnouncementPage.objects.public_of)
        )
        # A new announcement reaches the members who take the mairie's news (the outbox).
        outbox_source_register(AnnouncementOutboxSource())
        page_published.connect(announcement_published, dispatch_uid="announcement_published")
