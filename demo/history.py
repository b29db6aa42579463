"""The demo's past years, so that each mairie's dashboard opens on believable figures.

For each demo commune: a few hundred neighbours who joined over two years (a third before
the last twelve months, the others month after month), some of whom left since, a few
registrations waiting; two years of residents' alerts in every community (more in the busy
ones, fewer in the first year), written and delivered by ``demo.scale_alerts`` as
``seed_scale --alerts`` writes them, each delivered to whoever was a member that day, with
the outcomes of a real year (most delivered, a few failed, some members reached on no
channel); the last two waiting for a moderator. The people here are invented: French
names, fictitious mobile numbers (``+33616…`` in Cadaujac, ``+33617…`` in Didenheim), no
password (they take part by SMS, as members a neighbour registered), an e-mail address for
one in three.

Everything is written by set-based ``INSERT … SELECT`` statements (a second or so for
both communes), once: a commune that has its history keeps it. The outbox's tallies and
the dashboard's member counts are counted at the end and each dashboard's cached figures
dropped, so the dashboards show the years at once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from accounts.models import Profile, User
from alerts.models import Alert, AlertCategory, ModerationStatus
from communities.models import Commune, CommunityRole, Membership, MembershipStatus
from dashboard.live import figures_version_bump
from dashboard.member_counts import member_counts_refresh_all
from notifications.tallies import tallies_refresh

from .scale import _concat, _insert_select, _padded, _series
from .scale_alerts import alert_deliveries_write, alerts_year_write

NOT_A_PASSWORD = "!demo-history"  # noqa: S105 (unusable: these neighbours take part by SMS)


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
    """Give each demo commune its past year, once (a commune with its history keeps it),
    then count the outbox's tallies and make the dashboards read the figures again. On
    PostgreSQL only (its set-based writes are ``seed_scale``'s): on SQLite the demo keeps
    its few hand-written weeks."""
    if connection.vendor != "postgresql":
        return
    now = timezone.now()
    loaded = []
    for insee, history in HISTORIES.items():
        commune = communes[insee]
        if _history_users(history).exists():
            continue
        _members_write(commune=commune, history=history, now=now)
        _alerts_write(commune=commune, history=history, now=now)
        loaded.append(commune)
    if not loaded:
        return
    tallies_refresh(now=now)
    member_counts_refresh_all(commune_ids=[commune.pk for commune in loaded])
    with connection.cursor() as cursor:
        for model in (User, Profile, Membership, Alert):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    for commune in loaded:
        figures_version_bump(commune_id=commune.pk)


def _weighted(commune: Commune, weights: dict[str, int]) -> list[int]:
    """The community ids, each listed as many times as its weight."""
    ids = dict(commune.communities.values_list("name", "pk"))
    return [ids[name] for name, weight in weights.items() for _i in range(weight)]


def _invented_names(history: CommuneHistory) -> tuple[list[str], list[str]]:
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
    return [first for first, _last in names], [last for _first, last in names]


def _members_write(*, commune: Commune, history: CommuneHistory, now: datetime) -> None:
    """The neighbours of two years, their profiles and memberships.

    Member ``n``: the first ``waiting`` asked in the last ten days and wait; then one in
    three joined between one and two years ago, the others on a day of the last twelve
    months; one in eleven left between two weeks and seven months after joining (if that
    day has come). Requests were decided a day or two after they were made.
    """
    newest = int(User.objects.aggregate(newest=Max("pk"))["newest"] or 0)
    series, params = _series(history.members, 0)
    first_names, last_names = _invented_names(history)
    host = commune.site.hostname.split(".")[0]
    address = _concat("'voisin'", "s.n", f"'@{host}.demo.invalid'")
    email = f"CASE WHEN s.n %% 3 = 1 THEN {address} END"
    _insert_select(
        User,
        expressions={
            "password": f"'{NOT_A_PASSWORD}'",
            "email": email,
            "phone": _concat(f"'{history.phone_prefix}'", _padded("s.n", 6)),
            "first_name": ("(%s::text[])[1 + s.n]", [first_names]),
            "last_name": ("(%s::text[])[1 + s.n]", [last_names]),
            "email_verified_at": ("CASE WHEN s.n %% 3 = 1 THEN %s END", [now]),
            "phone_verified_at": ("%s", [now]),
            "date_joined": ("%s", [now]),
        },
        source=series,
        source_params=params,
    )
    user_table = connection.ops.quote_name(User._meta.db_table)
    prefix = history.phone_prefix
    # The member's number ``n`` is their phone's last six digits.
    new_users = f"""
        (SELECT u.id, u.email, right(u.phone, 6)::int AS n FROM {user_table} u
         WHERE u.id > {newest} AND u.phone LIKE '{prefix}%%') AS nu
    """  # noqa: S608 (table name from model metadata, prefix a constant)
    _insert_select(
        Profile,
        expressions={
            "user_id": "nu.id",
            "alerts_by_sms": "TRUE",
            "alerts_by_email": "nu.email IS NOT NULL",
            "alerts_by_push": "nu.n %% 2 = 0",
        },
        source=new_users,
    )
    joined = (
        f"CASE WHEN nu.n < {history.waiting} THEN NULL"
        " WHEN nu.n %% 3 = 0 THEN %s::timestamptz - make_interval(days => 366 + (nu.n * 37) %% 360)"
        " ELSE %s::timestamptz - make_interval(days => 2 + (nu.n * 7919) %% 362, "
        "hours => nu.n %% 9) END"
    )
    left = (
        "CASE WHEN nu.n %% 11 = 4 THEN joined + make_interval(days => 14 + (nu.n * 13) %% 200) END"
    )
    dated = f"""
        (SELECT nu.*, d.joined,
                CASE WHEN l.left_at < %s::timestamptz THEN l.left_at END AS left_at
         FROM {new_users}
         CROSS JOIN LATERAL (SELECT {joined} AS joined) d
         CROSS JOIN LATERAL (SELECT {left.replace("joined", "d.joined")} AS left_at) l) AS h
    """  # noqa: S608 (SQL of this module)
    status = (
        f"CASE WHEN h.joined IS NULL THEN '{MembershipStatus.PENDING}'"
        f" WHEN h.left_at IS NOT NULL THEN '{MembershipStatus.LEFT}'"
        f" ELSE '{MembershipStatus.VERIFIED}' END"
    )
    communities = _weighted(commune, history.weights)
    streets = list(history.streets)
    _insert_select(
        Membership,
        expressions={
            "user_id": "h.id",
            # × 7, prime to the lists' lengths: the waiting ones are not all in one community.
            "community_id": (
                f"(%s::bigint[])[1 + (h.n * 7) %% {len(communities)}]",
                [communities],
            ),
            "status": status,
            "role": f"'{CommunityRole.RESIDENT}'",
            "address": (
                _concat(
                    "CAST(1 + h.n %% 60 AS TEXT)",
                    "' '",
                    f"(%s::text[])[1 + (h.n / 3) %% {len(streets)}]",
                    f"', {commune.name.replace(chr(39), chr(39) * 2)}'",
                ),
                [streets],
            ),
            "requested_at": (
                "COALESCE(h.joined - make_interval(days => 1 + h.n %% 2),"
                " %s::timestamptz - make_interval(days => h.n * 2, hours => 3))",
                [now],
            ),
            "decided_at": "h.joined",
            "left_at": "h.left_at",
        },
        source=dated,
        source_params=[now, now, now],
    )


def _alerts_write(*, commune: Commune, history: CommuneHistory, now: datetime) -> None:
    """Two years of residents' alerts up to yesterday (fewer in the first), delivered to
    that day's members; the last two wait for a moderator's reading."""
    highest = int(Alert.objects.aggregate(highest=Max("pk"))["highest"] or 0)
    # Consecutive alerts differ in kind and street.
    streets, kinds = history.streets, len(ALERT_TEXTS)
    texts = [
        (category, text.format(street=streets[(i // kinds + i) % len(streets)]))
        for i in range(kinds * len(streets))
        for category, text in [ALERT_TEXTS[i % kinds]]
    ]
    communities = _weighted(commune, history.weights)
    yesterday = now - timedelta(days=1)
    for first, count, until in (
        (1, history.alerts, yesterday),
        (1 + history.alerts, history.alerts_year_before, yesterday - timedelta(days=365)),
    ):
        alerts_year_write(
            commune=commune,
            communities=communities,
            texts=texts,
            count=count,
            first=first,
            now=until,
        )
    alert_deliveries_write(commune=commune, alerts_sql=f"a.id > {highest}", members_then=True)
    newest = Alert.objects.filter(commune=commune, pk__gt=highest).order_by("-created_at")
    Alert.objects.filter(pk__in=list(newest.values_list("pk", flat=True)[:2])).update(
        moderation_status=ModerationStatus.TO_REVIEW
    )
