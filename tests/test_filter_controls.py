"""Lists' filters are bars of plain links (no script, no form to submit), the chosen one
marked with aria-current: the gazette's categories and the police feed's filters."""

import re

import pytest
from django.test import Client

from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db


def _chips(html: str, label: str) -> list[tuple[str, str, bool]]:
    """(href, text, current) of each link of the filter bar named ``label``."""
    bar = re.search(rf'<nav class="chips" aria-label="{label}">(.*?)</nav>', html, re.S)
    assert bar, f"no filter bar named {label!r}"
    return [
        (href, re.sub(r"\s+", " ", text).strip(), bool(current))
        for href, current, text in re.findall(
            r'<a class="chip" href="([^"]*)"( aria-current="page")?>(.*?)</a>', bar.group(1), re.S
        )
    ]


@pytest.fixture
def member(sign_in, jeanne_resident):
    return sign_in(Client(headers={"host": CADAUJAC_HOST}), jeanne_resident)


def test_the_gazette_filters_by_category_with_links_and_marks_the_chosen_one(member):
    html = member.get("/gazette/?categorie=loan").content.decode()

    chips = _chips(html, "Filtrer la gazette par catégorie")
    assert chips[0] == ("/gazette/", "Toutes", False)
    assert ("?categorie=loan", "Prêt d&#x27;objet", True) in chips
    assert [text for _href, text, current in chips if current] == ["Prêt d&#x27;objet"]
    assert ("?categorie=mairie", "Communication de la mairie", False) in chips
    assert "<select" not in html


def test_without_a_category_the_gazette_marks_all(member):
    chips = _chips(member.get("/gazette/").content.decode(), "Filtrer la gazette par catégorie")
    assert [text for _href, text, current in chips if current] == ["Toutes"]


def test_an_unknown_category_shows_everything_and_marks_all(member):
    html = member.get("/gazette/?categorie=inconnue").content.decode()
    chips = _chips(html, "Filtrer la gazette par catégorie")
    assert [text for _href, text, current in chips if current] == ["Toutes"]


def test_the_police_feed_filters_are_links_with_the_chosen_one_marked(sign_in, make_user, cadaujac):
    police = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=police, commune=cadaujac, role=StaffRole.POLICE)
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), police)

    everything = _chips(client.get("/alertes/police/").content.decode(), "Filtrer les alertes")
    to_take = _chips(
        client.get("/alertes/police/?filtre=a-prendre").content.decode(), "Filtrer les alertes"
    )

    assert everything == [
        ("/alertes/police/", "Toutes", True),
        ("?filtre=a-prendre", "Non prises en charge", False),
    ]
    assert to_take == [
        ("/alertes/police/", "Toutes", False),
        ("?filtre=a-prendre", "Non prises en charge", True),
    ]


def test_the_police_feed_links_to_the_polices_dashboard(sign_in, make_user, cadaujac):
    police = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=police, commune=cadaujac, role=StaffRole.POLICE)
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), police)

    html = client.get("/alertes/police/").content.decode()

    assert '<a href="/tableau-de-bord/police/">' in html
    assert client.get("/tableau-de-bord/police/").status_code == 200
