"""Tallies: what each message's deliveries came to, counted once rather than on every read.

A commune of 150,000 members sends millions of deliveries a year: the mairie's dashboard
and the SMS budget must not count them on each view. ``tallies_refresh`` counts the
deliveries of every *open* message (one still sending, or fanned out less than
``SETTLE_AFTER`` ago) into a few rows per message (``DeliveryTally``: per channel, and for
SMS per month they left) and what it reached on no channel (``MessageTally.unreached``).
It runs every minute (Celery beat), and sooner while a dashboard is watched
(``notifications.tasks.tallies_refresh_soon``). A settled message is never counted again:
nothing changes its deliveries but a provider's late report (a status callback, a bounce)
or a fall-back, and those reopen it (``tallies_reopen``).

Readers sum tallies: a few rows per message, whatever the number of members, and may keep
what they read until the tallies' generation changes (``tallies_generation``): a refresh
that counted any open message moves it on. The SMS budget, which refuses sends, must be
exact at every moment: it sums the settled tallies and counts the deliveries of the few
open messages itself (``sms_spent``).

An erased account (GDPR erasure) takes its deliveries with it, but a settled message's
tallies keep counting them, on purpose: they are history, not personal data. A tally is a
handful of numbers per message and channel (and SMS month), with no recipient, address or
text; what it says — so many SMS left, cost so much, so many failed — stays true after the
recipient is gone, and the commune paid for those SMS: taking them out of the month's spend
would let a mairie's budget and the council's report say less than the bill. Only a
message reopened by a late report is counted again from the deliveries that remain, the
erased member's then left out (``tests/test_tallies_after_erasure.py``).
"""

from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, DecimalField, F, Max, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import Channel, Delivery, DeliveryStatus, DeliveryTally, MessageTally, OutboxMessage

# How long after its fan-out a message with nothing left to send is still counted again at
# each refresh: what changes its deliveries after that is reported by a hook that reopens it.
SETTLE_AFTER = timedelta(hours=1)
# New messages are found above the highest tallied id, less this margin: a message whose
# transaction committed after later ones is still found.
NEW_MESSAGES_MARGIN = 10_000
# Open messages counted per round (an id list within every database's parameter limit).
CHUNK = 5000
DELIVERED = [DeliveryStatus.SENT, DeliveryStatus.DELIVERED]
PENDING = [DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
GENERATION_KEY = "notifications:tallies:generation"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _cost_sum():
    return Sum(
        F("segments") * F("price_per_segment"),
        output_field=DecimalField(max_digits=14, decimal_places=4),
    )


def _sent_sms() -> Q:
    return Q(channel=Channel.SMS, sent_at__isnull=False, segments__isnull=False)


def _tallies_open_new() -> None:
    """Open a tally for every message that has none yet (the first run: for all)."""
    highest = MessageTally.objects.aggregate(highest=Max("message_id"))["highest"] or 0
    tally, message = _table(MessageTally), _table(OutboxMessage)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {tally} (message_id, unreached, settled)
            SELECT m.id, 0, FALSE FROM {message} m
            LEFT JOIN {tally} t ON t.message_id = m.id
            WHERE m.id > %s AND t.message_id IS NULL
            ON CONFLICT (message_id) DO NOTHING
            """,  # noqa: S608 (table names from our models)
            [highest - NEW_MESSAGES_MARGIN],
        )


def _unreached(open_ids) -> dict[int, int]:
    """Per open message, the members with deliveries that all failed."""
    delivery = _table(Delivery)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT u.message_id, COUNT(*) FROM (
                SELECT d.message_id FROM {delivery} d
                WHERE d.message_id IN ({open_ids})
                GROUP BY d.message_id, d.user_id
                HAVING SUM(CASE WHEN d.status = %s THEN 0 ELSE 1 END) = 0
            ) u GROUP BY u.message_id
            """,  # noqa: S608 (table names from our models, ids from our own query)
            [DeliveryStatus.FAILED],
        )
        return dict(cursor.fetchall())


def _count(messages: dict[int, dict], *, now: datetime) -> None:
    """Rewrite the tallies of ``messages`` (locked, by id) from their deliveries."""
    ids = list(messages)
    rows = (
        Delivery.objects.filter(message_id__in=ids)
        .values("message_id", "channel", month=TruncMonth("sent_at"))
        .annotate(
            delivered=Count("pk", filter=Q(status__in=DELIVERED)),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            pending=Count("pk", filter=Q(status__in=PENDING)),
            sms=Count("pk", filter=_sent_sms()),
            total_segments=Sum("segments", filter=_sent_sms()),
            cost=_cost_sum(),
        )
        .order_by()
    )
    tallies, pending = [], defaultdict(int)
    for row in rows:
        month = row["month"]
        pending[row["message_id"]] += row["pending"]
        tallies.append(
            DeliveryTally(
                message_id=row["message_id"],
                payer_id=messages[row["message_id"]]["payer_id"],
                channel=row["channel"],
                month=timezone.localtime(month).date() if month else None,
                delivered=row["delivered"],
                failed=row["failed"],
                pending=row["pending"],
                sms=row["sms"],
                segments=row["total_segments"] or 0,
                cost=row["cost"] if row["sms"] else Decimal(0),
            )
        )
    unreached = _unreached(",".join(str(int(pk)) for pk in ids))
    DeliveryTally.objects.filter(message_id__in=ids).delete()
    DeliveryTally.objects.bulk_create(tallies, batch_size=2000)
    cutoff = now - SETTLE_AFTER

    def settles(message) -> bool:
        done_at = message["fanned_out_at"] or message["withdrawn_at"]
        return done_at is not None and done_at < cutoff and not pending[message["pk"]]

    MessageTally.objects.filter(message_id__in=ids).update(unreached=0, refreshed_at=now)
    MessageTally.objects.filter(
        message_id__in=[pk for pk, message in messages.items() if settles(message)]
    ).update(settled=True)
    if unreached:
        MessageTally.objects.bulk_update(
            [MessageTally(message_id=pk, unreached=n) for pk, n in unreached.items()],
            ["unreached"],
            batch_size=2000,
        )


def tallies_refresh(*, now: datetime | None = None) -> int:
    """Count the deliveries of every open message into its tallies, and settle those with
    nothing left to send that were fanned out (or withdrawn) more than ``SETTLE_AFTER`` ago;
    return how many messages were counted. A fixed number of queries, whatever the number
    of deliveries (one round per ``CHUNK`` open messages).

    The open tallies are locked while counted: a second run at the same moment skips them,
    and a hook reopening one waits, then reopens it after this count (so its change is
    counted next time, never lost).
    """
    now = now or timezone.now()
    _tallies_open_new()
    with transaction.atomic():
        open_ids = list(
            MessageTally.objects.filter(settled=False)
            .select_for_update(skip_locked=True)
            .values_list("message_id", flat=True)
        )
        for start in range(0, len(open_ids), CHUNK):
            # Read before the counts: a message fanned out now had all its rows written then.
            messages = {
                row["pk"]: row
                for row in OutboxMessage.objects.filter(
                    pk__in=open_ids[start : start + CHUNK]
                ).values("pk", "payer_id", "fanned_out_at", "withdrawn_at")
            }
            if messages:
                _count(messages, now=now)
    if open_ids:
        _generation_bump()
    return len(open_ids)


def tallies_generation() -> int:
    """A number that changes whenever a refresh has counted deliveries into the tallies:
    what was read from them before may be kept as long as it stays the same."""
    return cache.get(GENERATION_KEY, 0)


def _generation_bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, timeout=None)


def tallies_reopen(*, message_ids) -> int:
    """Count these messages again at the next refresh: their deliveries changed after
    they settled (a late status callback, a bounce, a fall-back). One query."""
    return MessageTally.objects.filter(message_id__in=message_ids, settled=True).update(
        settled=False
    )


def sms_spent(*, since: datetime, payer_ids=None) -> dict[int, dict]:
    """The SMS sent since ``since`` (the first instant of a month) that each payer pays
    for: ``{payer_id: {"sms", "segments", "cost"}}``, exact at this moment: the settled
    messages' tallies, and the open messages' deliveries counted here (a few recent
    messages). Two queries."""
    totals: dict[int, dict] = defaultdict(lambda: {"sms": 0, "segments": 0, "cost": Decimal(0)})
    tallied = DeliveryTally.objects.filter(
        channel=Channel.SMS,
        month__gte=timezone.localtime(since).date(),
        message__tally__settled=True,
    )
    # Driven by the open messages (a few), never by a scan of the month's deliveries.
    open_messages = OutboxMessage.objects.exclude(tally__settled=True)
    if payer_ids is not None:
        tallied = tallied.filter(payer_id__in=payer_ids)
        open_messages = open_messages.filter(payer__in=payer_ids)
    else:
        tallied = tallied.filter(payer__isnull=False)
        open_messages = open_messages.filter(payer__isnull=False)
    live = Delivery.objects.filter(
        _sent_sms(), sent_at__gte=since, message_id__in=open_messages.values("pk")
    )
    for row in (
        tallied.values("payer_id")
        .annotate(n=Sum("sms"), total_segments=Sum("segments"), total_cost=Sum("cost"))
        .order_by()
    ):
        total = totals[row["payer_id"]]
        total["sms"] += row["n"] or 0
        total["segments"] += row["total_segments"] or 0
        total["cost"] += row["total_cost"] or Decimal(0)
    for row in (
        live.values(payer_id=F("message__payer"))
        .annotate(n=Count("pk"), total_segments=Sum("segments"), total_cost=_cost_sum())
        .order_by()
    ):
        total = totals[row["payer_id"]]
        total["sms"] += row["n"]
        total["segments"] += row["total_segments"] or 0
        total["cost"] += row["total_cost"] or Decimal(0)
    return dict(totals)
