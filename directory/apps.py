from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "directory"
    verbose_name = _("Annuaire")

    def ready(self):
        from . import shared_pages

        # The residents' shared pages: who may write to whom, which card is one's own, and
        # the writes that make a commune's copies stale.
        shared_pages.register()
