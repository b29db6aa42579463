"""Full-page cache for anonymous visitors of the public commune sites.

Only what an anonymous visitor sees is ever cached: a request carrying a session or message
cookie (a signed-in member, who may see community content) always bypasses it, and so does
any response that sets a cookie (a form's CSRF token) or is marked private. A request without
a session cookie can only be rendered for an anonymous user, so the ``Vary: Cookie`` that
reading ``request.user`` adds does not make its response personal.

Publishing, unpublishing or moving a page bumps the generation number of every site, so
visitors never wait for the timeout after an edit; the timeout (``PAGE_CACHE_SECONDS``)
only bounds how long a missed invalidation lasts.
"""

from django.conf import settings
from django.core.cache import cache
from django.utils.cache import get_cache_key, learn_cache_key

GENERATION_KEY = "page-cache:generation"
BYPASS_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/accounts/",
    "/api/",
    "/_allauth/",
    "/sms/",
    "/healthz",
    "/readyz",
    "/documents/",
    "/anymail/",
)


def current_generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def invalidate_all_pages() -> None:
    """Make every cached page stale at once (called on publish, unpublish, move, delete)."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 2, timeout=None)


def _cacheable_request(request) -> bool:
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.path.startswith(BYPASS_PREFIXES)
    )


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _cacheable_request(request):
            return self.get_response(request)

        key_prefix = f"page:{current_generation()}"
        cache_key = get_cache_key(request, key_prefix, "GET", cache=cache)
        if cache_key is not None:
            cached = cache.get(cache_key)
            if cached is not None:
                return cached

        response = self.get_response(request)
        if self._cacheable_response(request, response):
            cache_key = learn_cache_key(
                request, response, settings.PAGE_CACHE_SECONDS, key_prefix, cache=cache
            )
            if hasattr(response, "render") and callable(response.render):
                response.add_post_render_callback(
                    lambda r: cache.set(cache_key, r, settings.PAGE_CACHE_SECONDS)
                )
            else:
                cache.set(cache_key, response, settings.PAGE_CACHE_SECONDS)
        return response

    @staticmethod
    def _cacheable_response(request, response) -> bool:
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        return "private" not in response.get("Cache-Control", "")
