"""The platform console in Chromium: the demo communes in one table that sorts by a click on
a column's header, fits a phone (the table scrolls inside its box, never the page), and
downloads as CSV.

Screenshots at 390 and 1280 px are written to ``CONSOLE_SHOTS`` when that is set.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services import totp_authenticator_ensure
from demo.loader import demo_load

from .test_no_sideways_scrolling import OVERFLOW
from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PLATFORM = "platform@demo.invalid"  # the demo's platform team


def _shot(page, name):
    folder = os.environ.get("CONSOLE_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_the_platform_team_sorts_the_communes_on_a_phone_and_downloads_them(browser, commune_url):
    demo_load()
    platform = get_user_model().objects.get(email=PLATFORM)
    totp_authenticator_ensure(user=platform, secret=TOTP_SECRET)
    context, page = new_page(browser)
    try:
        sign_in(page, commune_url, PLATFORM)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(commune_url("cadaujac", "/admin/console/"))
            rows = page.locator("tbody tr[data-commune]")
            assert rows.count() >= 2
            overflow = page.evaluate(OVERFLOW)
            assert overflow["scroll"] <= overflow["width"], overflow
            _shot(page, f"console-{width}")

        page.get_by_role("link", name="Membres vérifiés").click()
        page.wait_for_url("**?tri=membres")
        page.get_by_role("link", name="Membres vérifiés").click()
        page.wait_for_url("**?tri=-membres")
        members = [
            int(text)
            for text in page.locator("tbody tr[data-commune] td:nth-of-type(1)").all_inner_texts()
        ]
        assert members == sorted(members, reverse=True)
        assert page.locator('th[aria-sort="descending"]').count() == 1

        with page.expect_download() as download:
            page.get_by_role("link", name="Télécharger le tableau en CSV").click()
        assert download.value.suggested_filename.startswith("voisinage-communes-")
    finally:
        context.close()
