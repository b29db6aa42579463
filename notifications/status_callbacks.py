"""A provider's status callback on a delivery: monotonic, replay-safe, and its fall-back.

Twilio calls ``/sms/status/`` when a message is delivered, undelivered or failed, late,
twice or out of order. Only a sent delivery moves on (to delivered or failed), checked in
the UPDATE itself, so ``delivered`` followed by a late ``sent`` stays ``delivered`` and a
replayed ``failed`` falls back to nothing a second time. An SID nobody sent is ignored.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

from .fallback import sms_failures_settle
from .models import Delivery, DeliveryStatus
from .sms.backends import TWILIO_PERMANENT_CODES
from .tallies import tallies_reopen
from .tasks import deliveries_enqueue

logger = logging.getLogger(__name__)

# What Twilio reports in a status callback, in our statuses (monotonic: only a sent row moves).
CALLBACK_STATUSES = {
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.DELIVERED,
    "undelivered": DeliveryStatus.FAILED,
    "failed": DeliveryStatus.FAILED,
}


def fallbacks_enqueue(ids: list[int]) -> None:
    """Send the fall-back deliveries after commit; a broker that is down leaves them queued,
    for the sweep."""
    if not ids:
        return

    def enqueue():
        try:
            deliveries_enqueue(ids)
        except OperationalError:
            logger.warning("Broker unreachable: fall-back deliveries %s left to the sweep", ids)

    transaction.on_commit(enqueue)


@transaction.atomic
def delivery_status_callback(*, provider_message_id: str, status: str, error_code: str) -> bool:
    """Apply a provider's status callback to the delivery it names; False if none.

    Monotonic: only a sent delivery moves on (to delivered or failed), so a late, repeated
    or out-of-order callback changes nothing, and falls back to nothing a second time.
    """
    new_status = CALLBACK_STATUSES.get(status)
    rows = Delivery.objects.filter(provider_message_id=provider_message_id)
    if new_status is None or not provider_message_id:
        return rows.exists()
    moved = rows.filter(status=DeliveryStatus.SENT).update(
        status=new_status,
        error_code=(error_code or "")[:32],
        permanent_failure=new_status == DeliveryStatus.FAILED
        and error_code in TWILIO_PERMANENT_CODES,
    )
    if moved:
        # A late outcome changes a message's tally, even one already settled.
        tallies_reopen(message_ids=rows.values("message_id"))
    if moved and new_status == DeliveryStatus.FAILED:
        fallbacks_enqueue(sms_failures_settle(deliveries=list(rows)))
    return bool(moved) or rows.exists()
