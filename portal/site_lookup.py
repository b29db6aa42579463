"""Which Wagtail site answers a host name, read from the shared cache instead of the
database on every request.

Wagtail looks the site up with one query per request (``Site.find_for_request``, kept on
``request._wagtail_site``). With 600 communes on one deployment every page a member loads
pays it, though sites change a few times a year. This middleware answers from the cache,
keyed on the host name and port as Wagtail reads them, and sets ``request._wagtail_site``
before anything asks; a saved or deleted site, or a commune (whose site may have been
re-pointed), makes every cached answer stale at once (a generation number in the key).

Only the site's own columns are cached, never a related object (its root page is read
afresh when a request needs it).
"""

import contextlib

from django.core.cache import cache
from django.db import DatabaseError
from django.http.request import split_domain_port
from redis.exceptions import RedisError
from wagtail.models import Site

GENERATION_KEY = "site-lookup:generation"
TIMEOUT = 3600
_MISSING = "none"


def _generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def site_lookups_invalidate() -> None:
    """Forget every cached host → site answer (called when a site or commune changes)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def site_for_request(request) -> Site | None:
    """Wagtail's answer for this request's host and port, from the cache when it has it."""
    hostname = split_domain_port(request._get_raw_host())[0]
    port = request.get_port()
    # One round trip: the generation and the answer, kept with the generation it was read
    # under (an answer of an earlier generation is read again).
    key = f"site-lookup:{hostname}:{port}"
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    if generation is None:
        generation = _generation()
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        cached = stored[1]
        if cached == _MISSING:
            return None
        return Site.from_db(None, list(cached), list(cached.values()))
    site = Site._find_for_request(request)
    if site is None:
        cache.set(key, (generation, _MISSING), TIMEOUT)
        return None
    columns = {f.attname: getattr(site, f.attname) for f in Site._meta.concrete_fields}
    cache.set(key, (generation, columns), TIMEOUT)
    return site


class CachedSiteMiddleware:
    """Sets ``request._wagtail_site`` from the cache, so that ``Site.find_for_request``
    (Wagtail's serving, our commune lookup, the menu) costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not hasattr(request, "_wagtail_site"):
            # Database or cache down: the health probes must still answer and say which;
            # Wagtail asks again, and fails, where a page needs the site.
            with contextlib.suppress(DatabaseError, RedisError):
                request._wagtail_site = site_for_request(request)
        return self.get_response(request)
