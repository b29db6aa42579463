"""Alerts in a member's GDPR export and erasure (``accounts.gdpr``'s registry).

Export: the alerts they posted, and what the platform sent them (which alert, kind,
channel, outcome: the outbox's deliveries of alert messages). Erasure: what they posted
stays for the community and the mairie, with no author (SET_NULL), as do their moderation
and police steps in an alert's history; what was sent to them goes with the user row
(CASCADE).
"""

from accounts.gdpr import ExportPart, GdprSection, export_row, gdpr_section_register, jsonable
from notifications.models import Delivery

from .models import ALERT_PURPOSE, Alert


def alerts_export(*, user) -> ExportPart:
    return ExportPart(
        data={
            "alerts_posted": [
                export_row(row, exclude=("author", "police_taken_by", "inbound_message_sid"))
                | {"community": row.community.name if row.community_id else None}
                for row in Alert.objects.filter(author=user).select_related("community")
            ],
            "alert_messages_received": [
                {
                    "alert": row.message.alert_message.alert_id,
                    "kind": row.message.alert_message.kind,
                    "channel": row.channel,
                    "status": row.status,
                    "sent_at": jsonable(row.sent_at),
                }
                for row in Delivery.objects.filter(
                    user=user, message__purpose=ALERT_PURPOSE
                ).select_related("message__alert_message")
            ],
        }
    )


def register() -> None:
    gdpr_section_register(
        GdprSection(
            name="alerts",
            covers=("alerts.Alert", "alerts.AlertEvent", "alerts.AlertMessage"),
            export=alerts_export,
        )
    )
