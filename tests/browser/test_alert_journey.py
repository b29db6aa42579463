"""An alert's journey in Chromium: a resident alerts, a neighbour's phone gets the SMS, the
mairie's moderator withdraws it, and the neighbour gets the correction.

The SMS go through the real twilio client to the fake Twilio server, where they are counted.
"""

import re

import pytest
from django.contrib.auth import get_user_model

from accounts.services import totp_authenticator_ensure
from alerts.models import Alert, ModerationStatus
from demo.loader import demo_load

from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

RESIDENT = "jean-yves@cadaujac.demo.invalid"
MODERATOR = "mairie@cadaujac.demo.invalid"
NEIGHBOUR_PHONE = "+33611000101"  # Germaine, Centre-bourg, who takes part by SMS alone
OTHER_COMMUNITY_PHONE = "+33611000104"  # Louis, Le Port: not this alert's audience
TEXT = "Deux hommes essaient les poignées des portails rue du Lavoir, vers l'église."


def sms_to(fake_twilio, number, since):
    return [r.params["Body"] for r in fake_twilio.requests[since:] if r.params["To"] == number]


def test_a_residents_alert_reaches_a_neighbour_and_its_withdrawal_corrects_it(
    browser, commune_url, fake_twilio
):
    demo_load()
    moderator = get_user_model().objects.get(email=MODERATOR)
    totp_authenticator_ensure(user=moderator, secret=TOTP_SECRET)
    before = len(fake_twilio.requests)

    resident_context, resident = new_page(browser)
    moderator_context, page = new_page(browser)
    try:
        sign_in(resident, commune_url, RESIDENT)
        resident.wait_for_url(lambda url: "/accounts/login/" not in url)
        resident.goto(commune_url("cadaujac", "/alertes/nouvelle/"))
        assert resident.get_by_text("composez le 17").first.is_visible()
        resident.get_by_label(re.compile("Tentative de cambriolage")).check()
        resident.get_by_label(re.compile("Que se passe-t-il")).fill(TEXT)
        # The live counter tells the resident what the SMS will cost before sending.
        assert resident.get_by_text(re.compile(r"SMS reçu par vos voisins")).is_visible()
        resident.get_by_role("button", name="Envoyer l'alerte").click()
        resident.wait_for_url(re.compile(r"/alertes/\d+/$"))
        assert resident.get_by_text(TEXT).is_visible()

        alert = Alert.objects.get(text=TEXT)
        received = sms_to(fake_twilio, NEIGHBOUR_PHONE, before)
        assert len(received) == 1
        assert TEXT in received[0]
        assert "STOP" in received[0]
        assert sms_to(fake_twilio, OTHER_COMMUNITY_PHONE, before) == []

        sign_in(page, commune_url, MODERATOR)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)
        page.goto(commune_url("cadaujac", "/admin/moderation-alertes/"))
        page.get_by_role("link", name=re.compile("Tentative de cambriolage")).first.click()
        page.wait_for_url(f"**/admin/moderation-alertes/{alert.pk}/")
        page.get_by_label("Motif").fill("Fausse alerte : des ouvriers de la commune.")
        page.get_by_role("button", name="Retirer et envoyer un rectificatif").click()
        # The withdrawal asks for a confirmation, showing who gets the correction.
        page.wait_for_url(f"**/admin/moderation-alertes/{alert.pk}/retirer/")
        assert page.get_by_role("heading", name="Qui recevra le rectificatif").is_visible()
        page.get_by_label("Motif").fill("Fausse alerte : des ouvriers de la commune.")
        page.get_by_role("button", name="Confirmer le retrait et envoyer le rectificatif").click()
        page.wait_for_url(lambda url: "/retirer/" not in url)

        alert.refresh_from_db()
        assert alert.moderation_status == ModerationStatus.RETRACTED
        received = sms_to(fake_twilio, NEIGHBOUR_PHONE, before)
        assert len(received) == 2
        assert received[1].startswith("Rectificatif")
        assert sms_to(fake_twilio, OTHER_COMMUNITY_PHONE, before) == []

        # The author sees the outcome on the alert's page.
        resident.reload()
        assert resident.get_by_text(re.compile("retirée", re.IGNORECASE)).first.is_visible()
    finally:
        resident_context.close()
        moderator_context.close()
