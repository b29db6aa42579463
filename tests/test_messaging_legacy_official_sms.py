"""Targeted messages written before the outbox carried their SMS: the migration hands the
SMS still queued to the outbox, which sends each once; those that left are not sent again."""

import importlib

from django.apps import apps

from messaging.models import OfficialSend
from notifications.models import Channel, Delivery, DeliveryStatus, OutboundSms, SmsPurpose
from notifications.sending import deliveries_send

migration = importlib.import_module("messaging.migrations.0003_legacy_official_sms_to_outbox")


def _legacy_send(cadaujac, author, rows):
    send = OfficialSend.objects.create(
        commune=cadaujac, sent_by=author, target="commune", text="Coupure d'eau demain 9h-12h."
    )
    for to, status in rows:
        send.sms_messages.add(
            OutboundSms.objects.create(
                to=to,
                body="Mairie de Cadaujac : coupure d'eau demain 9h-12h.",
                purpose=SmsPurpose.MESSAGE,
                status=status,
            )
        )
    return send


def test_queued_sms_of_an_old_targeted_message_leave_once_through_the_outbox(
    django_user_model, cadaujac, jeanne_resident, fake_twilio
):
    germaine = django_user_model.objects.create_user(
        phone="+33611000101", first_name="Germaine", last_name="Sms"
    )
    django_user_model.objects.create_user(
        phone="+33611000102", first_name="Marcel", last_name="Sms"
    )
    send = _legacy_send(
        cadaujac,
        jeanne_resident,
        [("+33611000101", "queued"), ("+33611000102", "sent"), ("+33611000199", "queued")],
    )

    migration.queued_sms_to_outbox(apps, None)
    migration.queued_sms_to_outbox(apps, None)  # a second run hands over nothing more

    send.refresh_from_db()
    rows = Delivery.objects.filter(message=send.outbox_message)
    assert [(row.user_id, row.channel, row.status) for row in rows] == [
        (germaine.pk, Channel.SMS, DeliveryStatus.QUEUED)
    ]
    assert send.outbox_message.fanned_out_at is not None  # its audience is not read again
    statuses = dict(send.sms_messages.values_list("to", "status"))
    assert statuses == {"+33611000101": "failed", "+33611000102": "sent", "+33611000199": "failed"}
    unknown = send.sms_messages.get(to="+33611000199")
    assert "Aucun compte" in unknown.error_message

    deliveries_send(ids=[row.pk for row in rows])
    assert fake_twilio.messages_to() == {"+33611000101": 1}
    assert Delivery.objects.get(pk=rows[0].pk).status == DeliveryStatus.SENT
