"""Each host name serves its own commune; unknown hosts get the platform's site, never a commune."""

import pytest

pytestmark = pytest.mark.django_db


def get(client, host, path="/"):
    return client.get(path, headers={"host": host})


def test_each_commune_home_shows_its_own_content_only(client, demo):
    cadaujac = get(client, "cadaujac.localhost:8000").content.decode()
    didenheim = get(client, "didenheim.localhost:8000").content.decode()

    assert "Bienvenue à Cadaujac" in cadaujac
    assert "Mairie de Cadaujac" in cadaujac
    assert "Didenheim" not in cadaujac
    assert "Bienvenue à Didenheim" in didenheim
    assert "Cadaujac" not in didenheim


def test_commune_home_lists_latest_announcements_and_upcoming_events(client, demo):
    html = get(client, "cadaujac.localhost").content.decode()

    assert "Travaux de voirie route de Bordeaux" in html
    assert "Réunion publique Voisins vigilants et solidaires" in html
    # Past events are not "upcoming".
    assert "Fête des voisins" not in html


def test_emergency_notice_is_on_every_page(client, demo):
    for path in ["/", "/actualites/", "/agenda/", "/contacts/"]:
        response = get(client, "cadaujac.localhost", path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert "Danger immédiat : composez le" in html
        assert 'href="tel:17"' in html
        assert 'href="tel:112"' in html


@pytest.mark.parametrize("host", ["unknown.localhost", "127.0.0.1:8000", "localhost"])
def test_unknown_host_gets_the_platform_site_listing_communes(client, demo, host):
    html = get(client, host).content.decode()

    assert "Les communes du réseau" in html
    assert "Cadaujac" in html
    assert "Didenheim" in html
    assert "Bienvenue à" not in html


def test_another_communes_page_path_is_not_found_on_this_host(client, demo):
    # The announcement exists in both communes under the same path: each host serves its own.
    assert get(client, "didenheim.localhost", "/contacts/").status_code == 200
    response = get(client, "cadaujac.localhost", "/voisins-vigilants/")
    assert "de Cadaujac" in response.content.decode()
    assert "de Didenheim" not in response.content.decode()


def test_english_version_of_translated_pages(client, demo):
    html = get(client, "cadaujac.localhost", "/en/").content.decode()

    assert '<html lang="en">' in html
    assert "Welcome to Cadaujac" in html
    assert (
        'Immediate danger: dial <a class="tel-link" href="tel:17">17</a> '
        '(or <a class="tel-link" href="tel:112">112</a>).'
    ) in html


def test_language_switcher_links_to_the_translation_of_the_page(client, demo):
    html = get(client, "cadaujac.localhost", "/agenda/reunion-voisins-vigilants/").content.decode()

    assert 'href="/en/agenda/reunion-voisins-vigilants/" hreflang="en"' in html


def test_untranslated_page_offers_the_english_home_page(client, demo):
    html = get(client, "cadaujac.localhost", "/contacts/").content.decode()

    assert 'href="/en/" hreflang="en"' in html
