"""The mairie's dashboard in Chromium: a resident's new alert appears in the open dashboard
without a reload, and the page fits a phone (cards stack, tables scroll inside their box).

Screenshots at 390 and 1280 px are written to ``DASHBOARD_SHOTS`` when that is set.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services import totp_authenticator_ensure
from alerts.models import AlertCategory
from alerts.services import alert_post
from demo.loader import demo_load

from .test_no_sideways_scrolling import OVERFLOW
from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAFF = "mairie@cadaujac.demo.invalid"
RESIDENT = "jean-yves@cadaujac.demo.invalid"


def _shot(page, name):
    folder = os.environ.get("DASHBOARD_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        # The admin scrolls inside its own column: a tall window shows the whole page.
        size = page.viewport_size
        page.set_viewport_size({"width": size["width"], "height": 4200})
        page.screenshot(path=f"{folder}/{name}.png")
        page.set_viewport_size(size)


def test_a_new_alert_appears_in_the_open_dashboard_and_the_page_fits_a_phone(browser, commune_url):
    demo_load()
    staff = get_user_model().objects.get(email=STAFF)
    totp_authenticator_ensure(user=staff, secret=TOTP_SECRET)
    context, page = new_page(browser)
    try:
        sign_in(page, commune_url, STAFF)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(commune_url("cadaujac", "/admin/"))
        assert page.get_by_role("heading", name="Tableau de bord de Cadaujac").is_visible()
        _shot(page, "admin-home-1280")

        page.goto(commune_url("cadaujac", "/admin/tableau-de-bord/"))
        week = page.locator('[data-figure="alerts-week"]')
        before = int(week.inner_text())
        _shot(page, "dashboard-1280")

        resident = get_user_model().objects.get(email=RESIDENT)
        alert_post(
            author=resident,
            category=AlertCategory.BURGLARY,
            text="Deux hommes essaient les poignées des portails rue du Lavoir.",
        )
        # Polled every 5 s; the alert's commit made the cached figures stale.
        page.wait_for_function(
            "n => Number(document.querySelector('[data-figure=\"alerts-week\"]').textContent) > n",
            arg=before,
            timeout=15_000,
        )
        assert int(week.inner_text()) == before + 1
        assert page.get_by_role("link", name=re.compile("Ouvrir les inscriptions")).is_visible()

        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(commune_url("cadaujac", "/admin/tableau-de-bord/"))
            overflow = page.evaluate(OVERFLOW)
            assert overflow["scroll"] <= overflow["width"], overflow
            _shot(page, f"dashboard-{width}")
        # On a phone the cards stack: one per row.
        page.set_viewport_size({"width": 390, "height": 800})
        lefts = page.locator(".dashboard-card").evaluate_all(
            "cards => cards.map(card => Math.round(card.getBoundingClientRect().left))"
        )
        assert len(set(lefts)) == 1
    finally:
        context.close()


def test_the_police_sees_its_reduced_dashboard_on_a_phone(browser, commune_url):
    demo_load()
    police = get_user_model().objects.get(email="police@cadaujac.demo.invalid")
    totp_authenticator_ensure(user=police, secret=TOTP_SECRET)
    context, page = new_page(browser)
    try:
        page.set_viewport_size({"width": 390, "height": 800})
        sign_in(page, commune_url, police.email)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        page.goto(commune_url("cadaujac", "/tableau-de-bord/police/"))
        assert page.get_by_role(
            "heading", name="Tableau de bord de la police municipale"
        ).is_visible()
        assert page.locator('[data-figure="police-running"]').is_visible()
        overflow = page.evaluate(OVERFLOW)
        assert overflow["scroll"] <= overflow["width"], overflow
        _shot(page, "police-390")
        page.set_viewport_size({"width": 1280, "height": 800})
        _shot(page, "police-1280")
    finally:
        context.close()
