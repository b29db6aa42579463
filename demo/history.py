"""The demo's past years, so that each mairie's dashboard opens on believable figures.

For each demo commune: a few hundred neighbours who joined over two years (a third before
the last twelve months, the others month after month), some of whom left since, a few
registrations waiting; two years of residents' alerts in every community (more in the busy
ones, fewer in the first year), each with its outbox message delivered to whoever was a
member that day, with the outcomes of a real year (``demo.scale_alerts``'s: most delivered,
a few failed, some members reached on no channel); the last two waiting for a moderator.
The people here are invented: French names, fictitious mobile numbers (``+33616…`` in
Cadaujac, ``+33617…`` in Didenheim), no password (they take part by SMS, as members a
neighbour registered), an e-mail address for one in three.

Written once (a commune that has its history keeps it), by the ORM's ``bulk_create`` in
batches, so the same code serves the SQLite demo and PostgreSQL: a few hundred people and
alerts and some 50,000 deliveries take a few seconds. Every value is a function of the
neighbour's or alert's number (and of the ids the database gives), so two loads of an
empty database write the same history. The outbox's tallies and the dashboard's member
counts are counted at the end and each dashboard's cached figures dropped, so the
dashboards show the years at once.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Profile, User
from alerts.models import ALERT_PURPOSE, Alert, AlertCategory, AlertMessage, ModerationStatus
from communities.models import Commune, CommunityRole, Membership, MembershipStatus
from dashboard.live import figures_version_bump
from dashboard.member_counts import member_counts_refresh_all
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage
from notifications.tallies import tallies_refresh

from .scale_alerts import (
    CONFIRMED_SMS_PER_100,
    FAILED_PER_100,
    SEED_SMS_PRICE,
    SPREAD,
    YEAR_SECONDS,
)

NOT_A_PASSWORD = "!demo-history"  # noqa: S105 (unusable: these neighbours take part by SMS)
BATCH = 2000  # rows per INSERT: within SQLite's limit of bound parameters per statement


@dataclass(frozen=True)
class CommuneHistory:
    phone_prefix: str  # followed by six digits: +3361… like every demo number
    members: int  # neighbours who joined over two years (some left since)
    waiting: int  # of them, registrations still waiting for a moderator
    alerts: int  # residents' alerts over the last twelve months
    alerts_year_before: int  # and over the twelve months before (the network was younger)
    weights: dict[str, int]  # how many members (and alerts) each community gets, relatively
    streets: tuple[str, ...]
    last_names: tuple[str, ...]


FIRST_NAMES = (
    "Martine",
    "Alain",
    "Sylvie",
    "Philippe",
    "Nathalie",
    "Christophe",
    "Isabelle",
    "Thierry",
    "Sandrine",
    "Laurent",
    "Céline",
    "Nicolas",
    "Chantal",
    "Patrick",
    "Valérie",
    "Olivier",
    "Monique",
    "Stéphane",
    "Brigitte",
    "Julien",
    "Aurélie",
    "Bernard",
    "Émilie",
    "Gérard",
    "Camille",
    "Thomas",
    "Léa",
    "Hugo",
    "Manon",
    "Lucas",
    "Josiane",
    "Michel",
    "Annie",
)

HISTORIES = {
    "33080": CommuneHistory(
        phone_prefix="+33616",
        members=380,
        waiting=6,
        alerts=130,
        alerts_year_before=75,
        weights={"Centre-bourg": 5, "Les Graves": 4, "Le Port": 2, "Résidence des Vignes": 1},
        streets=(
            "rue de la Mairie",
            "allée des Graves",
            "chemin du Port",
            "route de Bordeaux",
            "rue du Lavoir",
            "avenue de la Gare",
            "impasse des Vignes",
            "rue des Écoles",
        ),
        last_names=(
            "Dupuy",
            "Lacoste",
            "Fabre",
            "Labat",
            "Castaing",
            "Duprat",
            "Lafon",
            "Barthe",
            "Cazenave",
            "Lalanne",
            "Dubos",
            "Sarrazin",
            "Moreau",
            "Garcia",
            "Pujol",
            "Brun",
        ),
    ),
    "68074": CommuneHistory(
        phone_prefix="+33617",
        members=170,
        waiting=3,
        alerts=60,
        alerts_year_before=30,
        weights={"Village": 3, "Les Vergers": 2, "Quartier de la Gare": 1},
        streets=(
            "rue de Morschwiller",
            "rue du Moulin",
            "rue des Prés",
            "rue de l'Église",
            "quai du Canal",
            "rue de la Gare",
            "rue des Vergers",
        ),
        last_names=(
            "Schmitt",
            "Muller",
            "Meyer",
            "Weber",
            "Keller",
            "Fischer",
            "Walter",
            "Zimmermann",
            "Kempf",
            "Wolff",
            "Roth",
            "Hartmann",
            "Brunner",
            "Ehrhart",
            "Frey",
            "Bauer",
        ),
    ),
}

# What residents report over a year, in their words ({street} is one of the commune's).
ALERT_TEXTS = (
    (
        AlertCategory.SCOUTING,
        "Une voiture tourne au pas depuis une heure {street}, les occupants regardent les "
        "maisons. Restez attentifs.",
    ),
    (
        AlertCategory.CANVASSER,
        "Deux démarcheurs se disant de la compagnie des eaux insistent pour entrer, "
        "{street}. Aucune visite n'est prévue : n'ouvrez pas.",
    ),
    (
        AlertCategory.BURGLARY,
        "Cambriolage cette nuit {street}, porte-fenêtre forcée. Si vous avez vu quelque chose, "
        "prévenez la gendarmerie.",
    ),
    (
        AlertCategory.OPEN_HOME,
        "Portail grand ouvert et volets ouverts chez des voisins partis en vacances, {street}.",
    ),
    (
        AlertCategory.ELDERLY,
        "Notre voisine âgée du {street} ne répond pas depuis ce matin. Quelqu'un a-t-il des "
        "nouvelles ?",
    ),
    (
        AlertCategory.LOST_ANIMAL,
        "Chien perdu {street} : un petit bâtard roux au collier bleu. Il est craintif, "
        "appelez-le Filou.",
    ),
    (
        AlertCategory.SCOUTING,
        "Des inconnus photographient les boîtes aux lettres {street}. Une camionnette blanche "
        "les attend.",
    ),
    (
        AlertCategory.BURGLARY,
        "Tentative d'effraction sur un garage {street} vers 3 h, les voleurs ont fui. Fermez "
        "bien vos portes.",
    ),
)


def _history_users(history: CommuneHistory):
    return User.objects.filter(phone__startswith=history.phone_prefix)


def demo_history_load(communes: dict) -> None:
    """Give each demo commune its past two years, once (a commune with its history keeps
    it), then count the outbox's tallies and make the dashboards read the figures again."""
    now = timezone.now()
    loaded = []
    for insee, history in HISTORIES.items():
        commune = communes[insee]
        if _history_users(history).exists():
            continue
        with transaction.atomic():
            _members_write(commune=commune, history=history, now=now)
            _alerts_write(commune=commune, history=history, now=now)
        loaded.append(commune)
    if not loaded:
        return
    tallies_refresh(now=now)
    member_counts_refresh_all(commune_ids=[commune.pk for commune in loaded])
    with connection.cursor() as cursor:
        # Statistics for the planner (PostgreSQL) and SQLite's query planner alike: the
        # tables just grew from a few rows to thousands.
        for model in (User, Profile, Membership, Alert, OutboxMessage, Delivery):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    for commune in loaded:
        figures_version_bump(commune_id=commune.pk)


def _weighted(commune: Commune, weights: dict[str, int]) -> list[int]:
    """The community ids, each listed as many times as its weight."""
    ids = dict(commune.communities.values_list("name", "pk"))
    return [ids[name] for name, weight in weights.items() for _i in range(weight)]


def _invented_names(history: CommuneHistory) -> list[tuple[str, str]]:
    """The first and last names of the commune's ``history.members`` invented neighbours,
    each full name once, and none already an account's (the demo's hand-written people):
    in a directory or a call list, two "Alain Barthe" would look like one person twice.

    Neighbour ``n`` takes first name ``n`` modulo their number and, for each first name in
    turn, the next last name (shifted by 7 so that neighbours in a row share neither), until
    every pair is used.
    """
    taken = set(
        User.objects.filter(
            first_name__in=FIRST_NAMES, last_name__in=history.last_names
        ).values_list("first_name", "last_name")
    )
    firsts, lasts = len(FIRST_NAMES), len(history.last_names)
    pairs = (
        (FIRST_NAMES[n % firsts], history.last_names[(n // firsts + 7 * (n % firsts)) % lasts])
        for n in range(firsts * lasts)
    )
    names = [pair for pair in pairs if pair not in taken][: history.members]
    if len(names) < history.members:
        raise ValueError(
            f"{len(FIRST_NAMES)} first names and {lasts} last names make {len(names)} new"
            f" full names, fewer than the {history.members} neighbours to invent"
        )
    return names


def _bulk_create(model, objects: list, *, dated: tuple[str, ...] = ()) -> list:
    """``bulk_create`` in batches, keeping the dates given to the ``auto_now_add`` fields
    named in ``dated`` (which it stamps with the present moment): a history is in the past.
    """
    given = [[getattr(obj, name) for name in dated] for obj in objects]
    model.objects.bulk_create(objects, batch_size=BATCH)
    if dated:
        for obj, values in zip(objects, given, strict=True):
            for name, value in zip(dated, values, strict=True):
                setattr(obj, name, value)
        model.objects.bulk_update(objects, list(dated), batch_size=BATCH)
    return objects


def _members_write(*, commune: Commune, history: CommuneHistory, now: datetime) -> None:
    """The neighbours of two years, their profiles and memberships.

    Member ``n``: the first ``waiting`` asked in the last ten days and wait; then one in
    three joined between one and two years ago, the others on a day of the last twelve
    months; one in eleven left between two weeks and seven months after joining (if that
    day has come). Requests were decided a day or two after they were made.
    """
    host = commune.site.hostname.split(".")[0]
    users = [
        User(
            password=NOT_A_PASSWORD,
            email=f"voisin{n}@{host}.demo.invalid" if n % 3 == 1 else None,
            phone=f"{history.phone_prefix}{n:06d}",
            first_name=first_name,
            last_name=last_name,
            email_verified_at=now if n % 3 == 1 else None,
            phone_verified_at=now,
            date_joined=now,
        )
        for n, (first_name, last_name) in enumerate(_invented_names(history))
    ]
    _bulk_create(User, users)
    _bulk_create(
        Profile,
        [
            Profile(
                user=user,
                alerts_by_sms=True,
                alerts_by_email=user.email is not None,
                alerts_by_push=n % 2 == 0,
            )
            for n, user in enumerate(users)
        ],
    )
    communities = _weighted(commune, history.weights)
    streets = history.streets
    memberships = []
    for n, user in enumerate(users):
        if n < history.waiting:
            joined = None
        elif n % 3 == 0:
            joined = now - timedelta(days=366 + (n * 37) % 360)
        else:
            joined = now - timedelta(days=2 + (n * 7919) % 362, hours=n % 9)
        left = None
        if joined is not None and n % 11 == 4:
            left = joined + timedelta(days=14 + (n * 13) % 200)
            left = left if left < now else None
        memberships.append(
            Membership(
                user=user,
                # × 7, prime to the list's length: the waiting ones are not all in one place.
                community_id=communities[(n * 7) % len(communities)],
                status=(
                    MembershipStatus.PENDING
                    if joined is None
                    else MembershipStatus.LEFT
                    if left
                    else MembershipStatus.VERIFIED
                ),
                role=CommunityRole.RESIDENT,
                address=f"{1 + n % 60} {streets[(n // 3) % len(streets)]}, {commune.name}",
                requested_at=(
                    joined - timedelta(days=1 + n % 2)
                    if joined
                    else now - timedelta(days=n * 2, hours=3)
                ),
                decided_at=joined,
                left_at=left,
            )
        )
    _bulk_create(Membership, memberships, dated=("requested_at",))


def _alerts_write(*, commune: Commune, history: CommuneHistory, now: datetime) -> None:
    """Two years of residents' alerts up to yesterday (fewer in the first), each with its
    message delivered to that day's members; the last two wait for a moderator's reading.

    Alert ``n`` (from 1) goes to the ``n``-th of the weighted communities with the ``n``-th
    text, at its own second of its year (``n × SPREAD`` modulo a year, as ``seed_scale``
    spreads them); four in five are urgent, one in three was taken in charge by the police
    after 12 minutes, and all but the running ones were closed after three hours.
    """
    # Consecutive alerts differ in kind and street.
    streets, kinds = history.streets, len(ALERT_TEXTS)
    texts = [
        (category, text.format(street=streets[(i // kinds + i) % len(streets)]))
        for i in range(kinds * len(streets))
        for category, text in [ALERT_TEXTS[i % kinds]]
    ]
    communities = _weighted(commune, history.weights)
    yesterday = now - timedelta(days=1)
    numbered = [(n, yesterday) for n in range(1, 1 + history.alerts)] + [
        (n, yesterday - timedelta(days=365))
        for n in range(1 + history.alerts, 1 + history.alerts + history.alerts_year_before)
    ]
    alerts = []
    for n, until in numbered:
        created_at = until - timedelta(seconds=(n * SPREAD) % YEAR_SECONDS)
        category, text = texts[n % len(texts)]
        alerts.append(
            Alert(
                commune=commune,
                community_id=communities[n % len(communities)],
                source="web",
                category=category,
                text=text,
                urgent=n % 5 != 0,
                moderation_status=ModerationStatus.APPROVED,
                created_at=created_at,
                expires_at=created_at + timedelta(hours=6),
                closed_at=(
                    created_at + timedelta(hours=3)
                    if created_at < until - timedelta(hours=6)
                    else None
                ),
                police_taken_at=created_at + timedelta(minutes=12) if n % 3 == 0 else None,
            )
        )
    _bulk_create(Alert, alerts, dated=("created_at",))
    newest = sorted(alerts, key=lambda alert: alert.created_at)[-2:]
    Alert.objects.filter(pk__in=[alert.pk for alert in newest]).update(
        moderation_status=ModerationStatus.TO_REVIEW
    )
    messages = _bulk_create(
        OutboxMessage,
        [
            OutboxMessage(
                purpose=ALERT_PURPOSE,
                sender_name=commune.sms_sender_name or "",
                text=alert.text,
                created_at=alert.created_at,
                fanned_out_at=alert.created_at + timedelta(seconds=2),
                expires_at=alert.expires_at,
                payer=commune,
            )
            for alert in alerts
        ],
        dated=("created_at",),
    )
    # An alert message is an outbox message with a row of its own (multi-table
    # inheritance, which ``bulk_create`` does not write): the rows above, then these.
    table = connection.ops.quote_name(AlertMessage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (id, alert_id, kind, author_id) VALUES (%s, %s, %s, NULL)",  # noqa: S608
            [
                (message.pk, alert.pk, AlertMessage.Kind.ALERT)
                for message, alert in zip(messages, alerts, strict=True)
            ],
        )
    _deliveries_write(commune=commune, alerts=alerts, messages=messages)


def _deliveries_write(*, commune: Commune, alerts: list, messages: list) -> None:
    """One delivery per member of the alert's community on the day it left (decided before,
    not left yet) and channel they chose, with ``demo.scale_alerts``'s outcomes:
    ``FAILED_PER_100`` in 100 failed on each channel, most SMS confirmed by the carrier,
    e-mail and push taken by their providers, each SMS one segment."""
    members = defaultdict(list)
    for row in (
        Membership.objects.filter(
            community__commune=commune,
            status__in=[MembershipStatus.VERIFIED, MembershipStatus.LEFT],
            decided_at__isnull=False,
            user__profile__isnull=False,
        )
        .values_list(
            "community_id",
            "user_id",
            "decided_at",
            "left_at",
            "user__profile__alerts_by_sms",
            "user__profile__alerts_by_email",
            "user__profile__alerts_by_push",
        )
        .order_by("pk")
    ):
        community_id, user_id, decided_at, left_at, *by = row
        channels = [
            channel
            for channel, chosen in zip((Channel.SMS, Channel.EMAIL, Channel.PUSH), by, strict=True)
            if chosen
        ]
        members[community_id].append((user_id, decided_at, left_at, channels))
    price = Decimal(SEED_SMS_PRICE)
    batch = []
    for alert, message in zip(alerts, messages, strict=True):
        at = message.created_at
        for user_id, decided_at, left_at, channels in members[alert.community_id]:
            if decided_at > at or (left_at is not None and left_at <= at):
                continue
            for channel in channels:
                h = (message.pk * 7 + user_id * 13 + len(channel) * 31) % 100
                failed = h < FAILED_PER_100
                sms = channel == Channel.SMS
                batch.append(
                    Delivery(
                        message_id=message.pk,
                        user_id=user_id,
                        channel=channel,
                        status=(
                            DeliveryStatus.FAILED
                            if failed
                            else DeliveryStatus.DELIVERED
                            if sms and h < CONFIRMED_SMS_PER_100
                            else DeliveryStatus.SENT
                        ),
                        attempts=1,
                        error_code="30003" if failed else "",
                        created_at=at,
                        updated_at=at + timedelta(minutes=1),
                        sent_at=at + timedelta(seconds=20) if sms or not failed else None,
                        segments=1 if sms else None,
                        encoding="GSM-7" if sms else "",
                        price_per_segment=price if sms else None,
                    )
                )
        if len(batch) >= BATCH:
            Delivery.objects.bulk_create(batch, batch_size=BATCH)
            batch = []
    Delivery.objects.bulk_create(batch, batch_size=BATCH)
