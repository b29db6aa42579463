from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = _("Accueil")

    def ready(self):
        # What a new commune needs from this app (communities.provisioning).
        from . import provisioning

        provisioning.register()
