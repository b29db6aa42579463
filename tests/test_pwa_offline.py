"""The installable site offline: a member's phone keeps their last alerts and gazette lists
(and nothing else) to read without network, the alert form offline says to call 17 or to
text the relay number, a new service worker takes over cleanly, and signing out leaves
nothing of the member on the device."""

import pytest
from django.utils.html import escapejs

from notifications.offline_copy import OFFLINE_COPY_HEADER
from notifications.views import _service_worker_version
from tests.conftest import CADAUJAC_HOST

LISTS = ["/alertes/", "/gazette/"]


def _get(client, path):
    return client.get(path, HTTP_HOST=CADAUJAC_HOST)


# --- What a phone may keep ------------------------------------------------------------------


@pytest.mark.parametrize("path", LISTS)
def test_a_members_own_lists_may_be_kept_on_their_phone(client, sign_in, jeanne_resident, path):
    sign_in(client, jeanne_resident)

    response = _get(client, path)

    assert response.status_code == 200
    assert response[OFFLINE_COPY_HEADER] == "member-list"


@pytest.mark.parametrize(
    "person",
    [
        "anonymous",
        "administrator",
        "moderator",
        "broadcaster",
        "editor",
        "police",
        "other administrator",
        "other police",
        "platform",
    ],
)
@pytest.mark.parametrize("path", LISTS)
def test_no_one_but_a_member_of_the_commune_gets_a_copy_kept(
    client, sign_in, staff_everywhere, person, path
):
    user = staff_everywhere[person]
    if user is not None:
        sign_in(client, user)

    response = _get(client, path)

    assert OFFLINE_COPY_HEADER not in response


@pytest.mark.parametrize("path", LISTS)
def test_a_member_of_another_commune_gets_no_copy_kept(client, sign_in, dieter_didenheim, path):
    sign_in(client, dieter_didenheim)

    assert OFFLINE_COPY_HEADER not in _get(client, path)


@pytest.mark.parametrize("path", LISTS)
def test_a_pending_member_gets_no_copy_kept(client, sign_in, pierre_pending, path):
    sign_in(client, pierre_pending)

    assert OFFLINE_COPY_HEADER not in _get(client, path)


@pytest.mark.parametrize("path", ["/alertes/?page=2", "/gazette/?categorie=loan"])
def test_only_the_first_page_of_a_list_is_kept(client, sign_in, jeanne_resident, path):
    sign_in(client, jeanne_resident)

    assert OFFLINE_COPY_HEADER not in _get(client, path)


@pytest.mark.parametrize(
    "path", ["/mon-quartier/", "/alertes/terminees/", "/alertes/nouvelle/", "/messages/"]
)
def test_no_other_member_page_is_kept(client, sign_in, jeanne_resident, path):
    sign_in(client, jeanne_resident)

    response = _get(client, path)

    assert response.status_code == 200
    assert OFFLINE_COPY_HEADER not in response


# --- The service worker -----------------------------------------------------------------------


def _worker(client):
    return _get(client, "/service-worker.js").content.decode()


def test_the_worker_keeps_only_pages_the_server_marked(client, cadaujac):
    script = _worker(client)

    assert 'addEventListener("fetch"' in script
    assert f'const OFFLINE_HEADER = "{escapejs(OFFLINE_COPY_HEADER)}"' in script
    assert "response.headers.get(OFFLINE_HEADER)" in script
    # The answer to a form goes to the network and is never put in a cache.
    assert 'request.method !== "GET"' in script
    assert '"/admin/"' in script


def test_a_new_worker_takes_over_and_drops_the_old_caches(client, cadaujac):
    script = _worker(client)

    assert "self.skipWaiting()" in script
    assert "self.clients.claim()" in script
    assert 'const SHELL_CACHE = PREFIX + VERSION + "-shell"' in script
    assert "caches.delete(name)" in script
    version = script.split('const VERSION = "', 1)[1].split('"', 1)[0]
    assert len(version) == 12


def test_the_worker_version_changes_with_its_code_and_its_files():
    shell = ["/static/css/portal.css"]
    version = _service_worker_version(source="a", shell_urls=shell)

    assert version == _service_worker_version(source="a", shell_urls=shell)
    assert version != _service_worker_version(source="b", shell_urls=shell)
    renamed = ["/static/css/portal.1a2b.css"]
    assert version != _service_worker_version(source="a", shell_urls=renamed)


def test_the_worker_knows_the_offline_pages_and_the_alert_form(client, cadaujac):
    script = _worker(client)

    assert f'const OFFLINE_PAGE = "{escapejs("/hors-connexion/")}"' in script
    assert f'const OFFLINE_ALERT_PAGE = "{escapejs("/hors-connexion/alerte/")}"' in script
    assert 'const ALERT_FORM = "/alertes/nouvelle/"' in script
    assert '"/static/js/pwa.js"' in script


# --- The offline pages ----------------------------------------------------------------------


def test_the_offline_page_links_the_kept_lists_and_carries_nothing_of_the_member(
    client, sign_in, jeanne_resident
):
    sign_in(client, jeanne_resident)

    response = _get(client, "/hors-connexion/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Hors connexion" in page
    assert 'href="/alertes/"' in page
    assert 'href="/gazette/"' in page
    # The same page for every member: stored on a phone, it names no one.
    assert "Jeanne" not in page
    assert "Se déconnecter" not in page
    assert 'data-pwa="shell"' in page
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_offline_alert_page_says_to_call_17_and_text_the_relay(client, cadaujac, settings):
    settings.SMS_RELAY_NUMBER = "+33757000111"

    page = _get(client, "/hors-connexion/alerte/").content.decode()

    assert "ne peut pas partir" in page
    assert "gardé en attente" in page
    assert '<a class="tel-link" href="tel:17">17</a>' in page
    assert 'href="sms:+33757000111"' in page


def test_without_a_relay_number_the_offline_alert_page_only_says_to_call(
    client, cadaujac, settings
):
    settings.SMS_RELAY_NUMBER = None

    page = _get(client, "/hors-connexion/alerte/").content.decode()

    assert 'href="tel:17"' in page
    assert "sms:" not in page


def test_the_alert_form_carries_the_offline_help_hidden(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    page = _get(client, "/alertes/nouvelle/").content.decode()

    assert "data-offline-alert-help hidden" in page
    assert 'href="tel:17"' in page


# --- Pages, install, sign-out -----------------------------------------------------------------


def test_member_pages_carry_the_offline_banner_and_the_install_prompt(
    client, sign_in, jeanne_resident
):
    sign_in(client, jeanne_resident)

    page = _get(client, "/alertes/").content.decode()

    assert 'data-pwa="member"' in page
    assert "data-offline-banner hidden" in page
    assert "Données du" in page
    assert "data-install-prompt hidden" in page
    assert "Installer Cadaujac sur cet appareil" in page
    assert "Plus tard" in page


def test_visitor_pages_tell_the_worker_no_one_is_signed_in(client, cadaujac):
    page = _get(client, "/").content.decode()

    assert 'data-pwa="visitor"' in page
    assert "data-offline-banner" not in page
    assert "data-install-prompt" not in page


def test_pages_can_be_installed_on_an_iphone(client, cadaujac):
    page = _get(client, "/").content.decode()

    assert '<meta name="apple-mobile-web-app-capable" content="yes">' in page
    assert '<meta name="apple-mobile-web-app-title" content="Cadaujac">' in page
    assert '<link rel="apple-touch-icon"' in page


def test_the_installed_app_opens_on_the_members_community(client, cadaujac):
    manifest = _get(client, "/manifest.webmanifest").json()

    assert manifest["start_url"] == "/mon-quartier/"
    assert manifest["scope"] == "/"
    assert [shortcut["url"] for shortcut in manifest["shortcuts"]] == [
        "/alertes/nouvelle/",
        "/alertes/",
    ]


def test_signing_out_tells_the_browser_to_clear_the_sites_cache(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    response = client.post("/accounts/logout/", HTTP_HOST=CADAUJAC_HOST)

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache"'
    assert "_auth_user_id" not in client.session


def test_the_sign_out_confirmation_clears_nothing(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    response = client.get("/accounts/logout/", HTTP_HOST=CADAUJAC_HOST)

    assert "Clear-Site-Data" not in response
