"""When pushes leave: a push service's Retry-After is honoured by the retry, and a
non-urgent mairie broadcast posted at night waits for the morning before it is pushed.

Tasks go through a real Celery producer to kombu's in-memory transport (not eager), so the
tests read what a worker would receive: which ids, and when.
"""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertMessage, AlertSource, ModerationStatus
from alerts.services import alert_post
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_send_task, outbox_message_fanout
from portal.celery import app


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """Route tasks to an in-memory broker; yield a function draining the alerts queue."""
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url="memory://")
    _forget_connections()

    def drain(queue="alerts"):
        messages = []
        with app.connection_for_read() as connection:
            simple = connection.SimpleQueue(queue)
            while True:
                try:
                    message = simple.get(block=False)
                except simple.Empty:
                    break
                message.ack()
                messages.append(message)
            simple.close()
        return messages

    drain()
    try:
        yield drain
    finally:
        drain()
        app.conf.update(**saved)
        _forget_connections()


def _eta(message) -> datetime | None:
    eta = message.headers.get("eta")
    return datetime.fromisoformat(eta) if eta else None


def _ids(messages) -> set[int]:
    return {pk for message in messages for pk in message.payload[0][0]}


def test_retry_waits_as_long_as_the_push_service_asked(
    broker, fake_push, push_device, jeanne_resident, paul_neighbour, settings
):
    settings.ALERT_RETRY_MAX_SECONDS = 60
    browser = push_device(paul_neighbour)
    fake_push.answer(browser.endpoint, 429, retry_after=300)
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.CANVASSER, text="Faux agent des eaux."
    )
    deliveries_write(message=AlertMessage.objects.get(alert=alert), channels=(Channel.PUSH,))
    delivery = Delivery.objects.get(channel=Channel.PUSH)

    before = timezone.now()
    deliveries_send_task([delivery.pk])

    (retry,) = broker()
    assert _ids([retry]) == {delivery.pk}
    assert _eta(retry) >= before + timedelta(seconds=299)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error_code) == (DeliveryStatus.QUEUED, "429")


def test_a_busy_service_without_retry_after_gets_the_usual_back_off(
    broker, fake_push, push_device, jeanne_resident, paul_neighbour, settings
):
    settings.ALERT_RETRY_MAX_SECONDS = 60
    browser = push_device(paul_neighbour)
    fake_push.answer(browser.endpoint, 500)
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.CANVASSER, text="Faux agent des eaux."
    )
    deliveries_write(message=AlertMessage.objects.get(alert=alert), channels=(Channel.PUSH,))
    delivery = Delivery.objects.get(channel=Channel.PUSH)

    before = timezone.now()
    deliveries_send_task([delivery.pk])

    (retry,) = broker()
    assert _eta(retry) is None or _eta(retry) <= before + timedelta(seconds=61)


def test_night_broadcast_is_pushed_in_the_morning_not_at_once(
    broker, fake_push, push_device, cadaujac, centre_bourg, paul_neighbour, marc_moderator
):
    push_device(paul_neighbour)
    alert = Alert.objects.create(
        commune=cadaujac,
        author=marc_moderator,
        source=AlertSource.ADMIN,
        category=AlertCategory.ROADWORKS,
        text="Rue des Vignes fermée demain de 8 h à 12 h.",
        urgent=False,
        moderation_status=ModerationStatus.APPROVED,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    message = AlertMessage.objects.create(
        alert=alert,
        kind=AlertMessage.Kind.ALERT,
        text="Mairie de Cadaujac — Voirie : rue des Vignes fermée demain de 8 h à 12 h.",
        author=marc_moderator,
        not_before=timezone.now() + timedelta(hours=6),
    )

    outbox_message_fanout(message.pk)

    push_ids = set(Delivery.objects.filter(channel=Channel.PUSH).values_list("pk", flat=True))
    assert push_ids
    held = [t for t in broker() if push_ids & _ids([t])]
    assert held
    assert all(_eta(t) >= message.not_before for t in held)
    assert fake_push.requests == []
