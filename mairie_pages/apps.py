from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MairiePagesConfig(AppConfig):
    name = "mairie_pages"
    verbose_name = _("Pages de la mairie")
