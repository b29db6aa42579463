"""A year of synthetic alerts at seed scale, with their messages and deliveries
(``manage.py seed_scale --alerts``), for the dashboard's benchmark.

Residents' alerts go to the commune's communities in turn and spread over the last twelve
months (``n × SPREAD`` modulo a year gives each its own second, evenly spread); each has its outbox
message, fanned out, and one delivery per verified member of its community and channel
they chose (``demo.scale``'s members: SMS for all, e-mail for a third, push for half), with
the outcomes of a real year: ``FAILED_PER_100`` in 100 failed on each channel, most SMS
confirmed by the carrier, e-mail and push taken by their providers, each SMS one segment.
Set-based ``INSERT … SELECT`` statements, on PostgreSQL only; a second run tops up.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Profile
from alerts.models import ALERT_PURPOSE, Alert, AlertMessage, ModerationStatus
from communities.models import Commune, Membership, MembershipStatus
from notifications.models import Delivery, DeliveryTally, MessageTally, OutboxMessage
from notifications.tallies import tallies_refresh

from .scale import SeedError, _concat, _insert_select, _series

SEED_ALERT_TEXT = "Alerte d'essai n° "
YEAR_SECONDS = 365 * 24 * 3600
# A year × the golden ratio, prime to a year's seconds: n × SPREAD modulo a year gives every
# alert its own second, spread evenly over the months however few alerts there are.
SPREAD = 19_490_719
SEED_SMS_PRICE = "0.0450"
# Out of 100 deliveries of a channel, how many failed; of SMS, how many the carrier confirmed.
FAILED_PER_100 = 4
CONFIRMED_SMS_PER_100 = 85
RESIDENT_CATEGORIES = ("scouting", "canvasser", "burglary", "open_home", "elderly", "lost_animal")
DELIVERY_ROUND = 500  # alerts whose deliveries one statement writes


@dataclass
class AlertSeedResult:
    commune: Commune
    created: int  # alerts added by this run
    total: int  # synthetic alerts of the commune after this run
    deliveries: int  # deliveries written by this run
    seconds: float


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _seeded_alerts(commune: Commune):
    return Alert.objects.filter(commune=commune, text__startswith=SEED_ALERT_TEXT)


def alerts_seed(*, commune: Commune, alerts: int, now=None) -> AlertSeedResult:
    """Bring the commune to ``alerts`` synthetic residents' alerts over the last twelve
    months (tops up, never removes), with their messages and deliveries, then count the
    outbox's tallies (``notifications.tallies``)."""
    started = time.monotonic()
    if connection.vendor != "postgresql":
        raise SeedError("--alerts demande PostgreSQL.")
    if alerts < 0:
        raise SeedError("--alerts doit être positif.")
    communities = list(commune.communities.order_by("pk").values_list("pk", flat=True))
    if not communities:
        raise SeedError("La commune n'a aucune communauté : créez d'abord des membres.")
    already = _seeded_alerts(commune).count()
    to_create = max(alerts - already, 0)
    now = now or timezone.now()
    if to_create:
        alerts_year_write(
            commune=commune,
            communities=communities,
            texts=[(category, None) for category in RESIDENT_CATEGORIES],
            count=to_create,
            first=already,
            now=now,
        )
    pattern = SEED_ALERT_TEXT.replace("'", "''") + "%%"
    deliveries = alert_deliveries_write(commune=commune, alerts_sql=f"a.text LIKE '{pattern}'")
    tallies_refresh(now=now)
    with connection.cursor() as cursor:
        for model in (Alert, OutboxMessage, AlertMessage, Delivery, DeliveryTally, MessageTally):
            cursor.execute(f"ANALYZE {_table(model)}")
    return AlertSeedResult(
        commune,
        to_create,
        _seeded_alerts(commune).count(),
        deliveries,
        time.monotonic() - started,
    )


def alerts_year_write(
    *,
    commune: Commune,
    communities: list[int],
    texts: list[tuple[str, str | None]],
    count: int,
    first: int,
    now,
) -> int:
    """Write ``count`` approved residents' alerts numbered ``first`` onwards, spread over the
    twelve months before ``now``: the ``n``-th goes to ``communities[n mod len]`` (an id
    may be listed several times, to weigh it) with the category and text of ``texts[n mod
    len]`` (a text of ``None``: ``SEED_ALERT_TEXT`` and ``n``). Four in five are urgent, one
    in three was taken in charge by the police after 12 minutes, and those over six hours
    old were closed after three. One statement; no message nor delivery (those are
    ``alert_deliveries_write``'s)."""
    series, series_params = _series(count, first)
    created_at = (
        f"%s::timestamptz - make_interval(secs => ((s.n * {SPREAD}) %% {YEAR_SECONDS})::float8)"
    )
    numbered = _concat(f"'{SEED_ALERT_TEXT.replace(chr(39), chr(39) * 2)}'", "s.n")
    return _insert_select(
        Alert,
        expressions={
            "commune_id": str(int(commune.pk)),
            "community_id": (
                f"(%s::bigint[])[1 + s.n %% {len(communities)}]",
                [[int(pk) for pk in communities]],
            ),
            "source": "'web'",
            "category": (f"(%s::text[])[1 + s.n %% {len(texts)}]", [[c for c, _t in texts]]),
            "text": (
                f"COALESCE((%s::text[])[1 + s.n %% {len(texts)}], {numbered})",
                [[t for _c, t in texts]],
            ),
            "urgent": "s.n %% 5 <> 0",
            "moderation_status": f"'{ModerationStatus.APPROVED}'",
            "created_at": (created_at, [now]),
            "expires_at": (f"{created_at} + interval '6 hours'", [now]),
            "closed_at": (
                f"CASE WHEN {created_at} < %s::timestamptz - interval '6 hours' "
                f"THEN {created_at} + interval '3 hours' END",
                [now, now, now],
            ),
            "police_taken_at": (
                f"CASE WHEN s.n %% 3 = 0 THEN {created_at} + interval '12 minutes' END",
                [now],
            ),
        },
        source=series,
        source_params=series_params,
    )


def alert_deliveries_write(*, commune: Commune, alerts_sql: str) -> int:
    """The message of every alert of the commune matched by ``alerts_sql`` (SQL on the alert
    ``a``) that has none, and the deliveries of every such message that has none (a run
    interrupted while writing them resumes where it stopped); return the deliveries written.

    Deliveries go to the verified members of the alert's community."""
    alert, message, alert_message = _table(Alert), _table(OutboxMessage), _table(AlertMessage)
    without_message = f"""
        (SELECT a.id, a.text, a.created_at, a.expires_at FROM {alert} a
         WHERE a.commune_id = {int(commune.pk)} AND ({alerts_sql})
           AND NOT EXISTS (SELECT 1 FROM {alert_message} am WHERE am.alert_id = a.id)) AS sa
    """  # noqa: S608 (table names from model metadata, ids are integers)
    first_new = (OutboxMessage.objects.aggregate(highest=Max("pk"))["highest"] or 0) + 1
    _insert_select(
        OutboxMessage,
        expressions={
            "purpose": f"'{ALERT_PURPOSE}'",
            "sender_name": ("%s", [commune.sms_sender_name or ""]),
            "text": "sa.text",
            "created_at": "sa.created_at",
            "fanned_out_at": "sa.created_at + interval '2 seconds'",
            "expires_at": "sa.expires_at",
            "payer_id": str(int(commune.pk)),
        },
        source=without_message,
    )
    with connection.cursor() as cursor:
        # Each alert has its own second (``SPREAD``): its text and time name its message.
        cursor.execute(
            f"""
            INSERT INTO {alert_message} (id, alert_id, kind, author_id)
            SELECT m.id, a.id, 'alert', NULL FROM {message} m
            JOIN {alert} a ON a.text = m.text AND a.created_at = m.created_at
             AND a.commune_id = {int(commune.pk)} AND ({alerts_sql})
            WHERE m.id >= %s AND m.payer_id = {int(commune.pk)}
              AND NOT EXISTS (SELECT 1 FROM {alert_message} am WHERE am.alert_id = a.id)
            """,  # noqa: S608
            [first_new],
        )
        # Every such message without deliveries, new or left by an interrupted run.
        cursor.execute(
            f"""
            SELECT COALESCE(MIN(am.id), 0), COALESCE(MAX(am.id), -1) FROM {alert_message} am
            JOIN {alert} a ON a.id = am.alert_id
            WHERE a.commune_id = {int(commune.pk)} AND ({alerts_sql})
              AND NOT EXISTS (SELECT 1 FROM {_table(Delivery)} d WHERE d.message_id = am.id)
            """,  # noqa: S608
            [],
        )
        low, high = cursor.fetchone()
    written = 0
    for start in range(low, high + 1, DELIVERY_ROUND):
        written += _deliveries_seed(start=start, end=min(start + DELIVERY_ROUND - 1, high))
    return written


def _deliveries_seed(*, start: int, end: int) -> int:
    """One delivery per member of each alert's community and channel they chose, for the
    seeded alert messages with ids ``start`` … ``end``."""
    members = f"ms.status = '{MembershipStatus.VERIFIED}'"
    h = "((am.id * 7 + ms.user_id * 13 + length(c.channel) * 31) %% 100)"
    failed = f"{h} < {FAILED_PER_100}"
    status = (
        f"CASE WHEN {failed} THEN 'failed' "
        f"WHEN c.channel = 'sms' AND {h} < {CONFIRMED_SMS_PER_100} THEN 'delivered' "
        "ELSE 'sent' END"
    )
    sent = f"(c.channel = 'sms' OR NOT ({failed}))"
    sql = f"""
        INSERT INTO {_table(Delivery)}
            (message_id, user_id, channel, restricted, status, attempts, provider_message_id,
             error_code, permanent_failure, created_at, updated_at, sent_at, segments,
             encoding, price_per_segment)
        SELECT am.id, ms.user_id, c.channel, FALSE, {status}, 1, NULL,
               CASE WHEN {failed} THEN '30003' ELSE '' END, FALSE,
               m.created_at, m.created_at + interval '1 minute',
               CASE WHEN {sent} THEN m.created_at + interval '20 seconds' END,
               CASE WHEN c.channel = 'sms' THEN 1 END,
               CASE WHEN c.channel = 'sms' THEN 'GSM-7' ELSE '' END,
               CASE WHEN c.channel = 'sms' THEN {SEED_SMS_PRICE} END
        FROM {_table(AlertMessage)} am
        JOIN {_table(OutboxMessage)} m ON m.id = am.id
        JOIN {_table(Alert)} a ON a.id = am.alert_id
        JOIN {_table(Membership)} ms
          ON ms.community_id = a.community_id AND {members}
        JOIN {_table(Profile)} p ON p.user_id = ms.user_id
        JOIN (VALUES ('sms'), ('email'), ('push')) AS c(channel)
          ON (c.channel = 'sms' AND p.alerts_by_sms) OR (c.channel = 'email' AND p.alerts_by_email)
          OR (c.channel = 'push' AND p.alerts_by_push)
        WHERE am.id BETWEEN %s AND %s
          AND NOT EXISTS (SELECT 1 FROM {_table(Delivery)} d WHERE d.message_id = am.id)
        ON CONFLICT DO NOTHING
    """  # noqa: S608 (table names from model metadata, constants of this module)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql, [start, end])
        return max(cursor.rowcount, 0)
