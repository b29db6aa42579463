"""The root pages of the platform's site and of each commune's site, for
``communities.provisioning`` (registered from ``HomeConfig.ready``)."""

from django.utils.translation import gettext as _

from communities.provisioning import HomePages, home_pages_register

from .models import CommuneHomePage, PlatformHomePage


def _platform_page(*, locale) -> PlatformHomePage:
    return PlatformHomePage(
        title="Voisinage",
        slug="voisinage",
        locale=locale,
        intro=_("Le réseau de voisinage vigilant et solidaire, animé avec votre mairie."),
    )


def _commune_page(*, name: str, slug: str, locale) -> CommuneHomePage:
    return CommuneHomePage(
        title=name,
        slug=slug,
        locale=locale,
        hero_title=_("Bienvenue à %(name)s") % {"name": name},
        hero_intro=_("Voisins vigilants et solidaires, avec votre mairie."),
    )


def register() -> None:
    home_pages_register(
        HomePages(
            platform_model=PlatformHomePage,
            platform_page=_platform_page,
            commune_page=_commune_page,
        )
    )
