"""Who an alert's messages reach, and on which channels: the audience the outbox fans out to.

``alert_message_audience_sql`` is handed to the outbox (``alerts.outbox``), whose fan-out
writes every delivery from it in one ``INSERT … SELECT``; the mairie's broadcast screen
counts the reach with the same SQL, so the count shown is the count written.
"""

from django.db import connection

from accounts.models import User
from communities.models import CommuneGroup, Membership, MembershipStatus
from notifications.models import NOT_SENT_ERROR_CODES, Channel, Delivery, DeliveryStatus
from notifications.reachability import profile_join_sql, reachable_sql, user_table_sql

from .models import ALERT_STAFF_ROLES, Alert, AlertMessage

# Who may be sent an alert on each channel: reachable there (the outbox's one rule) and
# not having turned alerts off on it.
CHANNEL_CONDITIONS = {
    channel: f"COALESCE(p.alerts_by_{channel.value}, TRUE) AND {reachable_sql(channel)}"
    for channel in (Channel.SMS, Channel.EMAIL, Channel.PUSH)
}


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def alert_target_community_ids(*, alert: Alert) -> list[int]:
    """The communities an alert is for: its own, the chosen ones, or the whole commune."""
    if alert.community_id:
        return [alert.community_id]
    chosen = list(alert.communities.values_list("pk", flat=True))
    return chosen or list(alert.commune.communities.values_list("pk", flat=True))


def audience_with_channels_sql(
    *, community_ids: list[int], commune_id: int, exclude_user_id: int | None
) -> tuple[str, list]:
    """The one definition of who a message reaches, and on which channels: SQL and params.

    Selects one row per user — ``user_id``, ``restricted`` (1 for the commune's alert staff,
    who get the identifying details) and one ``<channel>_ok`` flag per channel (1 when the
    user is reachable there and did not turn it off or answer STOP): verified members of
    ``community_ids`` and the commune's alert staff, active, the author
    (``exclude_user_id``) left out. The fan-out writes every channel's deliveries from it in
    one statement, and the mairie's broadcast screen counts the reach with it, so the count
    shown is the count written.
    """
    community_ids = community_ids or [0]  # no community yet: staff only
    placeholders = ", ".join(["%s"] * len(community_ids))
    role_placeholders = ", ".join(["%s"] * len(ALERT_STAFF_ROLES))
    flags = ",\n".join(
        f"MAX(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {channel}_ok"
        for channel, condition in CHANNEL_CONDITIONS.items()
    )
    sql = f"""
        SELECT r.user_id AS user_id, MAX(r.restricted) AS restricted,
               {flags}
        FROM (
            SELECT m.user_id AS user_id, 0 AS restricted
            FROM {_table(Membership)} m
            WHERE m.status = %s AND m.community_id IN ({placeholders})
            UNION ALL
            SELECT ug.user_id AS user_id, 1 AS restricted
            FROM {_table(User.groups.through)} ug
            JOIN {_table(CommuneGroup)} cg ON cg.group_id = ug.group_id
            WHERE cg.commune_id = %s AND cg.role IN ({role_placeholders})
        ) r
        JOIN {user_table_sql()} u ON u.id = r.user_id
        {profile_join_sql()}
        WHERE u.is_active AND u.id <> %s
        GROUP BY r.user_id
    """  # noqa: S608 (table names come from model metadata, values are parameters)
    params = [
        MembershipStatus.VERIFIED,
        *community_ids,
        commune_id,
        *ALERT_STAFF_ROLES,
        exclude_user_id or 0,
    ]
    return sql, params


def audience_sql(
    *, channel: str, community_ids: list[int], commune_id: int, exclude_user_id: int | None
) -> tuple[str, list]:
    """Who a message reaches on ``channel`` (``user_id``, ``restricted``), for counting."""
    sql, params = audience_with_channels_sql(
        community_ids=community_ids, commune_id=commune_id, exclude_user_id=exclude_user_id
    )
    flag = f"{Channel(channel).value}_ok"  # our own enum: never a caller's string
    return f"SELECT a.user_id, a.restricted FROM ({sql}) a WHERE a.{flag} = 1", params  # noqa: S608


def correction_audience_sql(
    *, alert_id: int, message_id: int = 0, before_withdrawal: bool = False
) -> tuple[str, list]:
    """Who a correction reaches: exactly those the alert was sent to, on the same channels.

    ``message_id``: the correction itself, left out. ``before_withdrawal``: the count the
    withdrawal's confirmation shows before anything changed (no correction yet); the
    deliveries still queued then are the ones the withdrawal stops ("retracted"), so they
    are left out already and the count shown is the count written.

    Read from the deliveries of the alert's earlier messages rather than by resolving the
    audience again: someone who joined since never saw the alert and needs no correction,
    and someone who left since did see it. Deliveries withdrawn before they left
    ("retracted", "expired", "ended") did not reach anyone and do not count.
    """
    flags = ",\n".join(
        f"MAX(CASE WHEN d.channel = '{channel.value}' THEN 1 ELSE 0 END) AS {channel.value}_ok"
        for channel in (Channel.SMS, Channel.EMAIL, Channel.PUSH)
    )
    not_sent = ", ".join(["%s"] * len(NOT_SENT_ERROR_CODES))
    sql = f"""
        SELECT d.user_id AS user_id,
               MAX(CASE WHEN d.restricted THEN 1 ELSE 0 END) AS restricted,
               {flags}
        FROM {_table(Delivery)} d
        JOIN {_table(AlertMessage)} m ON m.id = d.message_id
        WHERE m.alert_id = %s AND m.id <> %s AND m.kind <> %s
          AND d.error_code NOT IN ({not_sent}) {"AND d.status <> %s" if before_withdrawal else ""}
        GROUP BY d.user_id
    """  # noqa: S608 (table names come from model metadata, values are parameters)
    params = [
        alert_id,
        message_id,
        AlertMessage.Kind.CORRECTION,
        *NOT_SENT_ERROR_CODES,
        *([DeliveryStatus.QUEUED] if before_withdrawal else []),
    ]
    return sql, params


def alert_message_audience_sql(*, message: AlertMessage) -> tuple[str, list]:
    """The audience of one alert message, for the outbox's fan-out.

    Recipients: verified members of the targeted communities (plain text) and the commune's
    alert staff (restricted text, with identifying details), each on the channels they
    chose and can be reached on; SMS opt-outs (STOP) and the message's own author excluded
    (the author has the acknowledgement, not a copy). A correction goes to exactly those
    the alert reached.
    """
    if message.kind == AlertMessage.Kind.CORRECTION:
        return correction_audience_sql(alert_id=message.alert_id, message_id=message.pk)
    return audience_with_channels_sql(
        community_ids=alert_target_community_ids(alert=message.alert),
        commune_id=message.alert.commune_id,
        exclude_user_id=message.author_id,
    )
