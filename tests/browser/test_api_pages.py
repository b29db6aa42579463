"""The API's docs and the member's connected apps, in Chromium under the site's policy.

The docs (Swagger UI, served from our own static files) render with no refusal by the
Content-Security-Policy; *Mon compte → Appareils connectés* reads on a phone without sideways
scrolling, and its button signs a device out.
"""

import os

import pytest
from django.test import Client
from django.utils import timezone

from api.models import AppSession
from tests.conftest import CADAUJAC_HOST

from .test_csp_pages import PolicyWatch

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")
PHONE_APP = "VoisinageApp/1.0 (Android 14; Pixel 7)"
TABLET_APP = "VoisinageApp/1.0 (iPadOS 18; iPad Air)"


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def _device_cell(page, user_agent):
    return page.locator('td[data-label="Appareil"]', has_text=user_agent)


def _signed_in_context(browser, user, *, width):
    client = Client(headers={"host": CADAUJAC_HOST})
    client.force_login(user)
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": client.cookies["sessionid"].value,
                "domain": CADAUJAC_HOST,
                "path": "/",
            }
        ]
    )
    return context


def test_the_api_docs_render_under_the_site_s_policy(browser, commune_url, cadaujac):
    context = browser.new_context(locale="fr-FR")
    watch = PolicyWatch(context)
    page = context.new_page()

    page.goto(commune_url("cadaujac", "/api/v1/docs"))
    page.locator(".swagger-ui .info .title").filter(has_text="Voisinage").wait_for()
    page.locator(".opblock-summary").first.wait_for()

    _shot(page, "api-docs")
    violations = page.evaluate("window.__cspViolations") + watch.console
    assert violations == []
    assert page.locator(".opblock-summary-path").filter(has_text="/api/v1/alerts/").count() >= 1
    context.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_member_reads_her_connected_apps_and_signs_one_out(
    browser, commune_url, jeanne_resident, width
):
    for key, agent in (("a" * 32, PHONE_APP), ("b" * 32, TABLET_APP)):
        AppSession.objects.create(
            session_key=key, user=jeanne_resident, user_agent=agent, last_used_at=timezone.now()
        )
    context = _signed_in_context(browser, jeanne_resident, width=width)
    watch = PolicyWatch(context)
    page = context.new_page()

    page.goto(commune_url("cadaujac", "/compte/appareils/"))

    assert page.get_by_role("heading", name="Appareils connectés").is_visible()
    assert _device_cell(page, PHONE_APP).is_visible()
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width
    _shot(page, f"devices-{width}")
    page.get_by_role("button", name=f"Déconnecter {PHONE_APP}").click()
    page.get_by_text("L'appareil est déconnecté").wait_for()
    assert _device_cell(page, PHONE_APP).count() == 0
    assert _device_cell(page, TABLET_APP).is_visible()
    assert page.evaluate("window.__cspViolations") + watch.console == []
    context.close()
