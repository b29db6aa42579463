"""The Twilio backend: the real twilio client, over HTTP, against a local fake Twilio."""

import time

import pytest

from notifications.models import OutboundSms, SmsPurpose, SmsStatus
from notifications.sms.backends import twilio_error_is_permanent
from notifications.sms.service import sms_send, sms_status_update
from tests.fakes.twilio_server import FakeTwilioServer, new_sid

JEAN_YVES = "+33611000001"
MARIE = "+33611000002"
CLAUDETTE = "+33611000003"

pytestmark = pytest.mark.django_db


def test_the_real_client_reaches_the_configured_base_url_with_the_message(fake_twilio, settings):
    sms = sms_send(
        to=JEAN_YVES,
        body="Alerte Centre-bourg : démarcheurs rue de l'Église",
        purpose=SmsPurpose.ALERT,
    )

    [request] = fake_twilio.message_requests()
    assert request.path == f"/2010-04-01/Accounts/{fake_twilio.account_sid}/Messages.json"
    assert (request.account_sid, request.auth_token) == (
        settings.TWILIO_ACCOUNT_SID,
        settings.TWILIO_AUTH_TOKEN,
    )
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.params == {
        "To": JEAN_YVES,
        "Body": "Alerte Centre-bourg : démarcheurs rue de l'Église",
        "MessagingServiceSid": settings.TWILIO_MESSAGING_SERVICE_SID,
    }
    assert sms.status == SmsStatus.SENT
    assert sms.provider_message_id == request.sid
    assert request.sid.startswith("SM")
    assert len(request.sid) == 34
    assert OutboundSms.objects.get(provider_message_id=request.sid).backend == "twilio"


def test_the_message_sender_and_validity_period_are_passed_on(fake_twilio):
    sms_send(
        to=MARIE,
        body="Alerte : coupure d'eau",
        purpose=SmsPurpose.BROADCAST,
        sender="Cadaujac",
        validity_period=900,
    )

    [request] = fake_twilio.message_requests()
    assert request.params["From"] == "Cadaujac"
    assert request.params["ValidityPeriod"] == "900"


def test_without_messaging_service_the_configured_number_sends(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = "36200"  # a short code

    sms_send(to=MARIE, body="Code : 123456", purpose=SmsPurpose.VERIFICATION_CODE)

    [request] = fake_twilio.message_requests()
    assert request.params["From"] == "36200"
    assert "MessagingServiceSid" not in request.params


def test_without_any_sender_configured_the_message_fails_without_a_call(fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_FROM_NUMBER = ""

    sms = sms_send(to=MARIE, body="Bonjour", purpose=SmsPurpose.OTHER)

    assert fake_twilio.message_requests() == []
    assert (sms.status, sms.error_code) == (SmsStatus.FAILED, "config")


def test_status_callback_points_at_the_public_origin_when_known(fake_twilio, settings):
    settings.PUBLIC_BASE_URL = "https://voisinage.example"
    sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.OTHER)
    settings.PUBLIC_BASE_URL = ""
    sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.OTHER)

    with_origin, without_origin = fake_twilio.message_requests()
    assert with_origin.params["StatusCallback"] == "https://voisinage.example/sms/status/"
    assert "StatusCallback" not in without_origin.params


def test_twilio_status_callbacks_then_follow_the_message(fake_twilio):
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.OTHER)

    sms_status_update(provider_message_id=sms.provider_message_id, status="delivered")
    late = sms_status_update(provider_message_id=sms.provider_message_id, status="sent")

    assert late.status == SmsStatus.DELIVERED


@pytest.mark.parametrize(
    ("code", "expected_permanent"),
    [
        (21211, True),  # invalid number
        (21610, True),  # the recipient answered STOP
        (21614, True),  # not a mobile
        (21408, True),  # region not enabled
        (20429, False),  # too many requests
        (20500, False),  # Twilio's own failure
    ],
)
def test_twilio_refusals_are_recorded_as_permanent_or_transient(
    fake_twilio, code, expected_permanent
):
    fake_twilio.errors_by_number[CLAUDETTE] = code

    sms = sms_send(to=CLAUDETTE, body="Bonjour", purpose=SmsPurpose.ALERT)

    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED
    assert sms.error_code == str(code)
    assert sms.error_permanent is expected_permanent
    assert sms.provider_message_id is None
    assert len(fake_twilio.message_requests()) == 1


def test_an_unsubscribed_recipient_is_recorded_and_others_still_receive(fake_twilio):
    fake_twilio.errors_by_number[CLAUDETTE] = 21610

    results = [
        sms_send(to=number, body="Alerte", purpose=SmsPurpose.ALERT)
        for number in (JEAN_YVES, CLAUDETTE, MARIE)
    ]

    assert [sms.status for sms in results] == ["sent", "failed", "sent"]
    assert results[1].recipient_opted_out
    assert "unsubscribed" in results[1].error_message


def test_a_provider_outage_is_transient(fake_twilio):
    fake_twilio.failure_ratio = 1.0

    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)

    assert (sms.status, sms.error_code, sms.error_permanent) == ("failed", "20500", False)
    assert "HTTP 500" in sms.error_message


def test_a_partial_outage_fails_some_messages_and_sends_the_others(settings):
    with FakeTwilioServer(failure_ratio=0.5, seed=2026) as server:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_API_BASE_URL = server.base_url
        settings.TWILIO_ACCOUNT_SID = server.account_sid
        settings.TWILIO_AUTH_TOKEN = server.auth_token
        settings.TWILIO_MESSAGING_SERVICE_SID = new_sid("MG")

        results = [
            sms_send(to=f"+336110000{n:02d}", body="Alerte", purpose=SmsPurpose.ALERT)
            for n in range(20)
        ]

    statuses = {sms.status for sms in results}
    assert statuses == {"sent", "failed"}
    sent = [sms for sms in results if sms.status == "sent"]
    assert len(sent) == len(server.messages)
    assert {sms.provider_message_id for sms in sent} == set(server.messages)


def test_a_timeout_is_transient_and_does_not_hang_the_sender(fake_twilio, settings):
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    fake_twilio.timeout_ratio = 1.0
    fake_twilio.hang_seconds = 3

    started = time.monotonic()
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)

    assert time.monotonic() - started < 2
    assert (sms.status, sms.error_code, sms.error_permanent) == ("failed", "timeout", False)


def test_latency_below_the_timeout_still_sends(fake_twilio):
    fake_twilio.latency = 0.2
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    assert sms.status == SmsStatus.SENT


def test_an_unreachable_twilio_is_transient(fake_twilio, settings):
    fake_twilio.stop()
    settings.TWILIO_API_BASE_URL = fake_twilio.base_url  # nobody listens there any more

    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)

    assert (sms.status, sms.error_code, sms.error_permanent) == ("failed", "connection", False)


def test_wrong_credentials_are_refused_by_twilio_and_retryable(fake_twilio, settings):
    settings.TWILIO_AUTH_TOKEN = "not-the-token"

    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)

    assert (sms.status, sms.error_code, sms.error_permanent) == ("failed", "20003", False)


def test_missing_credentials_fail_without_a_call(fake_twilio, settings):
    settings.TWILIO_ACCOUNT_SID = ""

    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)

    assert (sms.status, sms.error_code) == ("failed", "config")
    assert fake_twilio.requests == []


@pytest.mark.parametrize(
    ("status", "code", "permanent"),
    [
        (400, "21211", True),
        (400, "21999", True),  # any other 4xx
        (400, "20429", False),
        (401, "20003", False),
        (429, None, False),
        (500, None, False),
        (503, "20503", False),
        (None, None, False),  # no answer at all
    ],
)
def test_twilio_error_classification(status, code, permanent):
    assert twilio_error_is_permanent(status=status, code=code) is permanent
