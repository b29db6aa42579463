"""An alert's page on a phone and a desktop: its author reads one sentence about who
received it, the mairie reads each channel's counts; neither scrolls sideways.

Screenshots of each (390 and 1280 px) are written to ``var/screenshots/`` (git-ignored)
so that anyone can look at them.
"""

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from accounts.services import totp_authenticator_ensure
from alerts.models import Alert, AlertCategory
from demo.loader import demo_load

from .test_registration_approval import TOTP_SECRET, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
AUTHOR = "jean-yves@cadaujac.demo.invalid"
STAFF = "mairie@cadaujac.demo.invalid"
WIDTHS = (390, 1280)
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def _open(browser, commune_url, email, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, commune_url, email)
    if email == STAFF:
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    return context, page


@pytest.mark.parametrize("width", WIDTHS)
def test_the_author_reads_a_sentence_and_the_mairie_the_detail(browser, commune_url, width):
    demo_load()
    totp_authenticator_ensure(user=get_user_model().objects.get(email=STAFF), secret=TOTP_SECRET)
    alert = Alert.objects.get(author__email=AUTHOR, category=AlertCategory.CANVASSER)
    SHOTS.mkdir(parents=True, exist_ok=True)

    for who, email in (("resident", AUTHOR), ("staff", STAFF)):
        context, page = _open(browser, commune_url, email, width)
        try:
            page.goto(commune_url("cadaujac", f"/alertes/{alert.pk}/"))
            page.screenshot(path=str(SHOTS / f"alert_delivery_{who}_{width}.png"), full_page=True)
            assert page.evaluate(FITS), f"{who} at {width}px scrolls sideways"
            if who == "resident":
                sentence = page.locator("[data-reach-summary]")
                assert sentence.is_visible()
                assert sentence.inner_text().startswith("Envoyée à ")
                assert page.get_by_text("Distribués").count() == 0
            else:
                sms = page.locator(".channel-progress__item[data-channel='sms']")
                assert sms.is_visible()
                assert sms.get_by_text("Distribués").is_visible()
                assert sms.get_by_text("Échecs").is_visible()
                assert page.get_by_role("link", name="Membres injoignables").is_visible()
                page.goto(commune_url("cadaujac", f"/admin/moderation-alertes/{alert.pk}/retirer/"))
                page.screenshot(
                    path=str(SHOTS / f"alert_withdraw_confirm_{width}.png"), full_page=True
                )
                assert page.get_by_text("Qui recevra le rectificatif").is_visible()
        finally:
            context.close()
