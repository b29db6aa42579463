"""A community's boundary: a GeoJSON polygon checked before it is stored, and its centre.

Staff draw the boundary on a map in the admin (``communities.widgets``) or paste GeoJSON;
either way ``boundary_clean`` refuses what would break the features that read it (the
community proposed from an address, the commune's map on the dashboard): something other
than a polygon, coordinates outside the globe, sides that cross. A GeoJSON ``Feature`` is
accepted and stored as its geometry alone.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.errors import ShapelyError
from shapely.geometry import shape

POLYGON_TYPES = ("Polygon", "MultiPolygon")


def _geometry(value) -> dict:
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in POLYGON_TYPES:
        raise ValidationError(
            _(
                "Le périmètre doit être un polygone GeoJSON (type « Polygon » ou "
                "« MultiPolygon ») : tracez-le sur la carte."
            ),
            code="not_a_polygon",
        )
    return {"type": value["type"], "coordinates": value.get("coordinates")}


def _positions(coordinates):
    """Every [longitude, latitude] pair of a polygon's (or multipolygon's) rings."""
    if (
        isinstance(coordinates, list | tuple)
        and len(coordinates) >= 2
        and all(isinstance(n, int | float) and not isinstance(n, bool) for n in coordinates)
    ):
        yield coordinates
        return
    if not isinstance(coordinates, list | tuple):
        raise TypeError(coordinates)
    for item in coordinates:
        yield from _positions(item)


def boundary_clean(value) -> dict | None:
    """``value`` as the GeoJSON geometry to store, or ``ValidationError`` in French.

    Empty means no boundary. A polygon must have at least three distinct corners, only
    longitudes in [-180, 180] and latitudes in [-90, 90], and sides that do not cross:
    ``community_for_point`` and the map's centroids would otherwise answer nonsense.
    """
    if value in (None, "", {}, []):
        return None
    geometry = _geometry(value)
    try:
        positions = list(_positions(geometry["coordinates"]))
        polygon = shape(geometry)
    except (TypeError, ValueError, IndexError, KeyError, AttributeError, ShapelyError):
        raise ValidationError(
            _(
                "Les coordonnées du périmètre sont illisibles : chaque point doit être une "
                "paire [longitude, latitude]."
            ),
            code="unreadable",
        ) from None
    if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat, *_rest in positions):
        raise ValidationError(
            _(
                "Un point du périmètre est hors de la Terre : les coordonnées vont dans "
                "l'ordre [longitude, latitude]."
            ),
            code="out_of_range",
        )
    if polygon.is_empty or len({(lon, lat) for lon, lat, *_rest in positions}) < 3:
        raise ValidationError(
            _("Le périmètre doit avoir au moins trois coins distincts."), code="empty"
        )
    if not polygon.is_valid:
        raise ValidationError(
            _("Le périmètre se recoupe lui-même : redessinez-le sans que ses côtés se croisent."),
            code="invalid",
        )
    return geometry


def boundary_centre(boundary) -> tuple[float, float] | None:
    """Where a community is placed on a map: [latitude, longitude] of its boundary's
    centroid, or of a point inside it when the centroid falls outside (a crescent-shaped
    hamlet); ``None`` without a readable boundary.

    A community-level position only: an alert has no address and its marker must not
    suggest one.
    """
    if not boundary:
        return None
    try:
        polygon = shape(boundary.get("geometry", boundary))
        if polygon.is_empty:
            return None
        point = polygon.centroid
        if not polygon.contains(point):
            point = polygon.representative_point()
    except (AttributeError, KeyError, TypeError, ValueError, IndexError, ShapelyError):
        return None
    return (round(point.y, 6), round(point.x, 6))
