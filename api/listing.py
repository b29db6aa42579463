"""Lists that apps poll: cursor pagination and ``ETag`` / ``If-None-Match``.

A cursor names the last item of the page (its date and id, in the list's order, newest
first), so that an alert posted while the member scrolls neither repeats nor skips an
item, as page numbers would. The ``ETag`` is a digest of the JSON answered: an app that
polls gets ``304 Not Modified`` and no body while nothing changed.
"""

import base64
import hashlib
import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from ninja import Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 50


class PageInfo(Schema):
    next_cursor: str | None = None
    limit: int


def cursor_encode(*, moment: datetime, pk: int) -> str:
    raw = f"{moment.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(cursor: str) -> tuple[datetime, int] | None:
    """The cursor's date and id; None for a cursor this API never wrote."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        moment_text, pk_text = base64.urlsafe_b64decode(padded).decode().split("|")
        moment = parse_datetime(moment_text)
        pk = int(pk_text)
    except (ValueError, UnicodeDecodeError):
        return None
    if moment is None or moment.tzinfo is None:
        return None
    return moment, pk


def cursor_page(
    items: QuerySet, *, cursor: str | None, limit: int, date_field: str
) -> tuple[list, str | None]:
    """One page of ``items`` (ordered by ``-date_field, -pk``) after ``cursor``, and the
    cursor of the next page (None on the last one). One query, whatever the page size."""
    limit = max(1, min(limit, MAX_LIMIT))
    # As a page number on the site's lists: a cursor that cannot be read gives the first
    # page, never an error (communities.pagination).
    position = cursor_decode(cursor) if cursor else None
    if position is not None:
        moment, pk = position
        items = items.filter(
            Q(**{f"{date_field}__lt": moment}) | Q(**{date_field: moment, "pk__lt": pk})
        )
    rows = list(items.order_by(f"-{date_field}", "-pk")[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = cursor_encode(moment=getattr(last, date_field), pk=last.pk)
    return rows, next_cursor


def etag_response(request, data) -> HttpResponse:
    """``data`` as JSON with its ``ETag``; ``304`` when the client already holds it."""
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()
    etag = f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'
    wanted = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
    if etag in wanted or "*" in wanted:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json")
    response["ETag"] = etag
    # What a member reads depends on who they are: never in a shared cache.
    response["Cache-Control"] = "private, no-cache"
    patch_vary_headers(response, ["X-Session-Token", "Cookie"])
    return response
