"""An alert's SMS that does not arrive: STOP at the carrier is recorded, and the member is
reached once on their other channels.

Sent through the real twilio client to the fake Twilio; status callbacks are signed as
Twilio signs them and posted to ``/sms/status/``. Paul chose SMS only for alerts, but has an
e-mail address and a phone with notifications enabled.
"""

import pytest
from django.conf import settings
from django.core import mail
from twilio.request_validator import RequestValidator

from accounts.models import Profile
from alerts.models import AlertCategory
from alerts.services import alert_post
from notifications.models import Channel, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db

PAUL = "+33611223355"
LUCIE = "+33611223366"


@pytest.fixture
def street(make_member, centre_bourg, jeanne_resident, push_device, fake_twilio):
    paul = make_member(
        "paul@c.test", centre_bourg, first_name="Paul", last_name="Darrigade", phone=PAUL
    )
    Profile.objects.create(user=paul, alerts_by_email=False, alerts_by_push=False)
    lucie = make_member(
        "lucie@c.test", centre_bourg, first_name="Lucie", last_name="M", phone=LUCIE
    )
    return {"jeanne": jeanne_resident, "paul": paul, "lucie": lucie, "browser": push_device(paul)}


@pytest.fixture
def post(street, django_capture_on_commit_callbacks):
    def post_alert(text="Camionnette blanche qui tourne lentement rue des Vignes."):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=street["jeanne"], category=AlertCategory.SCOUTING, text=text)

    return post_alert


@pytest.fixture
def callback(client, django_capture_on_commit_callbacks):
    """Post a status callback for ``sid`` as Twilio does (signed), and run what it enqueues."""

    def post_callback(sid, status, error_code=None):
        params = {"MessageSid": sid, "MessageStatus": status, "AccountSid": "AC" + "0" * 32}
        if error_code:
            params["ErrorCode"] = str(error_code)
        url = "http://testserver/sms/status/"
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, params)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/sms/status/", params, headers={"x-twilio-signature": signature}
            )
        assert response.status_code == 204
        return response

    return post_callback


def _paul(channel):
    return Delivery.objects.filter(user__phone=PAUL, channel=channel)


def _mails_to_paul():
    return [m for m in mail.outbox if m.to == ["paul@c.test"]]


def test_an_undelivered_sms_falls_back_once_to_email_and_push(street, post, callback, fake_push):
    post()
    sms = _paul(Channel.SMS).get()
    assert sms.status == DeliveryStatus.SENT
    assert not _paul(Channel.EMAIL).exists()  # Paul chose SMS only
    assert _mails_to_paul() == []

    callback(sms.provider_message_id, "undelivered", 30005)

    sms.refresh_from_db()
    assert (sms.status, sms.error_code) == (DeliveryStatus.FAILED, "30005")
    assert len(_mails_to_paul()) == 1
    assert "Camionnette blanche" in _mails_to_paul()[0].body
    assert len(fake_push.requests_to(street["browser"].endpoint)) == 1
    assert set(_paul(Channel.EMAIL).values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert set(_paul(Channel.PUSH).values_list("status", flat=True)) == {DeliveryStatus.SENT}

    # Twilio replays callbacks, and may follow "undelivered" with "failed".
    callback(sms.provider_message_id, "undelivered", 30005)
    callback(sms.provider_message_id, "failed", 30005)

    assert len(_mails_to_paul()) == 1
    assert len(fake_push.requests_to(street["browser"].endpoint)) == 1
    assert _paul(Channel.EMAIL).count() == _paul(Channel.PUSH).count() == 1


def test_a_delivered_sms_needs_no_fall_back(street, post, callback, fake_push):
    post()
    sms = _paul(Channel.SMS).get()

    callback(sms.provider_message_id, "delivered")
    callback(sms.provider_message_id, "failed", 30005)  # late and out of order: ignored

    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.DELIVERED
    assert _mails_to_paul() == []
    assert not _paul(Channel.EMAIL).exists()


def test_stop_at_the_carrier_when_sending_opts_the_member_out_as_an_inbound_stop_does(
    street, post, fake_twilio, fake_push
):
    fake_twilio.errors_by_number = {PAUL: 21610}

    post()

    sms = _paul(Channel.SMS).get()
    assert (sms.status, sms.error_code, sms.permanent_failure) == (
        DeliveryStatus.FAILED,
        "21610",
        True,
    )
    assert Profile.objects.get(user=street["paul"]).sms_opted_out_at is not None
    assert len(_mails_to_paul()) == 1  # reached another way
    assert len(fake_push.requests_to(street["browser"].endpoint)) == 1

    fake_twilio.reset()
    post("Le véhicule est revenu, même comportement.")

    assert PAUL not in fake_twilio.messages_to()  # nothing more tried on his number
    assert fake_twilio.messages_to() == {LUCIE: 1}


def test_stop_reported_by_a_status_callback_opts_the_member_out(street, post, callback):
    post()
    sms = _paul(Channel.SMS).get()

    callback(sms.provider_message_id, "undelivered", 21610)

    sms.refresh_from_db()
    assert (sms.status, sms.permanent_failure) == (DeliveryStatus.FAILED, True)
    assert Profile.objects.get(user=street["paul"]).sms_opted_out_at is not None
    assert len(_mails_to_paul()) == 1


def test_an_unsigned_status_callback_changes_nothing(street, post, client):
    post()
    sms = _paul(Channel.SMS).get()

    response = client.post(
        "/sms/status/",
        {"MessageSid": sms.provider_message_id, "MessageStatus": "undelivered"},
    )

    assert response.status_code == 403
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT
    assert not _paul(Channel.EMAIL).exists()
