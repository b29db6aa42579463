"""A village's alert is not held behind a town's broadcast: small fan-outs take the pace's
priority lane, and the bulk repays the span they took, so the provider's rate holds over
time. Tasks go to kombu's in-memory broker: the test reads when a worker would send each
batch."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertMessage, AlertSource, ModerationStatus
from notifications.models import Channel, Delivery
from notifications.pacing import sms_pace_reset, sms_slot_delay
from notifications.tasks import outbox_message_fanout
from tests.fakes.celery_broker import task_eta

NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def _fresh_pace():
    sms_pace_reset()
    yield
    sms_pace_reset()


def test_a_small_booking_starts_at_once_while_a_large_one_holds_the_schedule(settings):
    settings.SMS_RATE_PER_SECOND = 10
    settings.SMS_PRIORITY_MAX = 500

    town = sms_slot_delay(count=100_000, now=NOW)  # 10,000 s of SMS at 10/s
    village = sms_slot_delay(count=50, now=NOW + 60)
    hamlet = sms_slot_delay(count=20, now=NOW + 61)
    next_town = sms_slot_delay(count=1_000, now=NOW + 62)

    assert town == 0
    assert village == 0  # not 9,940 s behind the town
    assert hamlet == 4  # behind the village on the priority lane (50 SMS at 10/s from +60 s)
    # The bulk repays what the small ones took: 10,000 + 5 + 2 seconds booked.
    assert next_town == pytest.approx(10_007 - 62)


def test_without_a_priority_lane_every_booking_waits_its_turn(settings):
    settings.SMS_RATE_PER_SECOND = 10
    settings.SMS_PRIORITY_MAX = 0

    sms_slot_delay(count=100_000, now=NOW)

    assert sms_slot_delay(count=50, now=NOW + 60) == 10_000 - 60


def _alert_message(*, commune, author, text):
    alert = Alert.objects.create(
        commune=commune,
        author=author,
        source=AlertSource.ADMIN,
        category=AlertCategory.SCOUTING,
        text=text,
        urgent=True,
        moderation_status=ModerationStatus.APPROVED,
        expires_at=timezone.now() + timedelta(hours=24),
    )
    return AlertMessage.objects.create(
        alert=alert, kind=AlertMessage.Kind.ALERT, text=text, author=author
    )


def _sms_tasks(tasks, message):
    sms = set(
        Delivery.objects.filter(message=message, channel=Channel.SMS).values_list("pk", flat=True)
    )
    return [t for t in tasks if set(t.payload[0][0]) & sms]


def test_a_village_alert_leaves_at_once_while_a_town_broadcast_is_paced(
    settings, broker, cadaujac, centre_bourg, make_member, marc_moderator, didenheim, village
):
    settings.SMS_RATE_PER_SECOND = 0.1  # 10 s a SMS: the order of sending is plain to read
    settings.SMS_PRIORITY_MAX = 2
    for number in range(4):
        make_member(
            f"voisin{number}@cadaujac.test",
            centre_bourg,
            first_name="Voisin",
            last_name=str(number),
            phone=f"+3361100020{number}",
        )
    make_member(
        "dieter@didenheim.test", village, first_name="Dieter", last_name="S", phone="+33611000300"
    )
    hans = make_member("hans@didenheim.test", village, first_name="Hans", last_name="M")
    first = _alert_message(commune=cadaujac, author=marc_moderator, text="Battue ce matin.")
    second = _alert_message(commune=cadaujac, author=marc_moderator, text="Battue prolongée.")
    village_alert = _alert_message(commune=didenheim, author=hans, text="Chien perdu.")

    outbox_message_fanout(first.pk)
    outbox_message_fanout(second.pk)
    outbox_message_fanout(village_alert.pk)
    tasks = broker()
    started = timezone.now()

    [first_task] = _sms_tasks(tasks, first)
    [second_task] = _sms_tasks(tasks, second)
    [village_task] = _sms_tasks(tasks, village_alert)
    assert task_eta(first_task) is None  # the schedule was empty
    # The second broadcast waits for the first's four SMS (40 s at 0.1/s)…
    assert task_eta(second_task) >= started + timedelta(seconds=35)
    # …the village's one SMS does not.
    assert task_eta(village_task) is None or task_eta(village_task) <= started + timedelta(
        seconds=2
    )
