"""The commune's map in Chromium: the demo's boundaries drawn with no tile server, a
resident's new alert appearing on it without a reload, and a boundary drawn in the admin
saved as GeoJSON.

axe-core finds no serious violation in the map's section. Screenshots at 390 and 1280 px
are written to ``DASHBOARD_SHOTS`` when that is set.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from shapely.geometry import shape

from accounts.services import totp_authenticator_ensure
from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import Community
from demo.loader import demo_load

from .test_csp_pages import PolicyWatch
from .test_dashboard import _shot
from .test_no_sideways_scrolling import OVERFLOW
from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAFF = "mairie@cadaujac.demo.invalid"
RESIDENT = "jean-yves@cadaujac.demo.invalid"
BOUNDARIES = ".commune-map path.commune-map__boundary"


def _staff_page(browser, commune_url):
    staff = get_user_model().objects.get(email=STAFF)
    totp_authenticator_ensure(user=staff, secret=TOTP_SECRET)
    context, page = new_page(browser)
    sign_in(page, commune_url, STAFF)
    page.wait_for_url("**/accounts/2fa/authenticate/")
    page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return context, page


def _map_violations(page) -> list[str]:
    """Serious or critical axe-core violations (WCAG 2.1 AA) in the map's section."""
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(page, context=".commune-map", options=options).response["violations"]
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in violations
        if violation["impact"] in ("serious", "critical")
    ]


def _marker_count(page, community_id) -> int:
    return page.evaluate(
        """id => {
            const marker = document.querySelector(`.commune-map__marker[data-community="${id}"]`);
            return marker ? Number(marker.textContent) : 0;
        }""",
        str(community_id),
    )


def test_the_map_draws_the_boundaries_and_a_new_alert_without_reload(browser, commune_url):
    demo_load()
    resident = get_user_model().objects.get(email=RESIDENT)
    community = Community.objects.get(memberships__user=resident)
    context, page = _staff_page(browser, commune_url)
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(commune_url("cadaujac", "/admin/tableau-de-bord/"))
        page.wait_for_selector(".commune-map[data-map-loaded]")
        # Cadaujac's four communities, on a plain background: no tile server configured.
        assert page.locator(BOUNDARIES).count() == 4
        assert page.locator(".leaflet-tile").count() == 0
        assert page.get_by_role("heading", name="Carte de la commune").is_visible()
        row = page.locator(f'[data-map-rows] tr[data-community="{community.pk}"]')
        assert row.locator("th").inner_text() == community.name
        before = _marker_count(page, community.pk)

        alert_post(
            author=resident,
            category=AlertCategory.BURGLARY,
            text="Deux hommes essaient les poignées des portails rue du Lavoir.",
        )
        page.wait_for_function(
            """([id, n]) => {
                const selector = `.commune-map__marker[data-community="${id}"]`;
                const marker = document.querySelector(selector);
                return marker && Number(marker.textContent) > n;
            }""",
            arg=[str(community.pk), before],
            timeout=20_000,
        )
        assert _marker_count(page, community.pk) == before + 1
        assert _map_violations(page) == []

        # The marker is reached with the keyboard and tells what it holds.
        marker = page.locator(f'.commune-map__marker[data-community="{community.pk}"]')
        marker.focus()
        page.keyboard.press("Enter")
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert "Tentative de cambriolage" in popup.inner_text()
        page.keyboard.press("Escape")

        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(commune_url("cadaujac", "/admin/tableau-de-bord/"))
            page.wait_for_selector(".commune-map[data-map-loaded]")
            overflow = page.evaluate(OVERFLOW)
            assert overflow["scroll"] <= overflow["width"], overflow
            _shot(page, f"map-{width}")
    finally:
        context.close()


def test_staff_draw_a_boundary_in_the_admin(browser, commune_url):
    demo_load()
    community = Community.objects.create(
        commune=Community.objects.get(name="Centre-bourg").commune,
        name="Le Lavoir",
        slug="le-lavoir",
    )
    context, page = _staff_page(browser, commune_url)
    try:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(commune_url("cadaujac", f"/admin/communautes/edit/{community.pk}/"))
        canvas = page.locator("[data-boundary-map]")
        canvas.scroll_into_view_if_needed()
        # The commune's other communities are drawn for reference.
        page.wait_for_selector("[data-boundary-map] path.boundary-editor__context")
        page.get_by_role("link", name="Tracer le périmètre").click()
        box = canvas.bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        corners = [(x - 60, y - 40), (x + 60, y - 40), (x + 60, y + 40), (x - 60, y + 40)]
        for cx, cy in corners:
            page.mouse.click(cx, cy)
            page.wait_for_timeout(150)
        page.mouse.click(*corners[0])  # closes the polygon
        textarea = page.locator("#id_boundary")
        page.wait_for_function(
            "() => document.querySelector('#id_boundary').value.includes('Polygon')"
        )
        assert '"type":"Polygon"' in textarea.input_value()
        _shot(page, "boundary-editor-1280")
        page.get_by_role("button", name="Enregistrer").first.click()
        page.wait_for_url(lambda url: "/edit/" not in url)

        community.refresh_from_db()
        polygon = shape(community.boundary)
        assert community.boundary["type"] == "Polygon"
        assert polygon.is_valid
        assert len(community.boundary["coordinates"][0]) == 5  # four corners, closed
    finally:
        context.close()


def test_the_police_sees_the_running_alerts_on_its_map_under_the_strict_policy(
    browser, commune_url
):
    demo_load()
    police = get_user_model().objects.get(email="police@cadaujac.demo.invalid")
    totp_authenticator_ensure(user=police, secret=TOTP_SECRET)
    resident = get_user_model().objects.get(email=RESIDENT)
    community = Community.objects.get(memberships__user=resident)
    alert_post(
        author=resident,
        category=AlertCategory.BURGLARY,
        text="Deux hommes essaient les poignées des portails rue du Lavoir.",
    )
    context, page = new_page(browser)
    watch = PolicyWatch(context)
    try:
        sign_in(page, commune_url, police.email)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(commune_url("cadaujac", "/tableau-de-bord/police/"))
            page.wait_for_selector(".commune-map[data-map-loaded]")
            assert page.locator(BOUNDARIES).count() == 4
            assert _marker_count(page, community.pk) >= 1
            assert _map_violations(page) == []
            overflow = page.evaluate(OVERFLOW)
            assert overflow["scroll"] <= overflow["width"], overflow
            _shot(page, f"police-map-{width}")
        watch.assert_none(page, "the police's dashboard")
    finally:
        context.close()
