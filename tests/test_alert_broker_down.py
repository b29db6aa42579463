"""The broker is down when an alert is posted: the post succeeds, nothing is lost.

The message is recorded with the alert, in one transaction, never fanned out yet; the
fan-out task cannot be published (nothing listens on the broker's port), the error is
logged, and the author gets their answer. Once the broker answers again, the sweep
(``notifications.tasks.deliveries_recover``) fans out what was left, once. The same holds for every
way a message is born: the resident's form, an SMS to the relay number, a follow-up, the
mairie's broadcast, a moderator's approval of a held alert and a correction.

The real-worker version of this (Redis, a Celery worker, the fake Twilio) is in
``tests/test_alert_delivery_faults.py``.
"""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from twilio.request_validator import RequestValidator

from alerts.models import Alert, AlertCategory, AlertMessage, ModerationStatus
from alerts.services import alert_post
from communities.models import ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_recover
from portal.celery import app
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

JEANNE = "+33611223344"
PAUL = "+33611223355"
UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"  # nothing listens on port 1
TEXT = "Camionnette blanche qui tourne lentement rue des Vignes, plaque masquée."


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


class Broker:
    """Tasks published to a broker nobody answers (``down``), or run in-process (``up``),
    as the demo runs them."""

    def __init__(self):
        self.saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}

    def down(self):
        app.conf.update(task_always_eager=False, broker_url=UNREACHABLE_BROKER)
        _forget_connections()

    def up(self):
        app.conf.update(**self.saved)
        _forget_connections()


@pytest.fixture
def broker():
    broker = Broker()
    try:
        yield broker
    finally:
        broker.up()


@pytest.fixture
def street(cadaujac, centre_bourg, jeanne_resident, make_member, make_user, settings):
    """Jeanne posts; Paul, her neighbour, has a phone and an e-mail address; Barbara
    broadcasts for the mairie; Marc moderates."""
    settings.ALERT_SWEEP_FANOUT_AFTER = 60
    from accounts.models import User

    User.objects.filter(pk=jeanne_resident.pk).update(phone_verified_at=timezone.now())
    paul = make_member(
        "paul@c.test", centre_bourg, first_name="Paul", last_name="Darrigade", phone=PAUL
    )
    barbara = make_user("barbara@cadaujac.test", first_name="Barbara", last_name="Lamothe")
    staff_role_grant(user=barbara, commune=cadaujac, role=StaffRole.BROADCASTER)
    marc = make_user("marc@cadaujac.test", first_name="Marc", last_name="Moderateur")
    staff_role_grant(user=marc, commune=cadaujac, role=StaffRole.MODERATOR)
    return {"jeanne": jeanne_resident, "paul": paul, "barbara": barbara, "marc": marc}


def _signed_sms(client, body, sid="SM" + "1" * 32):
    params = {"From": JEANNE, "To": "+33700000000", "Body": body, "MessageSid": sid}
    url = "http://testserver/sms/inbound/"
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
    return client.post("/sms/inbound/", params, headers={"x-twilio-signature": signature})


def _sent_alert(street, commit):
    with commit(execute=True):
        return alert_post(author=street["jeanne"], category=AlertCategory.SCOUTING, text=TEXT)


def _web_post(*, client, street, sign_in, commit, broker):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, street["jeanne"])
    broker.down()
    with commit(execute=True):
        response = client.post(
            "/alertes/nouvelle/",
            {"category": AlertCategory.SCOUTING, "text": TEXT, "identifying_details": ""},
        )
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert TEXT in page.content.decode()


def _sms_post(*, client, street, sign_in, commit, broker):
    broker.down()
    with commit(execute=True):
        response = _signed_sms(client, TEXT)
    assert response.status_code == 200
    assert "Alerte reçue" in response.content.decode()


def _follow_up(*, client, street, sign_in, commit, broker):
    alert = _sent_alert(street, commit)
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, street["jeanne"])
    broker.down()
    with commit(execute=True):
        response = client.post(f"/alertes/{alert.pk}/suivi/", {"suivi-text": "Elle est repartie."})
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def _broadcast(*, client, street, sign_in, commit, broker):
    sign_in(client, street["barbara"])
    broker.down()
    with commit(execute=True):
        response = client.post(
            "/admin/alerter/",
            {
                "commune": street["jeanne"].memberships.get().community.commune_id,
                "category": AlertCategory.WEATHER,
                "text": "Vigilance orange orages cette nuit : rentrez le mobilier de jardin.",
                "target": "commune",
                "urgent": "on",
                "confirmed": "1",
            },
        )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200


def _pre_moderated(street):
    commune = street["jeanne"].memberships.get().community.commune
    commune.moderation_policy = ModerationPolicy.PRE
    commune.save(update_fields=["moderation_policy"])


def _approval(*, client, street, sign_in, commit, broker):
    from alerts.moderation import alert_approve

    _pre_moderated(street)
    held = _sent_alert(street, commit)
    assert held.moderation_status == ModerationStatus.HELD
    broker.down()
    with commit(execute=True):
        alert_approve(alert=held, by=street["marc"])


def _correction(*, client, street, sign_in, commit, broker):
    from alerts.moderation import alert_retract

    alert = _sent_alert(street, commit)
    broker.down()
    with commit(execute=True):
        alert_retract(alert=alert, by=street["marc"], reason="Fausse alerte : c'était le facteur.")


ENTRY_POINTS = {
    "resident's form": _web_post,
    "SMS to the relay number": _sms_post,
    "follow-up": _follow_up,
    "mairie's broadcast": _broadcast,
    "approval of a held alert": _approval,
    "correction": _correction,
}


@pytest.mark.parametrize("act", ENTRY_POINTS.values(), ids=list(ENTRY_POINTS))
def test_a_message_born_while_the_broker_is_down_is_answered_and_sent_by_the_sweep(
    act,
    street,
    client,
    sign_in,
    broker,
    fake_twilio,
    django_capture_on_commit_callbacks,
    caplog,
):
    act(
        client=client,
        street=street,
        sign_in=sign_in,
        commit=django_capture_on_commit_callbacks,
        broker=broker,
    )

    waiting = AlertMessage.objects.filter(fanned_out_at=None)
    assert waiting.count() == 1, "the message is recorded, to be fanned out"
    message = waiting.get()
    assert not Delivery.objects.filter(message=message).exists()
    assert "left to the sweep" in caplog.text
    sent_before, emails_before = fake_twilio.messages_to(), len(mail.outbox)

    broker.up()  # the broker answers again
    deliveries_recover()
    assert not Delivery.objects.filter(message=message).exists(), "too early for the sweep"

    AlertMessage.objects.filter(pk=message.pk).update(
        created_at=timezone.now() - timedelta(minutes=2)
    )
    deliveries_recover()
    deliveries_recover()  # a second sweep finds nothing more to do

    message.refresh_from_db()
    assert message.fanned_out_at is not None
    rows = Delivery.objects.filter(message=message)
    assert rows.exists()
    assert set(rows.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    received = {
        phone: count - sent_before.get(phone, 0)
        for phone, count in fake_twilio.messages_to().items()
    }
    texters = {
        str(phone)
        for phone in rows.filter(channel=Channel.SMS).values_list("user__phone", flat=True)
    }
    assert texters
    assert {phone: n for phone, n in received.items() if n} == dict.fromkeys(texters, 1)
    assert len(mail.outbox) - emails_before == rows.filter(channel=Channel.EMAIL).count()


def test_the_sweep_leaves_a_held_alert_for_its_moderator(
    street, django_capture_on_commit_callbacks
):
    commune = street["jeanne"].memberships.get().community.commune
    commune.moderation_policy = ModerationPolicy.PRE
    commune.save(update_fields=["moderation_policy"])
    held = _sent_alert(street, django_capture_on_commit_callbacks)
    AlertMessage.objects.update(created_at=timezone.now() - timedelta(hours=1))

    deliveries_recover()

    assert AlertMessage.objects.get(alert=held).fanned_out_at is None
    # Nobody gets the alert; only its moderators were told (a notice) that it waits.
    alert_messages = AlertMessage.objects.filter(alert=held).values("pk")
    assert not Delivery.objects.filter(message_id__in=alert_messages).exists()
    assert Alert.objects.get(pk=held.pk).moderation_status == ModerationStatus.HELD
