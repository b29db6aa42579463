"""The commune's map (dashboard, boundary editor): where its base-map tiles come from.

Leaflet itself is served from our static files (django-leaflet's copy). Tiles are the one
thing fetched from elsewhere, so they are off unless ``MAP_TILE_URL`` names a tile server
the operator has the right to use (its terms usually require the attribution): without it
the boundaries draw on a plain background, which the demo and the tests use. The tile
server's origin is added to the Content-Security-Policy's ``img-src`` (``security``).
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .environment import env_str

MAP_TILE_URL = env_str("MAP_TILE_URL")
MAP_TILE_ATTRIBUTION = env_str("MAP_TILE_ATTRIBUTION")


def tile_origin(url: str) -> str:
    """The CSP source of a Leaflet tile URL template: ``https://{s}.tile.example.org/…``
    gives ``https://*.tile.example.org``."""
    parts = urlsplit(url.replace("{s}", "subdomain"))
    if parts.scheme != "https" or not parts.hostname:
        raise ImproperlyConfigured(f"MAP_TILE_URL={url!r} is not an https:// URL.")
    if not all(part in url for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(f"MAP_TILE_URL={url!r} lacks {{z}}, {{x}} or {{y}}.")
    host = parts.netloc.replace("subdomain", "*")
    return f"https://{host}"


if MAP_TILE_URL and not MAP_TILE_ATTRIBUTION:
    raise ImproperlyConfigured(
        "MAP_TILE_URL is set without MAP_TILE_ATTRIBUTION: tile servers require their "
        "attribution (e.g. '© les contributeurs d'OpenStreetMap')."
    )
MAP_TILE_ORIGINS = [tile_origin(MAP_TILE_URL)] if MAP_TILE_URL else []
