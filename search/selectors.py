"""Site search: one commune's public pages and the gazette posts the viewer may read.

Wagtail's own search view lists every live page it finds (its privacy knows nothing of our
communities), so the candidates are narrowed *before* searching: the public pages of this
commune's tree in the current language, and ``GazettePost.objects.visible_to(viewer)`` of
this commune. Results, their count and their pages therefore never include, nor reveal the
number of, anything the viewer may not read.
"""

import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as Paginated
from django.db.models import Q
from django.utils.html import strip_tags
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from wagtail.blocks import StreamValue
from wagtail.models import Page
from wagtail.search.index import SearchField

from communities.pagination import page_of
from gazette.models import GazettePost
from mairie_pages.models import AnnouncementPage, EventPage, StandardPage

from .highlight import highlight, highlighted_excerpt

MAX_QUERY_LENGTH = 100
RESULTS_PER_PAGE = 10
PUBLIC_PAGE_TYPES = (StandardPage, AnnouncementPage, EventPage)


def public_pages_of(*, commune):
    """The commune's public pages (standard pages, announcements, events) in the current
    language: live, without a view restriction, inside this commune's site only; the
    announcements by the rule every list of them follows."""
    root = commune.site.root_page.localized
    pages = Page.objects.live().public().descendant_of(root).type(*PUBLIC_PAGE_TYPES)
    announcements = AnnouncementPage.objects.public_of(under=root)
    return pages.filter(
        ~Q(content_type=ContentType.objects.get_for_model(AnnouncementPage))
        | Q(pk__in=announcements.values("pk"))
    )


def site_search(*, viewer, commune, query: str):
    """Wagtail search results (lazy, sliceable, countable) over what ``viewer`` may read on
    ``commune``'s site. Anonymous visitors search public pages only."""
    # Words only, in lower case: quotes, stars or AND/OR/NOT typed by a visitor are not the
    # search engine's syntax (SQLite's FTS5 would fail on an unterminated quote).
    words = " ".join(re.findall(r"\w+", query[:MAX_QUERY_LENGTH].lower()))
    if not words:
        return Page.objects.none()
    candidates = Q(pk__in=public_pages_of(commune=commune).values("pk"))
    if viewer.is_authenticated:
        posts = GazettePost.objects.visible_to(viewer).filter(commune=commune)
        candidates |= Q(pk__in=posts.values("pk"))
    return Page.objects.filter(candidates).search(words)


@dataclass(frozen=True)
class SearchHit:
    page: Page
    url: str
    kind: str
    title: SafeString
    excerpt: SafeString
    is_gazette: bool


def kind_of(page: Page) -> str:
    """What a hit is, in the words a resident uses."""
    if isinstance(page, GazettePost):
        return _("Gazette des voisins")
    if isinstance(page, AnnouncementPage):
        return _("Annonce de la mairie")
    if isinstance(page, EventPage):
        return _("Agenda")
    return _("Page")


def searchable_text(page: Page) -> str:
    """The text of ``page`` that search indexes, title aside, as plain text."""
    parts = []
    for field in page.get_search_fields():
        if not isinstance(field, SearchField) or field.field_name == "title":
            continue
        value = getattr(page, field.field_name, None)
        if isinstance(value, StreamValue):
            parts.extend(value.stream_block.get_searchable_content(value))
        elif value:
            parts.append(str(value))
    return " ".join(strip_tags(" ".join(parts)).split())


def search_hits(*, pages, query: str, request=None) -> list[SearchHit]:
    """The hits of one results page, as specific pages with highlighted title and excerpt.

    One query fetches the specific pages of the whole results page, whatever their types.
    """
    ids = [page.pk for page in pages]
    specific = {page.pk: page for page in Page.objects.filter(pk__in=ids).specific()}
    hits = []
    for pk in ids:
        page = specific.get(pk)
        if page is None:
            continue
        hits.append(
            SearchHit(
                page=page,
                url=page.get_url(request=request),
                kind=kind_of(page),
                title=highlight(page.title, query),
                excerpt=highlighted_excerpt(searchable_text(page), query),
                is_gazette=isinstance(page, GazettePost),
            )
        )
    return hits


@dataclass(frozen=True)
class SearchResults:
    query: str
    page: Paginated | None  # None when there is nothing to search for
    hits: list[SearchHit]


def search_results(*, request, viewer, commune, query: str) -> SearchResults:
    """One page (``?page=n``) of the search of ``commune``'s site as ``viewer`` may read
    it, as the search page shows it: the query trimmed to 100 characters, ten hits a page."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return SearchResults(query=query, page=None, hits=[])
    page = page_of(
        request=request,
        items=site_search(viewer=viewer, commune=commune, query=query),
        per_page=RESULTS_PER_PAGE,
    )
    hits = search_hits(pages=list(page.object_list), query=query, request=request)
    return SearchResults(query=query, page=page, hits=hits)
