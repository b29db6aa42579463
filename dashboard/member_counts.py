"""The dashboard's member counts, counted when memberships change rather than on each view.

A commune of 150,000 members took about 170 ms to count its memberships by community and
month on every uncached read of its dashboard. The counts are materialised instead
(``dashboard.models``): a community's are counted again, from its own memberships (an
index read of a few hundred or thousand rows), whenever one of them is saved or deleted
(``dashboard.signal_handlers``), in the same transaction; a sweep counts every community
again every few minutes (``dashboard.tasks``), for writes that send no signal. The page
reads a row per community and a row per community and day.

What is counted is what ``dashboard.figures.members`` says: a join is a membership a
moderator verified (``decided_at``), still verified or left since; a departure is a
verified membership that ended (``left_at``). Days are local days.
"""

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from communities.models import Community, Membership, MembershipStatus

from .models import CommunityMemberCount, MembershipDayCount

JOINED = [MembershipStatus.VERIFIED, MembershipStatus.LEFT]
# Communities counted per transaction by the sweep.
SWEEP_CHUNK = 200


def member_counts_refresh(*, community_ids) -> int:
    """Count the memberships of these communities (those that still exist) into their
    member counts and their days; return how many communities were counted. A fixed
    number of queries, whatever the number of communities.

    The counts' rows are locked first: two changes in one community at once are counted
    one after the other, the second once the first is committed, so none is lost.
    """
    now = timezone.now()
    with transaction.atomic():
        communes = dict(
            Community.objects.filter(pk__in=list(community_ids)).values_list("pk", "commune_id")
        )
        if not communes:
            return 0
        CommunityMemberCount.objects.bulk_create(
            [CommunityMemberCount(community_id=pk) for pk in communes], ignore_conflicts=True
        )
        list(
            CommunityMemberCount.objects.filter(pk__in=list(communes))
            .select_for_update()
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        memberships = Membership.objects.filter(community_id__in=list(communes))
        statuses = {
            row["community_id"]: row
            for row in memberships.values("community_id")
            .annotate(
                verified=Count("pk", filter=Q(status=MembershipStatus.VERIFIED)),
                pending=Count("pk", filter=Q(status=MembershipStatus.PENDING)),
                left=Count("pk", filter=Q(status=MembershipStatus.LEFT)),
            )
            .order_by()
        }
        CommunityMemberCount.objects.bulk_update(
            [
                CommunityMemberCount(
                    community_id=pk,
                    verified=statuses.get(pk, {}).get("verified", 0),
                    pending=statuses.get(pk, {}).get("pending", 0),
                    left=statuses.get(pk, {}).get("left", 0),
                    refreshed_at=now,
                )
                for pk in communes
            ],
            ["verified", "pending", "left", "refreshed_at"],
            batch_size=1000,
        )
        days: dict = defaultdict(lambda: [0, 0])
        joined = memberships.filter(status__in=JOINED, decided_at__isnull=False)
        for row in (
            joined.values("community_id", day=TruncDate("decided_at"))
            .annotate(n=Count("pk"))
            .order_by()
        ):
            days[row["community_id"], row["day"]][0] += row["n"]
        for row in (
            joined.filter(left_at__isnull=False)
            .values("community_id", day=TruncDate("left_at"))
            .annotate(n=Count("pk"))
            .order_by()
        ):
            days[row["community_id"], row["day"]][1] += row["n"]
        MembershipDayCount.objects.filter(community_id__in=list(communes)).delete()
        MembershipDayCount.objects.bulk_create(
            [
                MembershipDayCount(
                    community_id=community,
                    commune_id=communes[community],
                    day=day,
                    joins=joins,
                    departures=departures,
                )
                for (community, day), (joins, departures) in days.items()
            ],
            batch_size=2000,
        )
    return len(communes)


def member_counts_refresh_all(*, commune_ids=None) -> int:
    """Count every community's memberships again (of these communes only, if given), a
    chunk of communities per transaction; return how many communities were counted."""
    communities = Community.objects.order_by("pk")
    if commune_ids is not None:
        communities = communities.filter(commune_id__in=list(commune_ids))
    ids = list(communities.values_list("pk", flat=True))
    return sum(
        member_counts_refresh(community_ids=ids[start : start + SWEEP_CHUNK])
        for start in range(0, len(ids), SWEEP_CHUNK)
    )
