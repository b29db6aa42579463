"""Each SMS the outbox sends keeps what it cost when it left: segments, encoding and the
price per segment of that moment (``SMS_PRICE_PER_SEGMENT``), so that a budget is a sum."""

from decimal import Decimal

import pytest

from alerts.models import AlertCategory
from alerts.services import alert_post
from notifications.models import Channel, Delivery, DeliveryStatus

pytestmark = pytest.mark.django_db


def _post(commit, author, text):
    with commit(execute=True):
        return alert_post(author=author, category=AlertCategory.SCOUTING, text=text)


def test_each_sms_records_its_segments_encoding_and_the_price_of_the_day(
    paul_neighbour, jeanne_resident, django_capture_on_commit_callbacks, settings
):
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.045
    _post(django_capture_on_commit_callbacks, paul_neighbour, "Voiture grise au pas.")
    first = Delivery.objects.get(channel=Channel.SMS, user=jeanne_resident)

    settings.SMS_PRICE_PER_SEGMENT = 0.06
    _post(django_capture_on_commit_callbacks, paul_neighbour, "Fenêtre forcée rue des Vignes.")
    second = Delivery.objects.exclude(pk=first.pk).get(channel=Channel.SMS, user=jeanne_resident)

    first.refresh_from_db()
    assert first.status == second.status == DeliveryStatus.SENT
    assert (first.segments, first.price_per_segment) == (1, Decimal("0.0450"))
    assert first.cost == Decimal("0.0450")
    # One character outside GSM-7 (ê) makes the whole SMS UCS-2, at the same price a segment.
    assert (second.encoding, second.price_per_segment) == ("UCS-2", Decimal("0.0600"))
    assert second.cost == second.segments * Decimal("0.06")
    # E-mail and push cost nothing here.
    assert not Delivery.objects.exclude(channel=Channel.SMS).exclude(segments=None).exists()
