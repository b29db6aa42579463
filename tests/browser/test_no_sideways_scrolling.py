"""On a phone (360 and 390 px wide) no page of the main navigation scrolls sideways, for a
visitor and for a signed-in resident, with the header's menu closed and open.

"The main navigation" is read from the page itself: every link of the header (the commune's
menu, the member's pages, the account links) and of the footer, plus the pages one step
further that residents use most (the alert form, an alert, a gazette post, a conversation,
a neighbour's profile, the registration form).
"""

from urllib.parse import urlsplit

import pytest

from demo.content import DEMO_PASSWORD
from demo.loader import demo_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTHS = (360, 390)
RESIDENT = "jean-yves@cadaujac.demo.invalid"
VISITOR_EXTRA = ["/accounts/signup/", "/accounts/login/", "/recherche/?q=voisins"]
RESIDENT_EXTRA = ["/mon-quartier/", "/alertes/nouvelle/", "/publier/", "/gazette/?categorie=event"]
# One of each of these, found on the listed page: the first link whose path starts so.
RESIDENT_FIRST_OF = [
    ("/alertes/", "/alertes/"),
    ("/gazette/", "/gazette/"),
    ("/messages/", "/messages/"),
    ("/annuaire/", "/annuaire/"),
]

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((element) => element.getBoundingClientRect().right > width + 0.5)
    .slice(0, 3)
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`);
  return { scroll: document.documentElement.scrollWidth, width, wide };
}"""


def _sign_in(page, commune_url):
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(RESIDENT)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.locator("main").get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _same_site_paths(page, selector: str) -> list[str]:
    here = urlsplit(page.url).netloc
    hrefs = page.eval_on_selector_all(selector, "links => links.map((link) => link.href)")
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.netloc == here:
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            if path not in paths:
                paths.append(path)
    return paths


def _first_link_under(page, prefix: str) -> str | None:
    for path in _same_site_paths(page, "main a[href]"):
        rest = path.removeprefix(prefix)
        if path.startswith(prefix) and rest.strip("/") and "nouvelle" not in rest:
            return path
    return None


def _pages_to_check(page, commune_url, signed_in: bool) -> list[str]:
    page.goto(commune_url("cadaujac", "/"))
    paths = _same_site_paths(page, "header a[href], footer a[href]")
    paths += VISITOR_EXTRA if not signed_in else RESIDENT_EXTRA
    if signed_in:
        for listing, prefix in RESIDENT_FIRST_OF:
            page.goto(commune_url("cadaujac", listing))
            found = _first_link_under(page, prefix)
            assert found, f"no link under {prefix} on {listing}"
            paths.append(found)
    return list(dict.fromkeys(paths))


def _overflows(page) -> dict:
    measure = page.evaluate(OVERFLOW)
    return measure if measure["scroll"] > measure["width"] else {}


@pytest.mark.parametrize("signed_in", [False, True], ids=["visitor", "resident"])
def test_no_page_of_the_main_navigation_scrolls_sideways_on_a_phone(
    browser, commune_url, live_server, signed_in
):
    demo_load()
    problems, checked = {}, 0
    for width in WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 740}, locale="fr-FR")
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if signed_in:
                _sign_in(page, commune_url)
            paths = _pages_to_check(page, commune_url, signed_in)
            assert len(paths) >= 8, paths
            for path in paths:
                response = page.goto(commune_url("cadaujac", path))
                assert response.status == 200, path
                if signed_in:
                    assert "/accounts/login/" not in page.url, path
                checked += 1
                if found := _overflows(page):
                    problems[f"{width}px {path}"] = found
                toggle = page.get_by_role("button", name="Menu")
                assert toggle.is_visible(), f"no menu button at {width}px on {path}"
                toggle.click()
                assert toggle.get_attribute("aria-expanded") == "true"
                if found := _overflows(page):
                    problems[f"{width}px {path} (menu open)"] = found
            for site in ("didenheim", "platform"):
                target = f"{live_server.url}/" if site == "platform" else commune_url(site, "/")
                page.goto(target)
                checked += 1
                if found := _overflows(page):
                    problems[f"{width}px {target}"] = found
        finally:
            context.close()

    print(f"{checked} pages checked at {WIDTHS} px, signed in: {signed_in}")
    assert problems == {}


def test_the_menu_button_opens_and_closes_the_header_panel(page, commune_url):
    demo_load()
    page.set_viewport_size({"width": 390, "height": 740})
    _sign_in(page, commune_url)
    page.goto(commune_url("cadaujac", "/alertes/"))

    toggle = page.get_by_role("button", name="Menu")
    panel = page.locator("#" + toggle.get_attribute("aria-controls"))
    account = page.get_by_role("navigation", name="Mon compte")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not panel.is_visible()

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert account.get_by_role("button", name="Se déconnecter").is_visible()
    assert account.get_by_role("link", name="Mon compte").is_visible()
    members = page.get_by_role("navigation", name="Espace membres")
    assert members.is_visible()
    assert members.get_by_role("link", name="Alertes").get_attribute("aria-current") == "true"
    assert page.get_by_role("navigation", name="Menu principal").is_visible()
    assert page.get_by_label("Rechercher sur le site").is_visible()

    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not panel.is_visible()
    assert page.evaluate("document.activeElement.getAttribute('aria-controls')") == (
        "site-header-panel"
    )

    # On a desktop the panel is always shown and the button is not.
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not toggle.is_visible()
    assert panel.is_visible()
    assert account.get_by_role("button", name="Se déconnecter").is_visible()
    # members.css (loaded here) once made the search button white on white.
    colours = page.get_by_role("button", name="Rechercher", exact=True).evaluate(
        "(button) => [getComputedStyle(button).color, getComputedStyle(button).backgroundColor]"
    )
    assert colours == ["rgb(29, 78, 137)", "rgb(255, 255, 255)"], colours
