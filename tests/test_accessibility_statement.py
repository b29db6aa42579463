"""Every site publishes its accessibility statement (RGAA), linked from every footer."""

import pytest
from django.test import Client

from tests.conftest import CADAUJAC_HOST

STATEMENT_LINK = 'href="/accessibilite/"'


@pytest.fixture
def mairie_contact(cadaujac):
    cadaujac.email = "accueil@mairie-cadaujac.test"
    cadaujac.phone = "05 56 30 00 00"
    cadaujac.address = "Place de la Mairie\n33140 Cadaujac"
    cadaujac.save()
    return cadaujac


def assert_footer_links_the_statement(response, path):
    assert response.status_code == 200, path
    html = response.content.decode()
    footer = html[html.index("<footer") :]
    assert STATEMENT_LINK in footer, path
    assert "Accessibilité : non conforme" in footer, path


def test_commune_home_footer_links_the_statement(cadaujac):
    assert_footer_links_the_statement(Client(headers={"host": CADAUJAC_HOST}).get("/"), "/")


def test_platform_home_footer_links_the_statement(cadaujac):
    assert_footer_links_the_statement(Client().get("/"), "/")


def test_member_page_footer_links_the_statement(jeanne_resident, sign_in):
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), jeanne_resident)

    assert_footer_links_the_statement(client.get("/alertes/"), "/alertes/")


def test_commune_statement_gives_its_state_measures_contact_and_remedies(mairie_contact):
    response = Client(headers={"host": CADAUJAC_HOST}).get("/accessibilite/")

    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "<h1>Déclaration d'accessibilité</h1>" in html
    assert "La mairie de Cadaujac s'engage" in html
    assert "<strong>non conforme</strong>" in html
    assert "RGAA), version 4.1.2" in html
    assert "axe-core" in html
    assert "<code>/alertes/</code>" in html  # the pages checked are listed
    assert 'href="mailto:accueil@mairie-cadaujac.test"' in html
    assert "05 56 30 00 00" in html
    assert "Défenseur des droits" in html
    assert "Libre réponse 71120" in html


def test_platform_statement_sends_to_each_communes_mairie(mairie_contact, didenheim):
    response = Client().get("/accessibilite/")

    assert response.status_code == 200
    html = response.content.decode().replace("&#x27;", "'")
    assert "La plateforme Voisinage s'engage" in html
    assert "http://cadaujac.localhost/accessibilite/" in html
    assert "Mairie de Didenheim" in html
    assert 'href="mailto:accueil@mairie-cadaujac.test"' in html


def test_statement_has_an_english_address(cadaujac):
    response = Client(headers={"host": CADAUJAC_HOST}).get("/en/accessibilite/")

    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
