"""The PWA: each commune's site is installable under its own name and colour, and its
service worker, served from the root, shows pushed alerts and opens them."""

import json

from django.contrib.staticfiles import finders

from notifications.push_keys import vapid_keys_generate
from tests.conftest import CADAUJAC_HOST
from tests.fakes.push_server import BrowserSubscription


def test_manifest_on_a_commune_site_carries_its_name_and_colour(client, cadaujac):
    cadaujac.primary_colour = "#6b2c91"
    cadaujac.save()

    response = client.get("/manifest.webmanifest", HTTP_HOST=CADAUJAC_HOST)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Cadaujac"
    assert manifest["theme_color"] == "#6b2c91"
    assert manifest["start_url"] == "/mon-quartier/"  # the member's community
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "fr"


def test_manifest_icons_exist(client, cadaujac):
    manifest = client.get("/manifest.webmanifest", HTTP_HOST=CADAUJAC_HOST).json()

    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        # The commune's own icons, drawn for its site.
        response = client.get(icon["src"], HTTP_HOST=CADAUJAC_HOST)
        assert response.status_code == 200, icon["src"]
        assert response["Content-Type"] == icon["type"]


def test_the_platform_sites_manifest_icons_are_static_files(client, cadaujac):
    manifest = client.get("/manifest.webmanifest").json()

    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_manifest_of_the_platform_site_is_voisinage(client, cadaujac):
    manifest = client.get("/manifest.webmanifest").json()

    assert manifest["name"] == "Voisinage"
    assert manifest["theme_color"] == "#1d4e89"


def test_service_worker_is_served_from_the_root_for_the_whole_site(client, cadaujac):
    response = client.get("/service-worker.js", HTTP_HOST=CADAUJAC_HOST)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert "showNotification" in script
    assert 'addEventListener("notificationclick"' in script
    assert "openWindow" in script


def test_every_page_links_the_manifest_and_the_communes_colour(client, cadaujac):
    page = client.get("/", HTTP_HOST=CADAUJAC_HOST).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert f'<meta name="theme-color" content="{cadaujac.primary_colour}">' in page
    assert "js/push.js" in page
    assert 'name="csrf-token"' not in page  # anonymous pages stay cacheable
    assert "data-signed-in" not in page


def test_signed_in_pages_carry_what_the_push_script_needs(client, sign_in, paul_neighbour):
    sign_in(client, paul_neighbour)

    page = client.get("/", HTTP_HOST=CADAUJAC_HOST).content.decode()

    assert 'name="csrf-token"' in page
    assert "data-signed-in" in page
    assert "data-push-known" not in page  # the script re-sends this browser's subscription


def test_once_the_browser_is_known_pages_stop_resending_it(
    client, sign_in, paul_neighbour, settings
):
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys_generate()
    sign_in(client, paul_neighbour)
    device = BrowserSubscription(
        endpoint="https://updates.push.services.mozilla.com/wpush/v2/known"
    )
    client.post("/api/v1/push/subscriptions/", device.to_json(), content_type="application/json")

    page = client.get("/", HTTP_HOST=CADAUJAC_HOST).content.decode()

    assert "data-push-known" in page
