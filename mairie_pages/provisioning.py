"""A new commune's sections (news and events), for ``communities.provisioning``
(registered from ``MairiePagesConfig.ready``)."""

from django.utils.translation import gettext as _

from communities.provisioning import CommuneStep, commune_step_register

from .models import AnnouncementIndexPage, EventIndexPage


def mairie_sections_create(*, commune, created: bool) -> None:
    """On creation only: the mairie may later remove or rename a section, and a repair run
    of ``create_commune`` must not bring it back."""
    if not created:
        return
    home = commune.site.root_page
    home.add_child(instance=AnnouncementIndexPage(title=_("Actualités"), slug="actualites"))
    home.add_child(instance=EventIndexPage(title=_("Agenda"), slug="agenda"))


def register() -> None:
    commune_step_register(
        CommuneStep(name="mairie_pages.sections", order=10, run=mairie_sections_create)
    )
