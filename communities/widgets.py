"""The boundary editor of a community's admin form: a map on which staff draw the polygon,
above the GeoJSON text it writes (which stays editable, and is what the form submits).

Leaflet and Leaflet.draw come from django-leaflet's static files, served by us: no CDN.
The other communities of the commune are drawn in grey for context; the base-map tiles are
those of ``MAP_TILE_URL`` when it is set, a plain background otherwise.
"""

from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

LEAFLET_CSS = ("leaflet/leaflet.css", "leaflet/draw/leaflet.draw.css", "css/commune_map.css")
LEAFLET_JS = ("leaflet/leaflet.js",)


def draw_wording() -> dict:
    """Leaflet.draw's texts (``L.drawLocal``), in the interface language."""
    return {
        "draw": {
            "toolbar": {
                "actions": {"title": _("Annuler le tracé"), "text": _("Annuler")},
                "finish": {"title": _("Terminer le tracé"), "text": _("Terminer")},
                "undo": {
                    "title": _("Effacer le dernier point tracé"),
                    "text": _("Effacer le dernier point"),
                },
                "buttons": {"polygon": _("Tracer le périmètre")},
            },
            "handlers": {
                "polygon": {
                    "tooltip": {
                        "start": _("Cliquez pour placer le premier coin."),
                        "cont": _("Cliquez pour placer le coin suivant."),
                        "end": _("Cliquez sur le premier coin pour fermer le périmètre."),
                    }
                },
                "polyline": {
                    "error": _("Les côtés du périmètre ne doivent pas se croiser."),
                    "tooltip": {"start": "", "cont": "", "end": ""},
                },
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Garder les modifications"), "text": _("Garder")},
                    "cancel": {
                        "title": _("Annuler les modifications"),
                        "text": _("Annuler"),
                    },
                    "clearAll": {"title": _("Tout effacer"), "text": _("Tout effacer")},
                },
                "buttons": {
                    "edit": _("Déplacer les coins du périmètre"),
                    "editDisabled": _("Aucun périmètre à modifier"),
                    "remove": _("Effacer le périmètre"),
                    "removeDisabled": _("Aucun périmètre à effacer"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Faites glisser les coins pour modifier le périmètre."),
                        "subtext": _("« Annuler » rétablit le périmètre d'avant."),
                    }
                },
                "remove": {"tooltip": {"text": _("Cliquez sur le périmètre à effacer.")}},
            },
        },
    }


class BoundaryWidget(forms.Textarea):
    """A textarea of GeoJSON with a drawing map above it.

    ``context`` is a list of ``(name, geometry)``: the commune's other communities, drawn
    in grey so that neighbouring boundaries can be followed.
    """

    map_template_name = "communities/widgets/boundary.html"

    def __init__(self, attrs=None, context=None):
        super().__init__(attrs={"rows": 6, **(attrs or {})})
        self.context_boundaries = list(context or [])

    @property
    def media(self):
        return forms.Media(
            css={"all": LEAFLET_CSS},
            js=(*LEAFLET_JS, "leaflet/draw/leaflet.draw.js", "js/boundary_editor.js"),
        )

    def render(self, name, value, attrs=None, renderer=None):
        textarea = super().render(name, value, attrs, renderer)
        textarea_id = (attrs or {}).get("id") or self.attrs.get("id") or f"id_{name}"
        map_html = render_to_string(
            self.map_template_name,
            {
                "textarea_id": textarea_id,
                "map_config_id": f"{textarea_id}-map-config",
                "map": {
                    "tiles": {
                        "url": settings.MAP_TILE_URL,
                        "attribution": settings.MAP_TILE_ATTRIBUTION,
                    },
                    "others": [
                        {"name": other_name, "geometry": geometry}
                        for other_name, geometry in self.context_boundaries
                    ],
                    "wording": draw_wording(),
                },
            },
        )
        return mark_safe(map_html + textarea)  # noqa: S308 (both rendered by templates)
