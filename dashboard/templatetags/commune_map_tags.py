"""The commune's map section: its canvas, period choice, legend and the table beside it."""

from urllib.parse import urlencode

from django import template
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dashboard.commune_map import DEFAULT_PERIOD, LEVELS
from dashboard.figures import PERIODS

register = template.Library()


def map_wording() -> dict:
    """The texts the map's script writes, in the interface language (``{…}`` are filled in
    by the script)."""
    return {
        "community_alerts": _("Alertes de {name} : {n}"),
        "no_boundary": _("Périmètre non tracé : absente de la carte"),
        "summary": _("{period} — alertes : {n}."),
        "unplaced": _(
            "Alertes de la mairie à plusieurs communautés ou à toute la commune, sans place "
            "sur la carte et comptées à part : {n}."
        ),
        "truncated": _("Seules les {n} alertes les plus récentes sont placées sur la carte."),
        "unavailable": _("La carte n'a pas pu être mise à jour ; nouvel essai dans un instant."),
    }


@register.inclusion_tag("dashboard/_map.html")
def commune_map(data_url: str, *, commune_id=None, with_periods: bool = True, title: str = ""):
    if commune_id is not None:
        data_url = f"{data_url}?{urlencode({'commune': commune_id})}"
    return {
        "data_url": data_url,
        "with_periods": with_periods,
        "periods": PERIODS,
        "default_period": DEFAULT_PERIOD,
        "levels": [(index, label) for index, (_lowest, label) in enumerate(LEVELS)],
        "title": title or _("Carte de la commune"),
        "config": {
            "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
            "wording": map_wording(),
        },
    }
