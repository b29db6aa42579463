"""The commune's public content over the API: its pages, the mairie's announcements and its
agenda, for anyone (no sign-in), on the commune's own host name only.

Each list is the one its site shows, through the same rule: ``search.selectors
.public_pages_of`` for the pages (live, without a view restriction, inside this commune's
tree), ``AnnouncementPage.objects.public_of`` for the announcements (every list of them
follows it), the agenda page's ``upcoming_events`` and ``past_events`` for the events.
"""

from datetime import date, datetime
from typing import Literal

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from mairie_pages.models import AnnouncementPage, EventIndexPage, EventPage, StandardPage
from search.selectors import public_pages_of

from .listing import DEFAULT_LIMIT, PageInfo, listed_response
from .problems import Problem
from .scope import request_commune

router = Router(tags=["Commune"])

LIST_DESCRIPTION = (
    "Sans connexion, sur le nom d'hôte de la commune seulement (ailleurs : `404`). Pagination "
    "par curseur (`page.next_cursor`) ; `ETag` et `If-None-Match` comme pour les alertes."
)


class PageOut(Schema):
    id: int
    title: str
    url: str
    intro: str


class PageDetailOut(PageOut):
    body_html: str


class PageList(Schema):
    items: list[PageOut]
    page: PageInfo


class AnnouncementOut(Schema):
    id: int
    title: str
    url: str
    date: date
    summary: str
    published_at: datetime | None


class AnnouncementDetailOut(AnnouncementOut):
    body_html: str


class AnnouncementList(Schema):
    items: list[AnnouncementOut]
    page: PageInfo


class EventOut(Schema):
    id: int
    title: str
    url: str
    start: datetime
    end: datetime | None
    location: str
    summary: str
    ics_url: str


class EventDetailOut(EventOut):
    body_html: str


class EventList(Schema):
    items: list[EventOut]
    page: PageInfo


def _commune_or_404(request):
    """The commune whose host was called; its content is nobody else's to list."""
    commune = request_commune(request)
    if commune is None:
        raise Http404
    return commune


def _body_html(request, page) -> str:
    return str(page.body.render_as_block(context={"request": request, "page": page}))


# --- Pages ---------------------------------------------------------------------------------------


def _pages(request):
    public = public_pages_of(commune=_commune_or_404(request))
    return StandardPage.objects.filter(pk__in=public.values("pk"))


def _page_data(request, page: StandardPage) -> dict:
    return {"id": page.pk, "title": page.title, "url": page.get_url(request), "intro": page.intro}


@router.get(
    "/pages/",
    response={200: PageList, 304: None, 404: Problem},
    auth=None,
    summary="Pages de la commune",
    description="Les pages publiques du site de la commune, dans l'ordre du menu. "
    + LIST_DESCRIPTION,
)
def commune_pages(
    request, cursor: str | None = None, limit: int = Query(DEFAULT_LIMIT, ge=1, le=50)
):
    return listed_response(
        request,
        _pages(request),
        schema=PageList,
        item=lambda page: _page_data(request, page),
        cursor=cursor,
        limit=limit,
        date_field="path",
        ascending=True,
    )


@router.get(
    "/pages/{int:page_id}",
    response={200: PageDetailOut, 404: Problem},
    auth=None,
    summary="Une page de la commune, avec son contenu",
)
def commune_page(request, page_id: int):
    page = get_object_or_404(_pages(request), pk=page_id)
    return {**_page_data(request, page), "body_html": _body_html(request, page)}


# --- Announcements -------------------------------------------------------------------------------


def _announcements(request):
    return AnnouncementPage.objects.public_of(commune=_commune_or_404(request))


def _announcement_data(request, page: AnnouncementPage) -> dict:
    return {
        "id": page.pk,
        "title": page.title,
        "url": page.get_url(request),
        "date": page.date,
        "summary": page.summary,
        "published_at": page.first_published_at,
    }


@router.get(
    "/announcements/",
    response={200: AnnouncementList, 304: None, 404: Problem},
    auth=None,
    summary="Annonces de la mairie",
    description="Les annonces en ligne de la mairie, les plus récentes d'abord. "
    + LIST_DESCRIPTION,
)
def commune_announcements(
    request, cursor: str | None = None, limit: int = Query(DEFAULT_LIMIT, ge=1, le=50)
):
    return listed_response(
        request,
        _announcements(request),
        schema=AnnouncementList,
        item=lambda page: _announcement_data(request, page),
        cursor=cursor,
        limit=limit,
        date_field="date",
    )


@router.get(
    "/announcements/{int:announcement_id}",
    response={200: AnnouncementDetailOut, 404: Problem},
    auth=None,
    summary="Une annonce de la mairie, avec son contenu",
)
def commune_announcement(request, announcement_id: int):
    page = get_object_or_404(_announcements(request), pk=announcement_id)
    return {**_announcement_data(request, page), "body_html": _body_html(request, page)}


# --- Agenda --------------------------------------------------------------------------------------


def _agenda(request) -> EventIndexPage | None:
    """The commune's agenda page, as its home page finds it."""
    root = _commune_or_404(request).site.root_page
    return EventIndexPage.objects.child_of(root).live().first()


def _event_data(request, event: EventPage) -> dict:
    url = event.get_url(request)
    return {
        "id": event.pk,
        "title": event.title,
        "url": url,
        "start": event.start,
        "end": event.end,
        "location": event.location,
        "summary": event.summary,
        "ics_url": f"{url}ics/",
    }


@router.get(
    "/events/",
    response={200: EventList, 304: None, 404: Problem},
    auth=None,
    summary="Agenda de la commune",
    description="Les événements de l'agenda : à venir (par défaut), les plus proches d'abord, "
    "ou passés (`period=past`), les plus récents d'abord. " + LIST_DESCRIPTION,
)
def commune_events(
    request,
    period: Literal["upcoming", "past"] = "upcoming",
    cursor: str | None = None,
    limit: int = Query(DEFAULT_LIMIT, ge=1, le=50),
):
    agenda = _agenda(request)
    if agenda is None:
        events = EventPage.objects.none()
    else:
        events = agenda.upcoming_events() if period == "upcoming" else agenda.past_events()
    return listed_response(
        request,
        events,
        schema=EventList,
        item=lambda event: _event_data(request, event),
        cursor=cursor,
        limit=limit,
        date_field="start",
        ascending=period == "upcoming",
    )


@router.get(
    "/events/{int:event_id}",
    response={200: EventDetailOut, 404: Problem},
    auth=None,
    summary="Un événement de l'agenda, avec son contenu",
)
def commune_event(request, event_id: int):
    agenda = _agenda(request)
    if agenda is None:
        raise Http404
    listed = Q(pk__in=agenda.upcoming_events().values("pk")) | Q(
        pk__in=agenda.past_events().values("pk")
    )
    event = get_object_or_404(EventPage.objects.filter(listed), pk=event_id)
    return {**_event_data(request, event), "body_html": _body_html(request, event)}
