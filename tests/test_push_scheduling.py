"""When pushes leave: a push service's Retry-After is honoured by the retry, and a
non-urgent mairie broadcast posted at night waits for the morning before it is pushed.

Tasks go through a real Celery producer to kombu's in-memory transport (not eager), so the
tests read what a worker would receive: which ids, and when.
"""

from datetime import timedelta

from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertMessage, AlertSource, ModerationStatus
from alerts.services import alert_post
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_send_task, outbox_message_fanout
from tests.fakes.celery_broker import task_eta, task_ids


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
    assert task_ids([retry]) == {delivery.pk}
    assert task_eta(retry) >= before + timedelta(seconds=299)
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
    assert task_eta(retry) is None or task_eta(retry) <= before + timedelta(seconds=61)


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
    held = [t for t in broker() if push_ids & task_ids([t])]
    assert held
    assert all(task_eta(t) >= message.not_before for t in held)
    assert fake_push.requests == []
