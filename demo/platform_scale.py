"""A whole platform at the brochure's scale (``manage.py seed_scale --communes 600``).

Communes get the real spread of sizes: members follow a power law by rank (``SIZE_EXPONENT``),
so a few towns have tens of thousands of members and the long tail are villages of a few
hundred. Each commune is created as the platform team creates one (``commune_create``: its
Wagtail site, page tree, collection and staff groups), gets live pages (announcements,
events, standard pages: a village a few, a town a few dozen) and synthetic verified
members spread over neighbourhoods of about ``MEMBERS_PER_COMMUNITY``
(``demo.scale.members_seed``, set-based).

Idempotent: a second run finds the communes and their pages, and tops members up only.
Synthetic communes are recognised by their host name, ``commune-<rank>.scale.localhost``.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from communities.models import Commune
from communities.services import commune_create
from mairie_pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    EventIndexPage,
    EventPage,
    StandardPage,
)

from .scale import SeedError, members_seed

HOST_SUFFIX = "scale.localhost"
SIZE_EXPONENT = 0.95
MEMBERS_PER_COMMUNITY = 1500
MAX_COMMUNES = 9000
# Pages of a commune beside those it is created with (home, news, agenda, gazette): by
# members, between a village's few and a town's few dozen.
PAGES_MAX = {"announcements": 12, "events": 6, "standard": 6}
MEMBERS_PER_PAGE = {"announcements": 2000, "events": 5000, "standard": 5000}


def pages_planned(size: int) -> dict[str, int]:
    """How many announcements, events and standard pages a commune of ``size`` members has."""
    return {
        kind: min(PAGES_MAX[kind], max(2 if kind == "announcements" else 1, size // per))
        for kind, per in MEMBERS_PER_PAGE.items()
    }


@dataclass
class PlatformSeedResult:
    communes: int  # synthetic communes after this run
    created_communes: int
    pages: int  # pages created by this run
    members: int  # members created by this run
    largest: int  # members aimed at in the largest commune
    smallest: int
    seconds: float


def commune_sizes(*, communes: int, members: int) -> list[int]:
    """Members of each commune by rank: ``members`` shared by a power law, largest first."""
    if communes < 1 or members < communes:
        raise SeedError("Il faut au moins une commune et au moins un membre par commune.")
    weights = [rank**-SIZE_EXPONENT for rank in range(1, communes + 1)]
    total = sum(weights)
    sizes = [max(1, int(members * weight / total)) for weight in weights]
    sizes[0] += members - sum(sizes)  # rounding: the largest town takes the remainder
    return sizes


def _insee_code(rank: int) -> str:
    # Departments 01–19, three digits each: codes that pass validation and that no demo
    # commune uses (the demo's are in the Gironde and the Haut-Rhin).
    department, number = divmod(rank - 1, 999)
    return f"{department + 1:02d}{number + 1:03d}"


def _hostname(rank: int) -> str:
    return f"commune-{rank:03d}.{HOST_SUFFIX}"


def _pages_ensure(commune: Commune, rank: int, size: int) -> int:
    """The commune's announcements, events and standard pages, created once (live)."""
    home = commune.site.root_page
    news = AnnouncementIndexPage.objects.child_of(home).first()
    agenda = EventIndexPage.objects.child_of(home).first()
    if news is None or agenda is None or news.get_children().exists():
        return 0
    today = timezone.localdate()
    now = timezone.now()
    planned = pages_planned(size)
    created = 0
    for number in range(1, planned["announcements"] + 1):
        news.add_child(
            instance=AnnouncementPage(
                title=f"Annonce n° {number} de la commune {rank}",
                slug=f"annonce-{number}",
                date=today - timedelta(days=7 * number),
                summary="Travaux de voirie, horaires de la mairie et vie de la commune.",
            )
        )
        created += 1
    for number in range(1, planned["events"] + 1):
        agenda.add_child(
            instance=EventPage(
                title=f"Événement n° {number}",
                slug=f"evenement-{number}",
                start=now + timedelta(days=10 * number),
                location="Salle des fêtes",
                summary="Une rencontre entre voisins, ouverte à tous.",
            )
        )
        created += 1
    for number in range(1, planned["standard"] + 1):
        home.add_child(
            instance=StandardPage(
                title=f"Page municipale n° {number}",
                slug=f"page-{number}",
                intro="Services, démarches et informations pratiques de la mairie.",
            )
        )
        created += 1
    return created


def platform_seed(*, communes: int, members: int, log=None) -> PlatformSeedResult:
    """Bring the platform to ``communes`` synthetic communes sharing ``members`` members."""
    started = time.monotonic()
    if communes > MAX_COMMUNES:
        raise SeedError(f"Au plus {MAX_COMMUNES:,} communes synthétiques.")
    sizes = commune_sizes(communes=communes, members=members)
    created_communes = pages = created_members = 0
    for rank, size in enumerate(sizes, start=1):
        with transaction.atomic():
            creation = commune_create(
                name=f"Commune {rank:03d}", insee_code=_insee_code(rank), hostname=_hostname(rank)
            )
            created_communes += int(creation.created)
            pages += _pages_ensure(creation.commune, rank, size)
        result = members_seed(
            commune=creation.commune,
            members=size,
            communities=max(1, round(size / MEMBERS_PER_COMMUNITY)),
        )
        created_members += result.created
        if log and (rank % 50 == 0 or rank == len(sizes)):
            log(
                f"{rank}/{len(sizes)} communes, {created_members:,} membres créés, "
                f"{time.monotonic() - started:.0f} s"
            )
    total = Commune.objects.filter(site__hostname__endswith=f".{HOST_SUFFIX}").count()
    return PlatformSeedResult(
        communes=total,
        created_communes=created_communes,
        pages=pages,
        members=created_members,
        largest=sizes[0],
        smallest=sizes[-1],
        seconds=time.monotonic() - started,
    )
