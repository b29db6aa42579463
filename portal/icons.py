"""Each site's own icons: the browser tab's favicon, the phone's home-screen (touch) icon and
the PWA's icons, drawn from the commune's logo, or from its initial on its colour.

Served at the same paths on every site (``/icone.svg``, ``/icone-180.png``…): the host name
says whose they are. Pages link them with ``?v=`` naming what they are drawn from (name,
colour, logo), so a browser keeps an icon for a day and fetches the new one as soon as the
mairie changes its logo or colour. The platform's own site keeps the static icons.
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.templatetags.static import static
from django.utils.html import escape
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

from communities.models import Commune
from communities.selectors import commune_for_request

logger = logging.getLogger(__name__)

PNG_SIZES = (180, 192, 512)
# A maskable icon's content stays within the central 80 % that every launcher shows.
MASKABLE_SAFE_ZONE = 0.8
ICON_MAX_AGE = 24 * 60 * 60
DEFAULT_COLOUR = "#1d4e89"


@dataclass(frozen=True)
class IconLinks:
    """The URLs a page links (``<link rel=icon>``, ``apple-touch-icon``) for one site."""

    icon: str
    icon_type: str
    touch: str
    touch_sizes: str


def icon_version(*, commune: Commune) -> str:
    """A short digest of what the commune's icons are drawn from."""
    logo = commune.logo
    source = f"{commune.name}|{commune.primary_colour}|{logo.pk if logo else ''}|"
    source += logo.file_hash if logo else ""
    return hashlib.sha256(source.encode()).hexdigest()[:10]


def icon_links(*, commune: Commune | None) -> IconLinks:
    if commune is None:
        return IconLinks(
            icon=static("img/icon.svg"),
            icon_type="image/svg+xml",
            touch=static("img/icon-192.png"),
            touch_sizes="192x192",
        )
    version = icon_version(commune=commune)
    if commune.logo_id:
        icon, icon_type = f"/icone-192.png?v={version}", "image/png"
    else:
        icon, icon_type = f"/icone.svg?v={version}", "image/svg+xml"
    return IconLinks(
        icon=icon, icon_type=icon_type, touch=f"/icone-180.png?v={version}", touch_sizes="180x180"
    )


def _initial(commune: Commune) -> str:
    letters = [character for character in commune.name if character.isalnum()]
    return letters[0].upper() if letters else "V"


def _colour(commune: Commune) -> str:
    return commune.primary_colour or DEFAULT_COLOUR


def commune_icon_svg(*, commune: Commune) -> str:
    """The commune's initial, white on its colour, in a rounded square."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="12" fill="{escape(_colour(commune))}"/>'
        '<text x="32" y="44" text-anchor="middle" font-family="system-ui, sans-serif" '
        f'font-size="36" font-weight="700" fill="#fff">{escape(_initial(commune))}</text>'
        "</svg>"
    )


def _logo_image(commune: Commune) -> Image.Image | None:
    """The commune's logo as an RGBA image, or None when there is none or it cannot be read
    (an SVG logo, a missing file): the initial is drawn instead."""
    if commune.logo is None:
        return None
    try:
        with commune.logo.open_file() as handle:
            logo = Image.open(handle)
            logo.load()
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("Logo of %s unreadable for its icons", commune.name)
        return None
    return logo.convert("RGBA")


def commune_icon_png(*, commune: Commune, size: int, maskable: bool = False) -> bytes:
    """A square PNG of ``size`` pixels: the logo on white, or the initial on the colour.

    Home screens draw touch icons on an opaque square, so the icon has no transparency.
    """
    logo = _logo_image(commune)
    background = "#ffffff" if logo is not None else _colour(commune)
    canvas = Image.new("RGB", (size, size), background)
    inner = round(size * (MASKABLE_SAFE_ZONE if maskable else 0.86))
    if logo is not None:
        logo.thumbnail((inner, inner), Image.Resampling.LANCZOS)
        canvas.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    else:
        font = ImageFont.load_default(size=round(inner * 0.62))
        ImageDraw.Draw(canvas).text(
            (size / 2, size / 2), _initial(commune), fill="#ffffff", font=font, anchor="mm"
        )
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _commune_or_404(request) -> Commune:
    commune = commune_for_request(request=request)
    if commune is None:
        raise Http404
    return commune


@require_GET
@cache_control(public=True, max_age=ICON_MAX_AGE)
def icon_svg(request):
    commune = _commune_or_404(request)
    return HttpResponse(commune_icon_svg(commune=commune), content_type="image/svg+xml")


@require_GET
@cache_control(public=True, max_age=ICON_MAX_AGE)
def icon_png(request, size: int, maskable: bool = False):
    if size not in PNG_SIZES:
        raise Http404
    commune = _commune_or_404(request)
    key = f"commune-icon:{commune.pk}:{icon_version(commune=commune)}:{size}:{maskable}"
    body = cache.get(key)
    if body is None:
        body = commune_icon_png(commune=commune, size=size, maskable=maskable)
        cache.set(key, body, ICON_MAX_AGE)
    return HttpResponse(body, content_type="image/png")
