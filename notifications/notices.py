"""Notices: one message to one member, through the outbox like an alert.

A moderation outcome, a registration decision, a gazette decision or digest, a batch of
new messages, an inactivity warning: each is a ``Notice`` written by ``notice_send`` in
the transaction that decides it (a decision that rolls back tells nobody) and fanned out
after commit, so that it gets the outbox's guarantees: one delivery row per channel
written before the provider is called, retries with back-off, reconciliation with Twilio,
the sweep, quiet hours, STOP and undeliverable addresses respected.

The sender words the notice in the member's language and chooses its channels; the
outbox keeps those where the member is reachable (``notifications.reachability``).
Verification codes and password-reset SMS are not notices: they leave inside the request,
through ``notifications.sms.service.sms_send``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone

from .models import NOTICE_PURPOSE, Channel, Notice
from .push import PushNotification
from .quiet_hours import quiet_hours_end
from .reachability import profile_join_sql, reachable_sql, user_table_sql
from .services import outbox_message_dispatch
from .sms.segments import to_gsm7
from .sources import EmailContent, OutboxSource


def email_else_sms(user) -> tuple[Channel, ...]:
    """The usual choice for a notice: by e-mail when the member has an address the
    provider has not reported undeliverable, otherwise by SMS (members who take part by
    SMS alone, or whose mail bounces)."""
    if user.email and getattr(user, "email_undeliverable_at", None) is None:
        return (Channel.EMAIL,)
    return (Channel.SMS,)


def notice_send(
    *,
    user,
    kind: str,
    subject: str,
    text: str,
    channels: Iterable[Channel | str],
    sms_text: str = "",
    sender_name: str = "",
    html: str = "",
    title: str = "",
    url: str = "",
    headers: dict[str, str] | None = None,
    urgent: bool = False,
    expires_at=None,
    payer=None,
    now=None,
) -> Notice | None:
    """Write a notice to ``user`` in the caller's transaction; it leaves after commit.

    ``text`` is the e-mail's plain text (``html`` its optional HTML alternative), and
    ``sms_text`` the SMS and the push's body (``text`` when empty); a push shows
    ``title`` (the subject when empty) and opens ``url``. ``kind`` names what
    the notice is about (``alert_outcome``, ``membership_decision``…) and tags its push,
    so that a newer one replaces the older on screen. Non-urgent SMS and push wait for
    the end of quiet hours (``not_before``); e-mail leaves at once; ``urgent`` ones (an
    alert waiting for its moderators) leave at any hour. ``payer`` is the commune whose
    SMS budget counts the notice's SMS (the commune the notice is about); a notice is
    never held back by a budget. Returns None, writing nothing, when no channel is asked
    for.
    """
    channels = {Channel(channel) for channel in channels}
    if not channels:
        return None
    now = now or timezone.now()
    notice = Notice.objects.create(
        recipient=user,
        kind=kind,
        subject=subject,
        email_text=text,
        email_html=html,
        text=sms_text or text,
        title=title,
        url=url,
        headers=headers or {},
        sender_name=sender_name,
        by_sms=Channel.SMS in channels,
        by_email=Channel.EMAIL in channels,
        by_push=Channel.PUSH in channels,
        urgent=urgent,
        expires_at=expires_at,
        not_before=None if urgent else quiet_hours_end(now=now),
        payer=payer,
    )
    outbox_message_dispatch(message=notice)
    return notice


class NoticeSource(OutboxSource):
    """What the outbox asks of a notice: its one recipient, on the channels asked for
    where they are reachable, and its wording on each channel.

    An SMS notice that fails for good falls back once to the member's e-mail address and
    devices, when they have them (``notifications.fallback``): a channel the notice
    already used is not written twice.
    """

    purpose = NOTICE_PURPOSE
    bulk = True

    def in_bulk(self, message):
        """Notices wait their turn behind alerts, except an urgent one (an alert waiting
        for its moderators), which is read first."""
        if isinstance(message, Notice):
            return not message.urgent
        return not Notice.objects.filter(pk=message.pk, urgent=True).exists()

    def audience_sql(self, *, message):
        flags = {
            Channel.SMS: "n.by_sms",
            Channel.EMAIL: "n.by_email",
            Channel.PUSH: "n.by_push",
        }
        columns = ", ".join(
            f"CASE WHEN {flag} AND ({reachable_sql(channel)}) THEN 1 ELSE 0 END "
            f"AS {channel.value}_ok"
            for channel, flag in flags.items()
        )
        notices = Notice._meta.db_table
        sql = f"""
            SELECT u.id AS user_id, 0 AS restricted, {columns}
            FROM {user_table_sql()} u {profile_join_sql()}
            JOIN {notices} n ON n.recipient_id = u.id
            WHERE n.id = %s AND u.is_active
        """  # noqa: S608 (table names from model metadata, values are parameters)
        return sql, [message.pk]

    def prepare(self, deliveries):
        notices = Notice.objects.in_bulk({d.message_id for d in deliveries})
        for delivery in deliveries:
            delivery.notice = notices[delivery.message_id]

    def _notice(self, delivery) -> Notice:
        if not hasattr(delivery, "notice"):
            self.prepare([delivery])
        return delivery.notice

    def sms_text(self, delivery) -> str:
        """The notice's text in GSM-7 characters ("« »" become '"', "ê" "e"): a notice is
        the platform's wording, and one such character would bill the SMS as UCS-2."""
        return to_gsm7(super().sms_text(delivery))

    def email(self, delivery) -> EmailContent:
        notice = self._notice(delivery)
        return EmailContent(
            subject=notice.subject,
            body=notice.email_text or notice.text,
            html=notice.email_html,
            headers=dict(notice.headers or {}),
        )

    def push(self, delivery) -> PushNotification:
        notice = self._notice(delivery)
        return PushNotification(
            title=notice.title or notice.subject,
            body=notice.text,
            url=notice.url or "/",
            tag=notice.kind,
            urgent=notice.urgent,
        )
