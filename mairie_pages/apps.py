from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MairiePagesConfig(AppConfig):
    name = "mairie_pages"
    verbose_name = _("Pages de la mairie")

    def ready(self):
        # What a new commune needs from this app (communities.provisioning).
        from . import provisioning

        provisioning.register()
