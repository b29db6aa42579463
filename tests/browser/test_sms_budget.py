"""The SMS budget in Chromium: the dashboard's SMS card shows an overrun, and a non-urgent
broadcast over budget is refused on its confirmation screen with the offer to send it
without SMS; both fit a phone.

Screenshots at 390 and 1280 px are written to ``DASHBOARD_SHOTS`` when that is set.
"""

import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from accounts.services import totp_authenticator_ensure
from alerts.models import Alert
from communities.models import Commune
from demo.loader import demo_load
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage

from .test_dashboard import _shot
from .test_no_sideways_scrolling import OVERFLOW
from .test_registration_approval import TOTP_SECRET, new_page, sign_in, totp_code

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

STAFF = "mairie@cadaujac.demo.invalid"


def _over_budget(commune, user):
    """The month's budget is 1 €, and the outbox recorded an SMS of 2 €."""
    commune.sms_budget = Decimal("1.00")
    commune.save(update_fields=["sms_budget"])
    now = timezone.now()
    message = OutboxMessage.objects.create(purpose="official", text="Mairie", payer=commune)
    Delivery.objects.create(
        message=message,
        user=user,
        channel=Channel.SMS,
        status=DeliveryStatus.DELIVERED,
        created_at=now,
        updated_at=now,
        sent_at=now,
        segments=2,
        encoding="GSM-7",
        price_per_segment=Decimal("1.00"),
    )


def _fits(page):
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= overflow["width"], overflow


def test_over_budget_the_dashboard_shows_it_and_a_non_urgent_broadcast_offers_no_sms(
    browser, commune_url
):
    demo_load()
    staff = get_user_model().objects.get(email=STAFF)
    _over_budget(Commune.objects.get(name="Cadaujac"), staff)
    totp_authenticator_ensure(user=staff, secret=TOTP_SECRET)
    context, page = new_page(browser)
    try:
        sign_in(page, commune_url, STAFF)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.goto(commune_url("cadaujac", "/admin/tableau-de-bord/"))
            state = page.locator('[data-figure="sms-budget-state"]').first
            assert "Budget atteint" in state.inner_text()
            _fits(page)
            _shot(page, f"sms-budget-dashboard-{width}")

        alerts = Alert.objects.count()
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(commune_url("cadaujac", "/admin/alerter/"))
        page.get_by_label("Voirie").check()
        page.get_by_label("Message").fill("Route de Bordeaux fermée lundi pour travaux.")
        page.get_by_label("Urgente").uncheck()
        page.get_by_role("button", name="Vérifier avant l'envoi").click()
        # The confirmation is posted to the same address: wait for its refusal, not the URL.
        refusal = page.get_by_role("alert").filter(has_text="ne permet pas cet envoi")
        expect(refusal).to_be_visible()
        _fits(page)
        _shot(page, "sms-budget-broadcast-390")
        page.set_viewport_size({"width": 1280, "height": 800})
        _shot(page, "sms-budget-broadcast-1280")

        page.get_by_role("button", name="Envoyer sans SMS").click()
        page.wait_for_url(lambda url: re.search(r"/admin/alerter/\d+/", url) is not None)
        assert Alert.objects.count() == alerts + 1
        message = OutboxMessage.objects.filter(alert_message__alert__author=staff).latest("pk")
        assert message.sms_withheld

        page.goto(commune_url("cadaujac", "/admin/messages-mairie/"))
        page.set_viewport_size({"width": 390, "height": 800})
        _fits(page)
        _shot(page, "sms-budget-official-390")
    finally:
        context.close()
