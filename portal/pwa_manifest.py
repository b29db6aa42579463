"""The PWA's web app manifest, named, coloured and drawn after the request's commune.

Served at ``/manifest.webmanifest`` on every site: a commune's name, its theme colour, its
own icons (``portal.icons``) and the member's community as start page on its site,
Voisinage's on the platform's. Installable on Android (``display: standalone``, maskable
icons) and iOS (``base.html``'s apple-touch-icon and ``apple-mobile-web-app-*`` tags).
"""

from django.http import JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from communities.selectors import commune_for_request

DEFAULT_THEME_COLOUR = "#1d4e89"


def _manifest_icons(*, commune) -> list[dict]:
    """A commune's own icons on its site (drawn by the portal, named by URL: from its logo,
    which has no SVG form, or from its initial), the platform's static ones elsewhere."""
    if commune is not None:
        svg = reverse("commune_icon_svg")
        png = {size: reverse("commune_icon_png", args=[size]) for size in (192, 512)}
        maskable = reverse("commune_icon_maskable")
    else:
        svg = static("img/icon.svg")
        png = {size: static(f"img/icon-{size}.png") for size in (192, 512)}
        maskable = static("img/icon-maskable-512.png")
    icons = [
        {"src": png[192], "sizes": "192x192", "type": "image/png"},
        {"src": png[512], "sizes": "512x512", "type": "image/png"},
        {"src": maskable, "sizes": "512x512", "type": "image/png", "purpose": "maskable"},
    ]
    if commune is None or not commune.logo_id:
        icons.insert(0, {"src": svg, "sizes": "any", "type": "image/svg+xml"})
    return icons


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request):
    """The PWA manifest: the commune's name and colour on a commune's site."""
    commune = commune_for_request(request=request)
    name = commune.name if commune else "Voisinage"
    colour = (commune.primary_colour if commune else "") or DEFAULT_THEME_COLOUR
    data = {
        "name": name,
        "short_name": name[:12],
        "description": _("Alertes et entraide entre voisins, avec la mairie."),
        "lang": "fr",
        "dir": "ltr",
        "id": "/",
        # The installed app opens on the member's community (a visitor lands on the home).
        "start_url": reverse("member_home") if commune else "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": colour,
        "icons": _manifest_icons(commune=commune),
    }
    if commune is not None:
        # A long press on the installed icon (Android): straight to what residents do most.
        data["shortcuts"] = [
            {"name": _("Lancer une alerte"), "url": reverse("alerts:create")},
            {"name": _("Alertes en cours"), "url": reverse("alerts:list")},
        ]
    return JsonResponse(
        data,
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
