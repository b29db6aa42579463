"""The e-mail provider's delivery reports (Brevo's tracking webhook through django-anymail):
a hard bounce, a refusal or a complaint stops e-mail to the address, fails the alert e-mail,
shows on the call list and asks the member to fix it at sign-in; soft bounces, replays and
posts without the webhook secret change nothing."""

import base64
import json

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from accounts.models import User
from alerts.models import AlertCategory
from alerts.services import alert_post
from notifications.models import Channel, Delivery, DeliveryStatus, EmailEvent
from tests.conftest import CADAUJAC_HOST, PASSWORD
from tests.fakes.fixtures import BREVO_WEBHOOK_SECRET

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/brevo/tracking/"


def brevo_event(event, *, email, message_id, ts_epoch=1_798_000_000_000, **extra):
    """A Brevo transactional webhook body, as Brevo posts it."""
    return {
        "event": event,
        "email": email,
        "id": 812_345,
        "date": "2026-12-02 10:15:42",
        "ts": ts_epoch // 1000,
        "message-id": message_id,
        "ts_event": ts_epoch // 1000,
        "subject": "[Cadaujac] Alerte : Cambriolage",
        "sending_ip": "185.41.28.109",
        "ts_epoch": ts_epoch,
        **extra,
    }


def post_webhook(client, body, *, secret=BREVO_WEBHOOK_SECRET):
    headers = {}
    if secret is not None:
        headers["authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK, data=json.dumps(body), content_type="application/json", headers=headers
    )


@pytest.fixture
def alerted(jeanne_resident, paul_neighbour, fake_brevo, django_capture_on_commit_callbacks):
    """Jeanne alerts Centre-bourg; Paul (e-mail only) is e-mailed through Brevo."""
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_post(
            author=jeanne_resident, category=AlertCategory.BURGLARY, text="Volet forcé."
        )
    delivery = Delivery.objects.get(user=paul_neighbour, channel=Channel.EMAIL)
    return alert, delivery


def test_an_alert_email_records_the_providers_message_id(alerted, fake_brevo):
    _alert, delivery = alerted

    assert delivery.status == DeliveryStatus.SENT
    [(message_id, payload)] = fake_brevo.sent
    assert payload["to"] == [{"email": "paul@cadaujac.test"}]
    assert delivery.provider_message_id == message_id


def test_a_hard_bounce_stops_email_fails_the_delivery_and_shows_on_the_call_list(
    client,
    sign_in,
    alerted,
    paul_neighbour,
    jeanne_resident,
    marc_moderator,
    fake_brevo,
    django_capture_on_commit_callbacks,
):
    _alert, delivery = alerted
    body = brevo_event(
        "hard_bounce",
        email="Paul@cadaujac.test",
        message_id=delivery.provider_message_id,
        reason="550 5.1.1 <paul@cadaujac.test>: Recipient address rejected",
    )

    response = post_webhook(client, body)

    assert response.status_code == 200
    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is not None
    assert "Recipient address rejected" in paul_neighbour.email_undeliverable_reason
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.permanent_failure

    # The next alert e-mails nobody at that address, and the mairie sees why on its call list.
    with django_capture_on_commit_callbacks(execute=True):
        second = alert_post(
            author=jeanne_resident, category=AlertCategory.SCOUTING, text="Voiture au pas."
        )
    assert not Delivery.objects.filter(
        message__alert_message__alert=second, user=paul_neighbour
    ).exists()
    later = [to["email"] for _id, payload in fake_brevo.sent[1:] for to in payload["to"]]
    assert later  # the moderator was e-mailed
    assert "paul@cadaujac.test" not in later
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, marc_moderator)
    rows = client.get(f"/alertes/{second.pk}/injoignables/").context["rows"]
    reasons = {row["membership"].user.first_name: str(row["reason"]) for row in rows}
    assert reasons == {"Paul": "Adresse e-mail invalide (les e-mails reviennent)"}


@pytest.mark.parametrize(
    ("event", "extra"),
    [
        ("spam", {}),  # a complaint
        ("blocked", {"reason": "blocked : due to a previous hard bounce"}),  # a refusal
        ("invalid_email", {}),
    ],
)
def test_complaints_and_refusals_also_mark_the_address(
    client, paul_neighbour, fake_brevo, event, extra
):
    body = brevo_event(event, email="paul@cadaujac.test", message_id="<1.2@relay>", **extra)

    assert post_webhook(client, body).status_code == 200

    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is not None


@pytest.mark.parametrize("secret", [None, "brevo-hook:wrong-secret"])
def test_a_post_without_the_webhook_secret_is_refused_and_changes_nothing(
    client, alerted, paul_neighbour, secret
):
    _alert, delivery = alerted
    body = brevo_event("hard_bounce", email="paul@cadaujac.test", message_id="<x@y>")
    body["message-id"] = delivery.provider_message_id

    response = post_webhook(client, body, secret=secret)

    # anymail refuses a failed basic auth as a SuspiciousOperation: 400.
    assert response.status_code == 400
    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT
    assert not EmailEvent.objects.exists()


@pytest.mark.parametrize("event", ["soft_bounce", "deferred", "delivered", "opened"])
def test_soft_bounces_and_other_events_change_nothing(client, alerted, paul_neighbour, event):
    _alert, delivery = alerted
    body = brevo_event(event, email="paul@cadaujac.test", message_id=delivery.provider_message_id)

    assert post_webhook(client, body).status_code == 200

    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


def test_a_replayed_report_changes_nothing(client, paul_neighbour, fake_brevo):
    body = brevo_event("hard_bounce", email="paul@cadaujac.test", message_id="<7.7@relay>")
    assert post_webhook(client, body).status_code == 200
    # Paul gives a working address again; then Brevo retries its old webhook.
    User.objects.filter(pk=paul_neighbour.pk).update(email_undeliverable_at=None)

    replay = post_webhook(client, body)

    assert replay.status_code == 200
    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is None
    assert EmailEvent.objects.count() == 1


def test_at_sign_in_the_member_is_asked_to_fix_the_address_and_a_new_one_clears_it(
    client, paul_neighbour, fake_brevo
):
    User.objects.filter(pk=paul_neighbour.pk).update(
        email_verified_at=timezone.now(),
        email_undeliverable_at=timezone.now(),
        email_undeliverable_reason="550 User unknown",
    )
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST

    response = client.post(
        "/accounts/login/", {"login": "paul@cadaujac.test", "password": PASSWORD}
    )

    assert response.status_code == 302
    notices = [str(m) for m in get_messages(response.wsgi_request)]
    notice = next(n for n in notices if "nous reviennent" in n)
    assert "paul@cadaujac.test" in notice
    assert 'href="/accounts/email/"' in notice

    # Paul adds a new address, confirms it with the code e-mailed to it, makes it primary.
    client.post("/accounts/email/", {"action_add": "", "email": "paul.darrigade@exemple.test"})
    code = _last_code(fake_brevo)
    client.post("/accounts/confirm-email/", {"code": code})
    client.post("/accounts/email/", {"action_primary": "", "email": "paul.darrigade@exemple.test"})

    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email == "paul.darrigade@exemple.test"
    assert paul_neighbour.email_undeliverable_at is None
    assert mail.outbox == []  # every e-mail went through the provider


def _last_code(fake_brevo) -> str:
    import re

    _message_id, payload = fake_brevo.sent[-1]
    text = payload.get("textContent") or payload.get("htmlContent") or ""
    return re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", text).group(0)


@pytest.fixture
def production_urls(settings):
    """Production's settings (DEBUG off), with or without the webhook secret."""

    def build(**overrides):
        for name, value in overrides.items():
            setattr(settings, name, value)

    return build


def test_in_production_without_a_secret_the_webhook_is_not_routed(
    client, paul_neighbour, production_urls
):
    production_urls(DEBUG=False, ANYMAIL={})
    body = brevo_event("hard_bounce", email="paul@cadaujac.test", message_id="<1@relay>")

    response = post_webhook(client, body, secret=None)

    assert response.status_code == 404
    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is None


def test_in_production_with_a_secret_the_webhook_is_routed(client, paul_neighbour, production_urls):
    production_urls(DEBUG=False, ANYMAIL={"WEBHOOK_SECRET": BREVO_WEBHOOK_SECRET})
    body = brevo_event("hard_bounce", email="paul@cadaujac.test", message_id="<1@relay>")

    assert post_webhook(client, body, secret=None).status_code == 400
    assert post_webhook(client, body).status_code == 200
    paul_neighbour.refresh_from_db()
    assert paul_neighbour.email_undeliverable_at is not None
