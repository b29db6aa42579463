"""`make screenshots`: the main pages of Cadaujac's demo site, as a phone (390 px) and a
desktop (1280 px) show them, saved as PNG files into var/screenshots/ (git-ignored).

Not a test of the suite (its file name does not start with ``test_``): run explicitly by
pytest, it reuses the browser tests' live server, Chromium and the demo data, on the test
database, so it needs nothing running and changes no development database.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services import totp_authenticator_ensure
from demo.content import DEMO_PASSWORD
from demo.loader import demo_load
from tests.browser.test_registration_approval import TOTP_SECRET, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

OUTPUT = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = {390: 844, 1280: 800}
RESIDENT = "jean-yves@cadaujac.demo.invalid"
STAFF = "mairie@cadaujac.demo.invalid"
TALLEST = """() => Math.max(...[...document.querySelectorAll("body, body *")]
  .map((element) => element.scrollHeight))"""
# (file name, who looks, path; None: the first alert of the list)
PAGES = [
    ("home", None, "/"),
    ("community", RESIDENT, "/mon-quartier/"),
    ("alerts", RESIDENT, "/alertes/"),
    ("alert", RESIDENT, None),
    ("gazette", RESIDENT, "/gazette/"),
    ("directory", RESIDENT, "/annuaire/"),
    ("messages", RESIDENT, "/messages/"),
    ("admin-dashboard", STAFF, "/admin/"),
]


def _signed_in_state(browser, commune_url, email) -> dict:
    """The cookies of a finished sign-in (with the TOTP step for staff), for any width."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    if "/accounts/2fa/authenticate/" in page.url:
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
    state = context.storage_state()
    context.close()
    return state


def _first_alert(page, commune_url) -> str:
    page.goto(commune_url("cadaujac", "/alertes/"))
    link = page.locator("main a[href*='/alertes/']").filter(has_not_text="Lancer une alerte")
    for href in link.evaluate_all("links => links.map((link) => link.getAttribute('href'))"):
        if href.rstrip("/").rsplit("/", 1)[-1].isdigit():
            return href
    raise AssertionError("the demo has no alert in the list")


def test_screenshots_of_the_main_pages(browser, commune_url):
    demo_load()
    totp_authenticator_ensure(user=get_user_model().objects.get(email=STAFF), secret=TOTP_SECRET)
    states = {None: None}
    states[RESIDENT] = _signed_in_state(browser, commune_url, RESIDENT)
    states[STAFF] = _signed_in_state(browser, commune_url, STAFF)
    OUTPUT.mkdir(parents=True, exist_ok=True)

    saved = []
    for width, height in WIDTHS.items():
        contexts = {
            who: browser.new_context(
                locale="fr-FR",
                viewport={"width": width, "height": height},
                is_mobile=width < 600,
                storage_state=state,
            )
            for who, state in states.items()
        }
        try:
            for name, who, path in PAGES:
                page = contexts[who].new_page()
                page.set_default_timeout(15_000)
                target = path or _first_alert(page, commune_url)
                response = page.goto(commune_url("cadaujac", target))
                assert response.ok, (name, target, response.status)
                page.wait_for_load_state("networkidle")
                # Wagtail's admin scrolls inside its own panel, not the document: grow the
                # window to the tallest scrolling content so the whole page is in the picture.
                tallest = page.evaluate(TALLEST)
                if tallest > height:
                    page.set_viewport_size({"width": width, "height": min(tallest, 8000)})
                file = OUTPUT / f"{name}-{width}.png"
                page.screenshot(path=str(file), full_page=True, animations="disabled")
                saved.append(file)
                page.close()
        finally:
            for context in contexts.values():
                context.close()
    print("\n".join(["", f"{len(saved)} screenshots in {OUTPUT}:", *map(str, saved)]))
