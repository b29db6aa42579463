"""Synthetic members at seed scale, for benchmarks and load tests (``manage.py seed_scale``).

Every row is written by set-based ``INSERT … SELECT`` statements over a number series
(``generate_series`` on PostgreSQL, a recursive CTE elsewhere): 100,000 members with their
profiles and verified memberships take seconds, not the minutes one ``save()`` each would.
Columns not chosen here take their model defaults, so a field added later needs no change.

Synthetic members are recognised by their fictitious mobile numbers: ``+33629`` followed
by six digits for the first million, then ``+33619``. They have no usable password (they
take part by SMS, like members registered by a neighbour), an e-mail address for one in
three (``voisin<n>@seed.voisinage.invalid``), and channel preferences of their own: every
one takes alerts by SMS, e-mail when they have an address, push for one in two.
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import Profile, User
from communities.models import (
    Commune,
    Community,
    CommunityRole,
    Membership,
    MembershipStatus,
)
from dashboard.member_counts import member_counts_refresh

PHONE_PREFIXES = ("+33629", "+33619")  # one million fictitious numbers each
PER_PREFIX = 1_000_000
MAX_SEEDED = PER_PREFIX * len(PHONE_PREFIXES)
EMAIL_DOMAIN = "seed.voisinage.invalid"


class SeedError(Exception):
    """The request cannot be honoured (unknown commune, too many members…); nothing written."""


@dataclass
class SeedResult:
    commune: Commune
    communities: list[Community]
    created: int  # members added by this run
    total: int  # synthetic verified members of the commune after this run
    with_email: int  # of those added, how many have an e-mail address
    seconds: float


def _seeded_users():
    return User.objects.filter(
        Q(phone__startswith=PHONE_PREFIXES[0]) | Q(phone__startswith=PHONE_PREFIXES[1])
    )


def commune_find(*, slug: str) -> Commune:
    """The commune named by ``slug``: its name slugified, its host's first label, or INSEE."""
    slug = slug.strip().lower()
    for commune in Commune.objects.select_related("site"):
        hostname = (commune.site.hostname or "").split(".")[0]
        if slug in {slugify(commune.name), hostname, commune.insee_code.lower()}:
            return commune
    raise SeedError(f"Commune inconnue : {slug!r}. Créez-la d'abord avec create_commune.")


def _communities_ensure(*, commune: Commune, count: int) -> list[Community]:
    existing = list(commune.communities.order_by("pk"))
    for number in range(len(existing) + 1, count + 1):
        name = f"Secteur {number}"
        community, _ = Community.objects.get_or_create(
            commune=commune, slug=slugify(name), defaults={"name": name}
        )
        existing.append(community)
    return existing[: max(count, 1)] if count else existing


def _series(count: int, start: int) -> tuple[str, list]:
    """SQL for the rows ``n`` = start … start + count − 1, as a sub-query named ``s``."""
    if connection.vendor == "postgresql":
        return "generate_series(%s::bigint, %s::bigint) AS s(n)", [start, start + count - 1]
    return (
        "(WITH RECURSIVE seq(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM seq WHERE n < %s)"
        " SELECT n FROM seq) AS s",
        [start, start + count - 1],
    )


def _padded(expression: str, width: int) -> str:
    if connection.vendor == "postgresql":
        return f"lpad(({expression})::text, {width}, '0')"
    return f"printf('%%0{width}d', {expression})"


def _concat(*parts: str) -> str:
    return " || ".join(parts)


def _insert_select(model, *, expressions: dict, source: str, source_params=()) -> int:
    """``INSERT INTO model (…) SELECT …`` where columns without an expression get defaults.

    ``expressions`` maps column names to SQL over ``source``, or to ``(sql, params)``; every
    other concrete field is given its model default (``auto_now`` fields: now) as a
    parameter. Literal ``%`` in the SQL must be written ``%%``.
    """
    now = timezone.now()
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(connection.ops.quote_name(field.column))
        expression = expressions.get(field.column)
        if expression is None:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                default = now
            else:
                default = field.get_default()
            selects.append("%s")
            params.append(field.get_db_prep_save(default, connection))
        elif isinstance(expression, tuple):
            selects.append(expression[0])
            params.extend(expression[1])
        else:
            selects.append(expression)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)} FROM {source}"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])
        return max(cursor.rowcount, 0)


@transaction.atomic
def members_seed(*, commune: Commune, members: int, communities: int = 5) -> SeedResult:
    """Bring the commune to ``members`` synthetic verified members (tops up, never removes).

    Members are spread evenly over ``communities`` communities (``Secteur 1`` … created
    when missing; the commune's existing communities come first).
    """
    started = time.monotonic()
    if members < 0 or communities < 1:
        raise SeedError("--members doit être positif et --communities au moins 1.")
    chosen = _communities_ensure(commune=commune, count=communities)
    already = Membership.objects.filter(
        community__commune=commune,
        status=MembershipStatus.VERIFIED,
        user__in=_seeded_users(),
    ).count()
    to_create = max(members - already, 0)
    start = _seeded_users().count()
    if start + to_create > MAX_SEEDED:
        raise SeedError(f"Au plus {MAX_SEEDED:,} membres synthétiques en tout.")
    if to_create == 0:
        return SeedResult(commune, chosen, 0, already, 0, time.monotonic() - started)

    now = timezone.now()
    # The rows below are for this run's users only: reading ids above the newest one
    # spares each commune of a platform seed a scan of every earlier synthetic member.
    newest = int(User.objects.aggregate(newest=Max("pk"))["newest"] or 0)
    series, series_params = _series(to_create, start)
    first, second = PHONE_PREFIXES
    first_phone = _concat(f"'{first}'", _padded("s.n", 6))
    second_phone = _concat(f"'{second}'", _padded(f"s.n - {PER_PREFIX}", 6))
    phone = f"CASE WHEN s.n < {PER_PREFIX} THEN {first_phone} ELSE {second_phone} END"
    address = _concat("'voisin'", "s.n", f"'@{EMAIL_DOMAIN}'")
    email = f"CASE WHEN s.n %% 3 = 0 THEN {address} END"
    _insert_select(
        User,
        expressions={
            "password": "'!seed'",  # unusable: synthetic members sign in with no password
            "email": email,
            "phone": phone,
            "first_name": "'Voisin'",
            "last_name": _concat("'n° '", "s.n"),
            "email_verified_at": ("CASE WHEN s.n %% 3 = 0 THEN %s END", [now]),
            "phone_verified_at": ("%s", [now]),
            "date_joined": ("%s", [now]),
        },
        source=series,
        source_params=series_params,
    )
    new_users = f"""
        (SELECT u.id AS id, u.email AS email FROM {connection.ops.quote_name(User._meta.db_table)} u
         WHERE u.id > {newest} AND (u.phone LIKE '{first}%%' OR u.phone LIKE '{second}%%')
           AND NOT EXISTS (SELECT 1 FROM {connection.ops.quote_name(Profile._meta.db_table)} p
                           WHERE p.user_id = u.id)) AS nu
    """  # noqa: S608 (table names from model metadata, prefixes are constants)
    _insert_select(
        Profile,
        expressions={
            "user_id": "nu.id",
            "alerts_by_sms": "TRUE",
            "alerts_by_email": "nu.email IS NOT NULL",
            "alerts_by_push": "nu.id %% 2 = 0",
        },
        source=new_users,
    )
    membership_table = connection.ops.quote_name(Membership._meta.db_table)
    for index, community in enumerate(chosen):
        without_membership = f"""
            (SELECT u.id AS id FROM {connection.ops.quote_name(User._meta.db_table)} u
             WHERE u.id > {newest} AND (u.phone LIKE '{first}%%' OR u.phone LIKE '{second}%%')
               AND u.id %% {len(chosen)} = {index}
               AND NOT EXISTS (SELECT 1 FROM {membership_table} m WHERE m.user_id = u.id)) AS nm
        """  # noqa: S608
        _insert_select(
            Membership,
            expressions={
                "user_id": "nm.id",
                "community_id": str(int(community.pk)),
                "status": f"'{MembershipStatus.VERIFIED}'",
                "role": f"'{CommunityRole.RESIDENT}'",
                "address": _concat("CAST(nm.id AS TEXT)", "' rue des Essais'"),
                "decided_at": ("%s", [now]),
            },
            source=without_membership,
        )
    # Written without signals: the dashboard's member counts are counted here.
    member_counts_refresh(community_ids=[community.pk for community in chosen])
    if connection.vendor == "postgresql":
        # Fresh statistics: planning the next fan-out on the empty tables' would be slow.
        # The communities too: a table of a few rows is never analysed by autovacuum, and
        # without statistics the planner took a commune's 11 neighbourhoods for one and
        # counted a message's 100,000 recipients by index look-ups (4 s instead of 0.9 s).
        with connection.cursor() as cursor:
            for model in (User, Profile, Membership, Community):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    total = Membership.objects.filter(
        community__commune=commune,
        status=MembershipStatus.VERIFIED,
        user__in=_seeded_users(),
    ).count()
    with_email = len(range(start + (-start % 3), start + to_create, 3))
    return SeedResult(
        commune, chosen, total - already, total, with_email, time.monotonic() - started
    )
