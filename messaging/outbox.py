"""What the outbox asks of the mairie's targeted messages: whose SMS, and in which words.

Registered in ``MessagingConfig.ready``. The audience is read again from the send's target
(``OfficialSend.audience``): the verified members aimed at who take part by SMS alone,
the sender left out, each with an SMS delivery when reachable by SMS (the outbox's rule).
Each SMS is worded in its recipient's language; an SMS that fails for good falls back to
nothing (these members have no other channel): they show on the send's call list.
"""

from django.utils.translation import override

from accounts.member_language import member_language
from notifications.models import Channel
from notifications.reachability import reachable_sql, users_with_profiles_sql
from notifications.sources import OutboxSource

from .models import OfficialSend
from .official import OFFICIAL_PURPOSE, official_sms_audience, official_sms_text


class OfficialOutboxSource(OutboxSource):
    purpose = OFFICIAL_PURPOSE

    def audience_sql(self, *, message):
        send = OfficialSend.objects.select_related("commune").get(outbox_message=message)
        users, params = official_sms_audience(send=send).values("pk").query.sql_with_params()
        sql = f"""
            SELECT u.id AS user_id, 0 AS restricted,
                   CASE WHEN {reachable_sql(Channel.SMS)} THEN 1 ELSE 0 END AS sms_ok,
                   0 AS email_ok, 0 AS push_ok
            FROM {users_with_profiles_sql()}
            WHERE u.id IN ({users})
        """  # noqa: S608 (table names from model metadata, values are parameters)
        return sql, list(params)

    def prepare(self, deliveries):
        sends = {
            send.outbox_message_id: send
            for send in OfficialSend.objects.filter(
                outbox_message__in={d.message_id for d in deliveries}
            ).select_related("commune")
        }
        for delivery in deliveries:
            delivery.official_send = sends[delivery.message_id]

    def sms_text(self, delivery) -> str:
        if not hasattr(delivery, "official_send"):
            self.prepare([delivery])
        send = delivery.official_send
        with override(member_language(delivery.user)):
            return official_sms_text(
                commune=send.commune,
                subject=send.subject,
                text=send.text,
                replies_allowed=send.replies_allowed,
            )

    def falls_back(self, delivery) -> bool:
        return False
