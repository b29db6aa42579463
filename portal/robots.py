"""Members' pages stay out of search engines: ``X-Robots-Tag: noindex`` and a robots meta tag.

Members' pages answer anonymous crawlers with a sign-in redirect, but a member's browser
extension, a shared link previewer or a misconfigured proxy may still fetch them signed in;
``noindex`` tells every well-behaved indexer to keep whatever it saw out of its results.

One rule decides: a request is a member page when its path lies in a members' area (with
or without a language prefix), or when Wagtail serves a members-only page type (the
gazette, wherever its index sits in a commune's tree). ``RobotsNoindexMiddleware`` then
writes the header, and ``base.html`` the meta tag, from ``request.robots_noindex``. Public
pages (a commune's home, news, agenda, standard pages) stay indexable.
"""

import re

from django.conf import settings

# Django views of the members' areas (and the gazette's private photos); the gazette's own
# pages are Wagtail pages, marked by type (``portal.wagtail_hooks``).
MEMBER_AREAS = (
    "alertes",
    "annuaire",
    "messages",
    "compte",
    "publier",
    "moderation",
    "gazette-fichiers",
    "recherche",
)


def _member_area_re() -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    areas = "|".join(re.escape(area) for area in MEMBER_AREAS)
    return re.compile(rf"^/(?:(?:{languages})/)?(?:{areas})(?:/|$)")


def robots_noindex_mark(request) -> None:
    """Keep this request's page out of search engines (header and meta tag)."""
    request.robots_noindex = True


class RobotsNoindexMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.member_areas = _member_area_re()

    def __call__(self, request):
        if self.member_areas.match(request.path_info):
            robots_noindex_mark(request)
        response = self.get_response(request)
        if getattr(request, "robots_noindex", False):
            response["X-Robots-Tag"] = "noindex"
        return response
