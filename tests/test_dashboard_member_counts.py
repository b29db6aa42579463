"""The dashboard's member figures are counted when memberships change, not on each view:
after a burst of registrations, decisions, departures, moves and an erasure, they are the
database's, and the page reads no membership to show them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.gdpr import account_erase
from communities.memberships import (
    membership_approve,
    membership_change_community,
    membership_leave,
    membership_reject,
    membership_request,
)
from communities.models import Membership, MembershipStatus
from dashboard import figures
from dashboard.member_counts import member_counts_refresh_all
from dashboard.models import CommunityMemberCount, MembershipDayCount
from tests.conftest import pdf_upload

pytestmark = pytest.mark.django_db


def _database_says(commune):
    memberships = Membership.objects.filter(community__commune=commune)
    by_community = {
        community.pk: (
            memberships.filter(community=community, status=MembershipStatus.VERIFIED).count(),
            memberships.filter(community=community, status=MembershipStatus.PENDING).count(),
        )
        for community in commune.communities.all()
    }
    joined = memberships.filter(
        status__in=[MembershipStatus.VERIFIED, MembershipStatus.LEFT], decided_at__isnull=False
    )
    return {
        "communities": by_community,
        "joins": joined.count(),
        "departures": joined.filter(left_at__isnull=False).count(),
    }


def _dashboard_says(commune):
    members = figures.members(commune=commune, now=timezone.now())
    return {
        "communities": {row.pk: (row.verified, row.pending) for row in members.communities},
        "joins": members.joins_last_12_months,
        "departures": members.departures_last_12_months,
    }


def test_member_figures_match_the_database_after_a_burst(
    django_capture_on_commit_callbacks,
    make_user,
    make_member,
    marc_moderator,
    cadaujac,
    didenheim,
    centre_bourg,
    tuileries,
    village,
    private_storage,
):
    people = [make_user(f"voisin{i}@cadaujac.test", phone=f"+3361234{i:04d}") for i in range(12)]
    with django_capture_on_commit_callbacks(execute=True):
        requests = [
            membership_request(
                user=person,
                community=centre_bourg if i % 3 else tuileries,
                address=f"{i} rue du Lavoir",
                proof_file=pdf_upload(),
            )
            for i, person in enumerate(people)
        ]
        for membership in requests[:8]:
            membership_approve(membership=membership, by=marc_moderator)
        membership_reject(
            membership=requests[8], by=marc_moderator, reason="Adresse hors quartier."
        )
        membership_leave(membership=Membership.objects.get(pk=requests[0].pk))
        membership_change_community(
            user=people[1], community=tuileries, address="3 rue des Tuiles", proof_file=pdf_upload()
        )
        make_member("dieter@didenheim.test", village, first_name="Dieter", last_name="Z")

    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=people[2])

    assert _dashboard_says(cadaujac) == _database_says(cadaujac)
    assert _dashboard_says(didenheim) == _database_says(didenheim)
    shown = _dashboard_says(cadaujac)
    assert shown["joins"] == 7  # 8 approved, one erased with its membership
    assert shown["departures"] == 2  # one left, one moved
    assert sum(pending for _v, pending in shown["communities"].values()) == 4


def test_the_page_reads_counts_never_memberships(make_member, cadaujac, centre_bourg):
    for i in range(5):
        make_member(f"v{i}@cadaujac.test", centre_bourg, first_name="V", last_name=str(i))

    with CaptureQueriesContext(connection) as captured:
        members = figures.members(commune=cadaujac, now=timezone.now())

    assert members.verified == 5
    assert len(captured) == 2
    assert not any("communities_membership" in query["sql"] for query in captured)


def test_writes_without_signals_are_counted_by_the_sweep(make_member, cadaujac, centre_bourg):
    make_member("v@cadaujac.test", centre_bourg, first_name="V", last_name="V")
    Membership.objects.filter(community=centre_bourg).update(status=MembershipStatus.LEFT)
    CommunityMemberCount.objects.all().delete()
    MembershipDayCount.objects.all().delete()

    member_counts_refresh_all()

    members = figures.members(commune=cadaujac, now=timezone.now())
    assert (members.verified, members.left) == (0, 1)
    assert members.joins_last_12_months == 1
