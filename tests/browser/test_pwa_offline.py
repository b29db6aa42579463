"""The installable site in Chromium: a resident signs in, the site meets the install criteria
(a valid manifest, a service worker controlling the page), the install prompt waits for the
second page and remembers "Plus tard"; offline, the last alerts and the gazette still read
with the "hors connexion" banner and the alert form says to call 17 or to text the relay;
back online, signing out empties every cache of the site on the device.
"""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from alerts.models import Alert
from demo.loader import demo_load

from .test_registration_approval import new_page, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RESIDENT = "jean-yves@cadaujac.demo.invalid"
RELAY = "+33757000111"

CACHED_PATHS = """async () => {
  const paths = [];
  for (const name of await caches.keys()) {
    for (const request of await (await caches.open(name)).keys()) {
      paths.push(new URL(request.url).pathname);
    }
  }
  return paths;
}"""

# Chromium fires this when the site may be installed, which a test cannot wait for: the
# page's script receives the same event.
OFFER_INSTALL = """() => {
  const event = new Event("beforeinstallprompt", { cancelable: true });
  event.prompt = () => {};
  event.userChoice = Promise.resolve({ outcome: "dismissed" });
  window.dispatchEvent(event);
}"""

LOGO_DRAWN = """() => {
  const logo = document.querySelector("img.brand__logo");
  return logo !== null && logo.complete && logo.naturalWidth > 0;
}"""

NO_SIDEWAYS_SCROLL = (
    "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
)


def _wait_until_kept(page, *paths):
    page.wait_for_function(
        f"""async () => {{
          const kept = await ({CACHED_PATHS})();
          return {list(paths)!r}.every((path) => kept.includes(path));
        }}"""
    )


def _no_sideways_scroll(page, where):
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate(NO_SIDEWAYS_SCROLL), f"{where} scrolls sideways at {width} px"


def test_a_resident_reads_the_last_alerts_offline_and_signs_out_clean(
    browser, commune_url, settings
):
    settings.SMS_RELAY_NUMBER = RELAY
    demo_load()
    resident = get_user_model().objects.get(email=RESIDENT)
    running = (
        Alert.objects.visible_to(resident)
        .filter(commune__name="Cadaujac")
        .active()
        .order_by("-created_at", "-pk")
        .first()
    )
    assert running is not None, "the demo has a running alert"

    context, page = new_page(browser)
    try:
        sign_in(page, commune_url, RESIDENT)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

        # The first page after signing in never offers to install.
        page.evaluate(OFFER_INSTALL)
        expect(page.locator("[data-install-prompt]")).to_be_hidden()

        # Install criteria: the manifest is linked and valid, a worker controls the page.
        page.goto(commune_url("cadaujac", "/alertes/"))
        href = page.locator('link[rel="manifest"]').get_attribute("href")
        manifest = page.evaluate("async (href) => (await fetch(href)).json()", href)
        assert manifest["name"] == "Cadaujac"
        assert manifest["display"] == "standalone"
        assert manifest["start_url"] == "/mon-quartier/"
        sizes = {icon["sizes"] for icon in manifest["icons"]}
        assert {"192x192", "512x512"} <= sizes
        assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
        page.wait_for_function("navigator.serviceWorker.controller !== null")

        # The second page offers to install; "Plus tard" is remembered.
        page.evaluate(OFFER_INSTALL)
        prompt = page.locator("[data-install-prompt]")
        expect(prompt).to_be_visible()
        expect(prompt).to_contain_text("Installer Cadaujac sur cet appareil")
        _no_sideways_scroll(page, "the install prompt")
        prompt.get_by_role("button", name="Plus tard").click()
        expect(prompt).to_be_hidden()

        # Pages the worker controls: the two lists are kept, nothing else.
        page.goto(commune_url("cadaujac", "/alertes/"))
        page.evaluate(OFFER_INSTALL)
        expect(prompt).to_be_hidden()
        page.goto(commune_url("cadaujac", "/gazette/"))
        page.goto(commune_url("cadaujac", "/messages/"))
        _wait_until_kept(page, "/alertes/", "/gazette/", "/hors-connexion/alerte/")
        kept = page.evaluate(CACHED_PATHS)
        assert "/messages/" not in kept
        assert "/mon-quartier/" not in kept

        # The alert form, open when the network goes: sending it says what to do instead,
        # and the text stays there to be copied into an SMS.
        page.goto(commune_url("cadaujac", "/alertes/nouvelle/"))
        help_ = page.locator("[data-offline-alert-help]")
        expect(help_).to_be_hidden()
        context.set_offline(True)
        page.get_by_label("Que se passe-t-il").fill("Un camion bloque la rue du Lavoir.")
        page.get_by_role("button", name="Envoyer l'alerte").click()
        expect(help_).to_be_visible()
        expect(help_).to_be_focused()
        expect(help_.locator('a[href="tel:17"]')).to_be_visible()
        expect(help_.locator(f'a[href="sms:{RELAY}"]')).to_be_visible()
        assert page.url.endswith("/alertes/nouvelle/")
        _no_sideways_scroll(page, "the alert form offline")
        expect(page.get_by_label("Que se passe-t-il")).to_have_value(
            "Un camion bloque la rue du Lavoir."
        )

        page.goto(commune_url("cadaujac", "/alertes/"))
        banner = page.locator("[data-offline-banner]")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("Hors connexion.")
        expect(banner).to_contain_text(re.compile(r"Données du \d{1,2} \S+ \d{4}"))
        expect(page.get_by_role("link", name=running.get_category_display()).first).to_be_visible()
        _no_sideways_scroll(page, "the alerts kept offline")

        page.goto(commune_url("cadaujac", "/gazette/"))
        expect(page.locator("[data-offline-banner]")).to_be_visible()

        # The alert form: nothing is queued, the member calls 17 or texts the relay.
        page.goto(commune_url("cadaujac", "/alertes/nouvelle/"))
        expect(
            page.get_by_role("heading", name=re.compile("votre alerte ne peut pas partir")).first
        ).to_be_visible()
        expect(page.locator("form.alert-form")).to_have_count(0)
        expect(page.locator('main a[href="tel:17"]')).to_be_visible()
        expect(page.locator(f'main a[href="sms:{RELAY}"]')).to_be_visible()
        _no_sideways_scroll(page, "the offline alert page")

        # A page never kept: the offline page, which links the kept lists.
        page.goto(commune_url("cadaujac", "/annuaire/"))
        expect(page.get_by_role("heading", name="Hors connexion")).to_be_visible()
        expect(page.get_by_role("link", name="Les dernières alertes")).to_be_visible()
        # The commune's logo was kept with the shell: the header draws whole.
        assert page.evaluate(LOGO_DRAWN), "the commune's logo is missing offline"

        context.set_offline(False)

        page.goto(commune_url("cadaujac", "/alertes/"))
        expect(page.locator("[data-offline-banner]")).to_be_hidden()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        page.wait_for_function("async () => (await caches.keys()).length === 0")
        assert page.evaluate("caches.keys()") == []
    finally:
        context.close()
