"""The channel interface and its one error."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from notifications.models import Delivery


class ChannelError(Exception):
    """A provider refused or could not take a message.

    ``permanent`` says whether sending the same message to the same address again could
    ever succeed: a timeout or an outage is transient, an invalid or unsubscribed number is
    permanent. ``code`` is the provider's error code when there is one; ``retry_after`` the
    delay, in seconds, a service asked for before a new try.
    """

    def __init__(
        self,
        message: str,
        permanent: bool = False,
        code: str | None = None,
        *,
        retry_after: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.code = code
        self.retry_after = retry_after


Outcome = Callable[["Delivery", "ChannelError | None"], None]


class DeliveryChannel:
    """One way of reaching a member; keeps no state between batches."""

    def send(self, delivery: Delivery) -> None:
        """Hand ``delivery`` to the provider; set ``delivery.provider_message_id`` when it
        gives one; raise ``ChannelError`` when it refuses."""
        raise NotImplementedError

    def send_many(self, deliveries: list[Delivery], *, on_outcome: Outcome) -> None:
        """Send each delivery and report each outcome (None: sent), in the caller's thread."""
        for delivery in deliveries:
            try:
                self.send(delivery)
            except ChannelError as error:
                on_outcome(delivery, error)
            else:
                on_outcome(delivery, None)
