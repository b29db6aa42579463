"""Quiet hours: a message held until ``not_before`` has its e-mails sent at once, while its
SMS and push wait for the morning — in the broker, with an ETA, and untouched by the sweep.

Tasks go through a real Celery producer to kombu's in-memory transport (not eager), so
the test reads what the worker would receive: which task, which ids, and when.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertMessage, AlertSource, ModerationStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_recover, deliveries_send_task, outbox_message_fanout
from tests.fakes.celery_broker import task_eta

pytestmark = pytest.mark.django_db


@pytest.fixture
def night_broadcast(cadaujac, centre_bourg, jeanne_resident, paul_neighbour, marc_moderator):
    """A non-urgent roadworks broadcast posted at night, held until 8 o'clock."""
    from accounts.models import User

    User.objects.filter(pk=paul_neighbour.pk).update(phone="+33611223355")
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
    return AlertMessage.objects.create(
        alert=alert,
        kind=AlertMessage.Kind.ALERT,
        text="Mairie de Cadaujac — Voirie : rue des Vignes fermée demain de 8 h à 12 h.",
        author=marc_moderator,
        not_before=timezone.now() + timedelta(hours=6),
    )


def test_emails_leave_at_once_and_sms_wait_for_the_morning(night_broadcast, broker, fake_twilio):
    outbox_message_fanout(night_broadcast.pk)

    tasks = broker()
    assert {t.headers["task"] for t in tasks} == {deliveries_send_task.name}
    email_ids = set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    sms_ids = set(Delivery.objects.filter(channel=Channel.SMS).values_list("pk", flat=True))
    assert email_ids
    assert sms_ids
    at_once = [t for t in tasks if task_eta(t) is None or task_eta(t) <= timezone.now()]
    held = [t for t in tasks if t not in at_once]
    assert {pk for t in at_once for pk in t.payload[0][0]} == email_ids
    assert {pk for t in held for pk in t.payload[0][0]} == sms_ids
    assert all(task_eta(t) >= night_broadcast.not_before for t in held)

    # The worker runs what is due now: e-mails only.
    for task in at_once:
        deliveries_send_task(*task.payload[0])
    assert len(mail.outbox) == len(email_ids)
    assert fake_twilio.message_requests() == []
    assert set(Delivery.objects.filter(channel=Channel.SMS).values_list("status", flat=True)) == {
        DeliveryStatus.QUEUED
    }


def test_the_sweep_does_not_send_held_sms_before_the_morning(night_broadcast, broker, fake_twilio):
    outbox_message_fanout(night_broadcast.pk)
    broker()
    Delivery.objects.update(updated_at=timezone.now() - timedelta(hours=1))

    deliveries_recover()

    resent = [pk for t in broker() for pk in t.payload[0][0]]
    sms_ids = set(Delivery.objects.filter(channel=Channel.SMS).values_list("pk", flat=True))
    assert sms_ids.isdisjoint(resent)
    assert fake_twilio.message_requests() == []


def test_held_sms_leave_once_the_morning_has_come(night_broadcast, broker, fake_twilio):
    outbox_message_fanout(night_broadcast.pk)
    held = [t for t in broker() if task_eta(t) and task_eta(t) > timezone.now()]

    # Morning: the held tasks are due; the worker runs them.
    AlertMessage.objects.filter(pk=night_broadcast.pk).update(
        not_before=timezone.now() - timedelta(minutes=1)
    )
    for task in held:
        deliveries_send_task(*task.payload[0])

    assert sorted(r.params["To"] for r in fake_twilio.message_requests()) == [
        "+33611223344",
        "+33611223355",
    ]
    assert set(Delivery.objects.filter(channel=Channel.SMS).values_list("status", flat=True)) == {
        DeliveryStatus.SENT
    }


def test_a_message_without_quiet_hours_sends_sms_at_once(night_broadcast, broker, settings):
    settings.SMS_RATE_PER_SECOND = 0  # no pacing: every batch is due now
    AlertMessage.objects.filter(pk=night_broadcast.pk).update(not_before=None)

    outbox_message_fanout(night_broadcast.pk)

    tasks = broker()
    assert tasks
    assert all(task_eta(t) is None or task_eta(t) <= timezone.now() for t in tasks)
