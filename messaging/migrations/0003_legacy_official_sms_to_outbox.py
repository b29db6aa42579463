"""Hand the SMS of targeted messages written before the outbox carried them to the outbox.

Such a message kept one ``OutboundSms`` row per SMS-only member, sent by a sweep of its own
(``messaging.official_sms_sweep``). That second sending path is gone: the rows still
queued (held for the legal hours, or whose task was lost) become deliveries of an outbox
message, already fanned out so that its audience is not read again (members whose SMS left
must not get a second one); the outbox's sweep sends them with its guarantees (pacing,
retries, reconciliation, at most once). Rows that left stay as they are, the message's
history. A queued row whose number no longer belongs to any account is closed as failed.
"""

from django.db import migrations
from django.utils import timezone

OFFICIAL_PURPOSE = "official"
HANDED_OVER = "Confié à la file d'envoi commune (outbox)."
NO_ACCOUNT = "Aucun compte n'a plus ce numéro : SMS non envoyé."


def queued_sms_to_outbox(apps, schema_editor):
    OfficialSend = apps.get_model("messaging", "OfficialSend")
    OutboxMessage = apps.get_model("notifications", "OutboxMessage")
    Delivery = apps.get_model("notifications", "Delivery")
    User = apps.get_model("accounts", "User")
    now = timezone.now()
    sends = OfficialSend.objects.filter(sms_messages__status="queued").distinct()
    for send in sends.select_related("commune"):
        queued = list(send.sms_messages.filter(status="queued").order_by("pk"))
        message = None
        if send.outbox_message_id:
            message = OutboxMessage.objects.filter(pk=send.outbox_message_id).first()
        if message is None:
            message = OutboxMessage.objects.create(
                purpose=OFFICIAL_PURPOSE,
                sender_name=send.commune.sms_sender_name,
                text=queued[0].body,
                not_before=send.sms_not_before,
                fanned_out_at=now,
            )
            send.outbox_message = message
            send.save(update_fields=["outbox_message"])
        users = {
            str(phone): pk
            for phone, pk in User.objects.filter(phone__in=[sms.to for sms in queued]).values_list(
                "phone", "pk"
            )
        }
        for sms in queued:
            user_id = users.get(sms.to)
            if user_id is None:
                sms.status, sms.error_message = "failed", NO_ACCOUNT
            else:
                Delivery.objects.get_or_create(
                    message=message,
                    user_id=user_id,
                    channel="sms",
                    defaults={"status": "queued", "created_at": now, "updated_at": now},
                )
                sms.status, sms.error_message = "failed", HANDED_OVER
            sms.save(update_fields=["status", "error_message"])


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0002_official_messages_through_the_outbox"),
        ("notifications", "0005_notices"),
        ("accounts", "0006_terms_of_use"),
    ]

    operations = [migrations.RunPython(queued_sms_to_outbox, migrations.RunPython.noop)]
