from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MairiePagesConfig(AppConfig):
    name = "mairie_pages"
    verbose_name = _("Pages de la mairie")

    def ready(self):
        from gazette.stream import StreamSource, stream_source_register

        from . import provisioning
        from .models import AnnouncementPage

        # What a new commune needs from this app (communities.provisioning).
        provisioning.register()
        # The mairie's announcements in the gazette's stream and digest (gazette.stream).
        stream_source_register(
            StreamSource(model=AnnouncementPage, public_of=AnnouncementPage.objects.public_of)
        )
