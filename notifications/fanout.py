"""Fan-out: from one outbox message to one delivery row per recipient and channel.

The rows are written by one set-based ``INSERT … SELECT`` for every channel (about 0.25 s
for 100,000 rows on PostgreSQL, against seconds for ``bulk_create``), unique per message ×
recipient × channel so that a member counted twice by the audience, or a fan-out run
twice, still gets one message per channel. Who the message reaches is its source's answer
(``OutboxSource.audience_sql``), asked once.
"""

from django.db import connection, transaction
from django.utils import timezone

from .models import Channel, Delivery, OutboxMessage
from .sources import outbox_source

ALL_CHANNELS = (Channel.PUSH, Channel.EMAIL, Channel.SMS)


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def deliveries_write(*, message: OutboxMessage, channels=ALL_CHANNELS) -> int:
    """Write the queued deliveries of ``message`` for ``channels``; return how many are new.

    Recipients and their channels come from the message's source, restricted recipients
    (the mairie and the police of an alert) marked so. A withdrawn message writes nothing;
    one sent without SMS (``sms_withheld``) writes no SMS. Idempotent.
    """
    if message.withdrawn_at is not None:
        return 0
    channels = [Channel(channel) for channel in channels]
    if message.sms_withheld:
        channels = [channel for channel in channels if channel != Channel.SMS]
    if not channels:
        return 0
    audience, audience_params = outbox_source(message.purpose).audience_sql(message=message)
    wanted = " UNION ALL ".join(f"SELECT '{channel.value}' AS channel" for channel in channels)
    reachable = " OR ".join(
        f"(c.channel = '{channel.value}' AND a.{channel.value}_ok = 1)" for channel in channels
    )
    now = timezone.now()
    # "WHERE 1 = 1": SQLite needs a WHERE before ON CONFLICT in an INSERT … SELECT.
    sql = f"""
        INSERT INTO {_table(Delivery)}
            (message_id, user_id, channel, restricted, status, attempts,
             error_code, permanent_failure, created_at, updated_at, encoding)
        SELECT %s, a.user_id, c.channel,
               CASE WHEN a.restricted = 1 THEN TRUE ELSE FALSE END,
               'queued', 0, '', FALSE, %s, %s, ''
        FROM ({audience}) a
        JOIN ({wanted}) c ON {reachable}
        WHERE 1 = 1
        ON CONFLICT (message_id, user_id, channel) DO NOTHING
    """  # noqa: S608 (channel names from our own enum, values are parameters)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner cannot guess how many members a channel flag keeps, estimates a
            # few rows at a huge cost, and JIT-compiles the statement: 0.66 s of 1.9 s for
            # 100,000 members. The grouping's sort fits in memory at this size. And a
            # fan-out reads whole communities: sequential reads and hash joins beat index
            # look-ups, which the database's SSD page cost (portal migration 0001) would
            # otherwise prefer (2.1 s against 1.6 s for 100,000 members).
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL random_page_cost = 4")
        cursor.execute(sql, [message.pk, now, now, *audience_params])
        return max(cursor.rowcount, 0)
