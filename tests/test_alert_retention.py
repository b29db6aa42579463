"""Alert texts and identifying details are erased on time; delivery figures stay."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertEvent, InboundSms
from alerts.retention import alerts_retention_apply
from alerts.services import alert_post
from notifications.models import Delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def plate_alert(jeanne_resident, paul_neighbour, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return alert_post(
            author=jeanne_resident,
            category=AlertCategory.SCOUTING,
            text="Camionnette blanche qui tourne rue des Écoles depuis 14 h",
            identifying_details="AB-123-CD",
        )


def test_identifying_details_go_first_and_the_text_stays(plate_alert, settings):
    message = plate_alert.messages.get()
    assert "AB-123-CD" in message.restricted_text
    later = timezone.now() + timedelta(days=settings.ALERT_DETAILS_RETENTION_DAYS + 1)

    with time_machine.travel(later):
        outcome = alerts_retention_apply()

    plate_alert.refresh_from_db()
    message.refresh_from_db()
    assert outcome["details"] == 1
    assert plate_alert.identifying_details == ""
    assert "AB-123-CD" not in message.restricted_text
    assert "Camionnette blanche" in plate_alert.text
    assert "Camionnette blanche" in message.text
    assert plate_alert.events.filter(action=AlertEvent.Action.DETAILS_ERASED).count() == 1


def test_texts_are_erased_after_the_retention_period_and_figures_remain(plate_alert, settings):
    deliveries_before = Delivery.objects.filter(message__alert_message__alert=plate_alert).count()
    assert deliveries_before > 0
    later = timezone.now() + timedelta(days=settings.ALERT_RETENTION_DAYS + 1)

    with time_machine.travel(later):
        alerts_retention_apply()
        again = alerts_retention_apply()

    plate_alert.refresh_from_db()
    assert plate_alert.text == ""
    assert plate_alert.text_erased_at is not None
    assert set(plate_alert.messages.values_list("text", "restricted_text")) == {("", "")}
    assert (
        Delivery.objects.filter(message__alert_message__alert=plate_alert).count()
        == deliveries_before
    )
    assert plate_alert.category == AlertCategory.SCOUTING
    assert again == {"texts": 0, "details": 0, "inbound_sms": 0}
    assert plate_alert.events.filter(action=AlertEvent.Action.TEXT_ERASED).count() == 1


def test_recent_alerts_keep_everything(plate_alert):
    outcome = alerts_retention_apply()

    plate_alert.refresh_from_db()
    assert outcome["texts"] == outcome["details"] == 0
    assert plate_alert.identifying_details == "AB-123-CD"


def test_inbound_sms_records_are_dropped_after_a_month():
    InboundSms.objects.create(message_sid="SM" + "1" * 32, outcome="stop")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        assert alerts_retention_apply()["inbound_sms"] == 1
    assert not InboundSms.objects.exists()
    assert Alert.objects.count() == 0


def test_deliveries_go_with_their_recipient_and_their_message(
    plate_alert, paul_neighbour, marc_moderator, django_capture_on_commit_callbacks
):
    # Deliveries carry no database foreign keys (bulk-write speed): Django deletes them.
    with django_capture_on_commit_callbacks(execute=True):
        second = alert_post(
            author=plate_alert.author,
            category=AlertCategory.LOST_ANIMAL,
            text="Chien beige perdu près du lavoir",
        )
    assert Delivery.objects.filter(user=paul_neighbour).count() == 2
    paul_neighbour.delete()
    assert not Delivery.objects.filter(user_id=paul_neighbour.pk).exists()

    message = second.messages.get()
    assert Delivery.objects.filter(message=message).exists()  # the moderator's copy
    second.delete()
    assert not Delivery.objects.filter(message_id=message.pk).exists()
