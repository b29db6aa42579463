"""Lists that apps poll: cursor pagination and ``ETag`` / ``If-None-Match``.

A cursor names the last item of the page (its date and id, in the list's order, newest
first; or another field that orders the list, such as an event's start, soonest first), so
that an alert posted while the member scrolls neither repeats nor skips an item, as page
numbers would. The ``ETag`` is a digest of the JSON answered: an app that
polls gets ``304 Not Modified`` and no body while nothing changed.
"""

import base64
import hashlib
import json

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import DateTimeField, Q, QuerySet
from django.http import HttpResponse
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from ninja import Schema

DEFAULT_LIMIT = 20
MAX_LIMIT = 50


class PageInfo(Schema):
    next_cursor: str | None = None
    limit: int


def cursor_encode(*, moment, pk: int) -> str:
    """The cursor after an item: the value it is ordered by (a date, a time, a tree path)
    and its id."""
    value = moment.isoformat() if hasattr(moment, "isoformat") else str(moment)
    return base64.urlsafe_b64encode(f"{value}|{pk}".encode()).decode().rstrip("=")


def cursor_decode(cursor: str, *, field=None) -> tuple[object, int] | None:
    """The cursor's value and id; None for a cursor this API never wrote.

    ``field`` (the model field the list is ordered by) reads the value; without it, the
    value must be a date and time with its time zone, as the lists of alerts and posts write.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text, pk_text = base64.urlsafe_b64decode(padded).decode().rsplit("|", 1)
        pk = int(pk_text)
        if field is None or isinstance(field, DateTimeField):
            moment = parse_datetime(text)
            if moment is None or moment.tzinfo is None:
                return None
            return moment, pk
        return field.to_python(text), pk
    except (ValueError, UnicodeDecodeError, DjangoValidationError):
        return None


def cursor_page(
    items: QuerySet, *, cursor: str | None, limit: int, date_field: str, ascending: bool = False
) -> tuple[list, str | None]:
    """One page of ``items`` (ordered by ``-date_field, -pk``, or ``date_field, pk`` when
    ``ascending``) after ``cursor``, and the cursor of the next page (None on the last one).
    One query, whatever the page size. ``date_field`` may be any field without empty
    values that orders the list (an event's start, a page's place in the tree)."""
    limit = max(1, min(limit, MAX_LIMIT))
    # As a page number on the site's lists: a cursor that cannot be read gives the first
    # page, never an error (communities.pagination).
    field = items.model._meta.get_field(date_field)
    position = cursor_decode(cursor, field=field) if cursor else None
    after = "gt" if ascending else "lt"
    if position is not None:
        moment, pk = position
        items = items.filter(
            Q(**{f"{date_field}__{after}": moment}) | Q(**{date_field: moment, f"pk__{after}": pk})
        )
    order = [date_field, "pk"] if ascending else [f"-{date_field}", "-pk"]
    rows = list(items.order_by(*order)[: limit + 1])
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


def listed_response(request, items: QuerySet, *, schema, item, cursor, limit, **order):
    """One page of ``items`` (``cursor_page``, ordered by ``order``), each made by ``item``,
    as the list ``schema`` with its next cursor, answered with its ``ETag``."""
    rows, next_cursor = cursor_page(items, cursor=cursor, limit=limit, **order)
    data = schema(
        items=[item(row) for row in rows], page={"next_cursor": next_cursor, "limit": limit}
    )
    return etag_response(request, data.model_dump(mode="json"))
