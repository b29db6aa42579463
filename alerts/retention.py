"""Retention of alerts (GDPR art. 5 and 10): texts go, statistics stay.

Identifying details (a number plate, a name: data about suspected offences) are erased
first, after ``ALERT_DETAILS_RETENTION_DAYS``; the texts of the alert and of every message
sent about it after ``ALERT_RETENTION_DAYS``. The alert row, its category, dates, audit
history and delivery rows (who was reached on which channel, with which outcome) remain,
so the mairie's figures do not change when the words disappear.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from moderation.models import Report

from .models import Alert, AlertEvent, AlertMessage, InboundSms

# An inbound SMS row only exists so that a provider retry gets the same answer.
INBOUND_SMS_KEPT = timedelta(days=30)


def _erase_details(*, before) -> int:
    alerts = Alert.objects.filter(created_at__lt=before).exclude(identifying_details="")
    ids = list(alerts.values_list("pk", flat=True))
    if not ids:
        return 0
    Alert.objects.filter(pk__in=ids).update(identifying_details="")
    # The staff's copy of each SMS quoted the details: neighbours' text is what remains.
    AlertMessage.objects.filter(alert_id__in=ids).exclude(restricted_text="").update(
        restricted_text=""
    )
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert_id=pk, action=AlertEvent.Action.DETAILS_ERASED) for pk in ids]
    )
    return len(ids)


def _erase_texts(*, before, now) -> int:
    ids = list(
        Alert.objects.filter(created_at__lt=before, text_erased_at=None).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    Alert.objects.filter(pk__in=ids).update(text="", identifying_details="", text_erased_at=now)
    AlertMessage.objects.filter(alert_id__in=ids).update(text="", restricted_text="")
    Report.objects.filter(
        content_type__app_label="alerts", content_type__model="alert", object_id__in=ids
    ).update(reason="", decision_note="")
    AlertEvent.objects.filter(alert_id__in=ids).update(reason="")
    AlertEvent.objects.bulk_create(
        [AlertEvent(alert_id=pk, action=AlertEvent.Action.TEXT_ERASED) for pk in ids]
    )
    return len(ids)


@transaction.atomic
def alerts_retention_apply(*, now=None) -> dict[str, int]:
    """Erase what has outlived its retention period; return how many alerts were touched."""
    now = now or timezone.now()
    texts = _erase_texts(before=now - timedelta(days=settings.ALERT_RETENTION_DAYS), now=now)
    details = _erase_details(before=now - timedelta(days=settings.ALERT_DETAILS_RETENTION_DAYS))
    inbound, _ = InboundSms.objects.filter(received_at__lt=now - INBOUND_SMS_KEPT).delete()
    return {"texts": texts, "details": details, "inbound_sms": inbound}
