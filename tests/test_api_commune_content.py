"""The commune's public content over the API: its pages, the mairie's announcements and its
agenda, without signing in, on the commune's own host only; exactly what its site lists
(nothing restricted, unpublished, expired or of another commune), by cursor, with ``ETag``,
in a fixed number of queries."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from mairie_pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    EventIndexPage,
    EventPage,
    StandardPage,
)
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

PAGES = "/api/v1/commune/pages/"
ANNOUNCEMENTS = "/api/v1/commune/announcements/"
EVENTS = "/api/v1/commune/events/"
PARAGRAPH = "Le marché a lieu chaque samedi matin sur la place de la mairie."


def _body():
    return json.dumps([{"type": "paragraph", "value": f"<p>{PARAGRAPH}</p>"}])


def announce(commune, slug, title, **fields):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(title=title, slug=slug, summary=f"{title} : les détails.")
    )
    AnnouncementPage.objects.filter(pk=page.pk).update(
        first_published_at=timezone.now() - timedelta(days=1), **fields
    )
    page.refresh_from_db()
    return page


def event(commune, slug, title, *, in_days):
    agenda = EventIndexPage.objects.child_of(commune.site.root_page).get()
    return agenda.add_child(
        instance=EventPage(
            title=title,
            slug=slug,
            start=timezone.now() + timedelta(days=in_days),
            location="Salle des fêtes",
            summary=f"{title} : venez nombreux.",
        )
    )


def page(commune, slug, title, **fields):
    return commune.site.root_page.add_child(
        instance=StandardPage(title=title, slug=slug, intro=f"{title}, en bref.", **fields)
    )


@pytest.fixture
def content(cadaujac, didenheim):
    restricted_page = page(cadaujac, "elus", "Espace des élus")
    PageViewRestriction.objects.create(
        page=restricted_page, restriction_type=PageViewRestriction.LOGIN
    )
    draft = page(cadaujac, "brouillon", "Page en préparation")
    draft.unpublish()
    restricted = announce(cadaujac, "reservee", "Annonce réservée aux élus")
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    return {
        "pages": [
            page(cadaujac, "marche", "Le marché", body=_body()),
            page(cadaujac, "dechets", "Collecte des déchets"),
        ],
        "announcements": [
            announce(cadaujac, "travaux", "Travaux rue du Port", date=timezone.localdate()),
            announce(
                cadaujac,
                "fete",
                "Fête de la musique",
                date=timezone.localdate() - timedelta(days=3),
                expire_at=timezone.now() + timedelta(days=1),
            ),
        ],
        "upcoming": [
            event(cadaujac, "loto", "Loto des écoles", in_days=2),
            event(cadaujac, "vide-grenier", "Vide-grenier", in_days=9),
        ],
        "past": [event(cadaujac, "voeux", "Vœux du maire", in_days=-20)],
        "hidden": [
            restricted_page,
            draft,
            restricted,
            announce(
                cadaujac,
                "perimee",
                "Annonce périmée",
                expire_at=timezone.now() - timedelta(hours=1),
            ),
            announce(didenheim, "village", "Fête du village de Didenheim"),
            event(didenheim, "bal", "Bal de Didenheim", in_days=3),
            page(didenheim, "mairie", "Mairie de Didenheim"),
        ],
    }


@pytest.fixture
def anonymous():
    return Client(HTTP_HOST=CADAUJAC_HOST)


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_anyone_reads_the_communes_public_content_and_nothing_else(anonymous, content):
    assert _ids(anonymous.get(PAGES)) == [p.pk for p in content["pages"]]
    assert _ids(anonymous.get(ANNOUNCEMENTS)) == [a.pk for a in content["announcements"]]
    assert _ids(anonymous.get(EVENTS)) == [e.pk for e in content["upcoming"]]
    assert _ids(anonymous.get(EVENTS, {"period": "past"})) == [e.pk for e in content["past"]]
    for hidden in content["hidden"]:
        kind = {StandardPage: PAGES, AnnouncementPage: ANNOUNCEMENTS, EventPage: EVENTS}[
            type(hidden.specific)
        ]
        # As a page that does not exist: nothing says it is there.
        missing = anonymous.get(f"{kind}999999")
        response = anonymous.get(f"{kind}{hidden.pk}")
        assert response.status_code == missing.status_code == 404, hidden.title
        assert response.json() == missing.json()


def test_a_page_comes_with_its_content_rendered(anonymous, content):
    marche = content["pages"][0]

    answer = anonymous.get(f"{PAGES}{marche.pk}").json()

    assert answer["title"] == "Le marché"
    assert answer["intro"] == "Le marché, en bref."
    assert answer["url"] == "/marche/"
    assert PARAGRAPH in answer["body_html"]
    assert anonymous.get(answer["url"]).status_code == 200


def test_an_event_links_to_its_calendar_file(anonymous, content):
    loto = content["upcoming"][0]

    answer = anonymous.get(f"{EVENTS}{loto.pk}").json()

    assert answer["location"] == "Salle des fêtes"
    ics = anonymous.get(answer["ics_url"])
    assert ics.status_code == 200
    assert ics["Content-Type"].startswith("text/calendar")


@pytest.mark.parametrize("path", [PAGES, ANNOUNCEMENTS, EVENTS, f"{PAGES}1"])
def test_only_on_a_communes_host(content, path):
    response = Client().get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_the_agenda_pages_by_cursor_soonest_first(anonymous, cadaujac):
    made = [event(cadaujac, f"atelier-{n}", f"Atelier {n}", in_days=n + 1) for n in range(5)]

    first = anonymous.get(EVENTS, {"limit": 2}).json()
    second = anonymous.get(EVENTS, {"limit": 2, "cursor": first["page"]["next_cursor"]}).json()
    third = anonymous.get(EVENTS, {"limit": 2, "cursor": second["page"]["next_cursor"]}).json()

    ids = [item["id"] for answer in (first, second, third) for item in answer["items"]]
    assert ids == [e.pk for e in made]
    assert third["page"]["next_cursor"] is None


def test_announcements_page_by_cursor_by_their_date(anonymous, cadaujac):
    today = timezone.localdate()
    made = [
        announce(cadaujac, f"annonce-{n}", f"Annonce {n}", date=today - timedelta(days=n // 2))
        for n in range(5)
    ]

    first = anonymous.get(ANNOUNCEMENTS, {"limit": 3}).json()
    second = anonymous.get(ANNOUNCEMENTS, {"limit": 3, "cursor": first["page"]["next_cursor"]})

    ids = [item["id"] for item in first["items"]] + _ids(second)
    expected = sorted(made, key=lambda a: (a.date, a.pk), reverse=True)
    assert ids == [a.pk for a in expected]


def test_an_app_that_polls_gets_304_until_an_announcement_arrives(anonymous, cadaujac):
    announce(cadaujac, "premiere", "Première annonce")
    first = anonymous.get(ANNOUNCEMENTS)
    etag = first["ETag"]

    unchanged = anonymous.get(ANNOUNCEMENTS, HTTP_IF_NONE_MATCH=etag)
    announce(cadaujac, "seconde", "Seconde annonce")
    changed = anonymous.get(ANNOUNCEMENTS, HTTP_IF_NONE_MATCH=etag)

    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_each_list_costs_the_same_queries_for_two_items_or_twelve(anonymous, cadaujac):
    def add(start, count):
        for n in range(start, start + count):
            page(cadaujac, f"page-{n}", f"Page {n}")
            announce(cadaujac, f"annonce-{n}", f"Annonce {n}")
            event(cadaujac, f"evenement-{n}", f"Événement {n}", in_days=n + 1)

    add(0, 2)
    anonymous.get(PAGES)  # the site's root paths, cached for every later request
    few = {path: _queries(anonymous, path) for path in (PAGES, ANNOUNCEMENTS, EVENTS)}
    add(2, 10)
    many = {path: _queries(anonymous, path) for path in (PAGES, ANNOUNCEMENTS, EVENTS)}

    assert many == few
    assert len(anonymous.get(PAGES).json()["items"]) == 12
