"""An e-mail the provider reports undeliverable: its delivery row says so.

Called by ``accounts.email_bounces`` for every hard bounce, refusal or complaint, whatever
sent the e-mail (an alert, a notice, a digest); the row is found by the provider's message
id, recorded when the e-mail was sent.
"""

from django.utils import timezone

from .models import Channel, Delivery, DeliveryStatus
from .tallies import tallies_reopen

# ``Delivery.provider_message_id`` holds 64 characters: longer ids are kept, and looked up,
# by their first 64 (the unique part of providers' ids comes first).
MESSAGE_ID_LENGTH = 64


def delivery_email_undeliverable(*, message_id: str, reason: str) -> int:
    """Fail the e-mail delivery sent as ``message_id`` (permanently: never retried)."""
    rows = Delivery.objects.filter(
        channel=Channel.EMAIL, provider_message_id=message_id[:MESSAGE_ID_LENGTH]
    )
    failed = rows.exclude(status=DeliveryStatus.FAILED).update(
        status=DeliveryStatus.FAILED,
        permanent_failure=True,
        error_code=reason[:32],
        updated_at=timezone.now(),
    )
    if failed:
        # A bounce comes late: the message's tally may have settled already.
        tallies_reopen(message_ids=rows.values("message_id"))
    return failed
