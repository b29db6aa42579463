"""Wagtail wiring of the portal: members-only page types are kept out of search engines."""

from wagtail import hooks

from gazette.models import GazetteIndexPage, GazettePost

from .robots import robots_noindex_mark

MEMBERS_ONLY_PAGE_TYPES = (GazetteIndexPage, GazettePost)


@hooks.register("before_serve_page")
def members_only_pages_are_not_indexed(page, request, serve_args, serve_kwargs):
    if isinstance(page, MEMBERS_ONLY_PAGE_TYPES):
        robots_noindex_mark(request)
