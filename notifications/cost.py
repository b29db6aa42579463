"""What an SMS to many recipients will cost, before it is sent, and how to say it in euros.

The same figures the outbox records when each SMS leaves (``Delivery.segments`` ×
``Delivery.price_per_segment``, see ``notifications.channels.sms``): segments from the
text's encoding (``notifications.sms.segments``), the price per segment of
``SMS_PRICE_PER_SEGMENT`` now.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from .channels.sms import sms_price_per_segment
from .sms.segments import SmsSegmentation, sms_segments

CENT = Decimal("0.01")


@dataclass(frozen=True)
class SmsCostEstimate:
    """``recipients`` SMS of ``segmentation.segments`` segments each, at ``price_per_segment``."""

    segmentation: SmsSegmentation
    recipients: int
    price_per_segment: Decimal

    @property
    def segments(self) -> int:
        """Segments billed in all: each recipient's SMS counts every one of its segments."""
        return self.recipients * self.segmentation.segments

    @property
    def total(self) -> Decimal:
        return (self.price_per_segment * self.segments).quantize(CENT, rounding=ROUND_HALF_UP)


def sms_cost_estimate(*, text: str, recipients: int) -> SmsCostEstimate:
    """The cost of sending ``text`` by SMS to ``recipients`` people at today's price."""
    return SmsCostEstimate(
        segmentation=sms_segments(text),
        recipients=recipients,
        price_per_segment=sms_price_per_segment(),
    )


def euros(amount: Decimal) -> str:
    """``amount`` as French readers write it: « 1 234,50 € » (the active language's
    separators, two decimals, a no-break space before the sign)."""
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)}\u00a0€"
