"""Alerts reach members' devices as web push, through the real pywebpush client and a fake
push service: encrypted for each browser, signed with our VAPID key, and each answer of the
service (accepted, gone, later, refused) leaves the delivery and the devices right."""

import time

import pytest

from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery, DeliveryStatus, PushSubscription
from notifications.push import MAX_PAYLOAD_BYTES, PushNotification
from notifications.sending import deliveries_send


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette blanche qui tourne lentement rue de la Mairie depuis 14h.",
        identifying_details="AB-123-CD",
    )


def push_now(alert):
    """Write the push deliveries of the alert and send them; return them, fresh."""
    deliveries_write(message=AlertMessage.objects.get(alert=alert), channels=(Channel.PUSH,))
    deliveries_send(ids=list(Delivery.objects.values_list("pk", flat=True)))
    return {d.user_id: d for d in Delivery.objects.filter(channel=Channel.PUSH)}


def test_neighbour_receives_the_alert_decrypted_on_their_device(
    fake_push, push_device, alert, paul_neighbour, settings
):
    browser = push_device(paul_neighbour)

    deliveries = push_now(alert)

    (request,) = fake_push.requests
    notification = browser.decrypt(request.body)
    assert notification["title"] == "Cadaujac — Véhicule ou individu en repérage"
    assert "Camionnette blanche" in notification["body"]
    assert "AB-123-CD" not in notification["body"]  # neighbours never get identifying details
    assert "STOP" not in notification["body"]  # an SMS-only mention
    assert notification["url"] == f"http://cadaujac.localhost/alertes/{alert.pk}/"
    assert notification["tag"] == f"alerte-{alert.pk}"
    assert notification["urgent"] is True
    assert deliveries[paul_neighbour.pk].status == DeliveryStatus.SENT
    assert deliveries[paul_neighbour.pk].sent_at is not None
    assert PushSubscription.objects.get().last_success_at is not None


def test_push_request_is_signed_encrypted_and_lives_as_long_as_the_alert(
    fake_push, push_device, alert, paul_neighbour, settings
):
    push_device(paul_neighbour)

    push_now(alert)

    (request,) = fake_push.requests
    assert request.header("Content-Encoding") == "aes128gcm"
    assert request.header("Urgency") == "high"
    assert request.header("Authorization").startswith("vapid t=")
    assert request.vapid_key == settings.VAPID_PUBLIC_KEY
    assert request.vapid_claims["sub"] == settings.VAPID_SUBJECT
    assert request.vapid_claims["aud"] == fake_push.base_url
    remaining = (alert.expires_at - alert.created_at).total_seconds()
    assert remaining - 60 < int(request.header("TTL")) <= remaining
    assert len(request.body) < 4096


def test_staff_receive_the_identifying_details(
    fake_push, push_device, alert, marc_moderator, paul_neighbour
):
    marc_browser = push_device(marc_moderator)
    paul_browser = push_device(paul_neighbour)

    push_now(alert)

    bodies = {r.endpoint_token: r.body for r in fake_push.requests}
    marc = marc_browser.decrypt(bodies[marc_browser.endpoint.rsplit("/", 1)[-1]])
    paul = paul_browser.decrypt(bodies[paul_browser.endpoint.rsplit("/", 1)[-1]])
    assert "AB-123-CD" in marc["body"]
    assert "AB-123-CD" not in paul["body"]


def test_two_devices_are_one_delivery_sent_to_both(fake_push, push_device, alert, paul_neighbour):
    phone, laptop = push_device(paul_neighbour), push_device(paul_neighbour)

    deliveries = push_now(alert)

    assert len(deliveries) == 1
    assert deliveries[paul_neighbour.pk].status == DeliveryStatus.SENT
    assert len(fake_push.requests_to(phone.endpoint)) == 1
    assert len(fake_push.requests_to(laptop.endpoint)) == 1
    assert (
        phone.decrypt(fake_push.requests_to(phone.endpoint)[0].body)["tag"]
        == (laptop.decrypt(fake_push.requests_to(laptop.endpoint)[0].body)["tag"])
    )


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_service_says_is_gone_is_removed_and_the_delivery_fails_for_good(
    fake_push, push_device, alert, paul_neighbour, status
):
    browser = push_device(paul_neighbour)
    fake_push.answer(browser.endpoint, status)

    deliveries = push_now(alert)

    delivery = deliveries[paul_neighbour.pk]
    assert (delivery.status, delivery.error_code, delivery.permanent_failure) == (
        DeliveryStatus.FAILED,
        "gone",
        True,
    )
    assert not PushSubscription.objects.exists()
    # Nothing is retried: sending the batch again sends nothing.
    deliveries_send(ids=[delivery.pk])
    assert len(fake_push.requests) == 1


def test_one_device_gone_and_another_accepting_is_a_sent_delivery(
    fake_push, push_device, alert, paul_neighbour
):
    old_phone, laptop = push_device(paul_neighbour), push_device(paul_neighbour)
    fake_push.answer(old_phone.endpoint, 410)

    deliveries = push_now(alert)

    assert deliveries[paul_neighbour.pk].status == DeliveryStatus.SENT
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [laptop.endpoint]


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_busy_or_failing_service_is_retried_and_the_second_try_goes_through(
    fake_push, push_device, alert, paul_neighbour, status
):
    browser = push_device(paul_neighbour)
    fake_push.answer(browser.endpoint, status, retry_after=30)

    first = push_now(alert)[paul_neighbour.pk]

    assert (first.status, first.error_code, first.permanent_failure, first.attempts) == (
        DeliveryStatus.QUEUED,
        str(status),
        False,
        1,
    )
    assert PushSubscription.objects.count() == 1
    deliveries_send(ids=[first.pk])  # the retry
    first.refresh_from_db()
    assert first.status == DeliveryStatus.SENT
    assert first.attempts == 2
    assert len(fake_push.requests_to(browser.endpoint)) == 2


def test_a_service_that_does_not_answer_in_time_is_retried(
    fake_push, push_device, alert, paul_neighbour, settings
):
    settings.PUSH_HTTP_TIMEOUT = 0.3
    browser = push_device(paul_neighbour)
    fake_push.delay(browser.endpoint, 1.0)

    delivery = push_now(alert)[paul_neighbour.pk]

    assert (delivery.status, delivery.error_code) == (DeliveryStatus.QUEUED, "timeout")
    assert PushSubscription.objects.count() == 1


def test_a_refused_request_fails_for_good_but_keeps_the_device(
    fake_push, push_device, alert, paul_neighbour
):
    browser = push_device(paul_neighbour)
    fake_push.answer(browser.endpoint, 400)

    delivery = push_now(alert)[paul_neighbour.pk]

    assert (delivery.status, delivery.error_code, delivery.permanent_failure) == (
        DeliveryStatus.FAILED,
        "400",
        True,
    )
    assert PushSubscription.objects.count() == 1


def test_a_device_removed_after_the_fan_out_fails_the_delivery_as_gone(
    fake_push, push_device, alert, paul_neighbour
):
    push_device(paul_neighbour)
    deliveries_write(message=AlertMessage.objects.get(alert=alert), channels=(Channel.PUSH,))
    PushSubscription.objects.all().delete()  # the member disabled push meanwhile

    deliveries_send(ids=list(Delivery.objects.values_list("pk", flat=True)))

    delivery = Delivery.objects.get(channel=Channel.PUSH)
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.FAILED, "gone")
    assert fake_push.requests == []


def test_without_vapid_keys_nothing_is_sent_and_the_delivery_says_why(
    fake_push, push_device, alert, paul_neighbour, settings
):
    push_device(paul_neighbour)
    settings.VAPID_PRIVATE_KEY = ""

    delivery = push_now(alert)[paul_neighbour.pk]

    assert (delivery.status, delivery.error_code) == (DeliveryStatus.FAILED, "not_configured")
    assert fake_push.requests == []


def test_devices_are_pushed_concurrently(
    fake_push, push_device, alert, make_member, centre_bourg, settings
):
    settings.PUSH_SEND_CONCURRENCY = 16
    fake_push.latency = 0.2
    for number in range(16):
        member = make_member(
            f"voisin{number}@cadaujac.test", centre_bourg, first_name="V", last_name=str(number)
        )
        push_device(member)

    started = time.monotonic()
    deliveries = push_now(alert)
    elapsed = time.monotonic() - started

    assert len(fake_push.requests) == 16
    assert {d.status for d in deliveries.values()} == {DeliveryStatus.SENT}
    assert elapsed < 16 * 0.2 / 2  # far from one after the other


def test_end_to_end_an_alert_posted_reaches_devices_and_a_transient_error_is_retried(
    fake_push,
    fake_twilio,
    push_device,
    jeanne_resident,
    paul_neighbour,
    marc_moderator,
    django_capture_on_commit_callbacks,
    settings,
):
    settings.ALERT_RETRY_BASE_SECONDS = 0
    paul_browser = push_device(paul_neighbour)
    marc_browser = push_device(marc_moderator)
    fake_push.answer(marc_browser.endpoint, 503)

    with django_capture_on_commit_callbacks(execute=True):
        posted = alert_post(
            author=jeanne_resident,
            category=AlertCategory.LOST_ANIMAL,
            text="Chat roux perdu vers le lavoir.",
        )

    push = Delivery.objects.filter(message__alert_message__alert=posted, channel=Channel.PUSH)
    assert {d.user_id: d.status for d in push} == {
        paul_neighbour.pk: DeliveryStatus.SENT,
        marc_moderator.pk: DeliveryStatus.SENT,
    }
    assert len(fake_push.requests_to(paul_browser.endpoint)) == 1
    assert [r.status for r in fake_push.requests_to(marc_browser.endpoint)] == [503, 201]
    assert (
        "Chat roux"
        in paul_browser.decrypt(fake_push.requests_to(paul_browser.endpoint)[0].body)["body"]
    )


def test_payload_stays_under_the_push_services_limit():
    notification = PushNotification(
        title="Cadaujac — Autre", body="é" * 5000, url="https://x.test/alertes/1/", tag="a"
    )

    payload = notification.payload()

    assert len(payload) <= MAX_PAYLOAD_BYTES
    assert payload.decode().count("é") > 500
    assert "…" in payload.decode()
