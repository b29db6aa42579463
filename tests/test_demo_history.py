"""`load_demo` gives each commune a past: its mairie's dashboard opens on a year of members,
alerts and their deliveries, counted at once, and the figures it shows are the database's.
The same on SQLite (`make demo`) as on PostgreSQL: these tests run on whichever
``DATABASE_URL`` names."""

import html
from collections import Counter
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.test import Client
from django.utils import timezone

from alerts.models import Alert
from communities.models import Membership, MembershipStatus
from dashboard.live import figures_compute
from notifications.models import Delivery, DeliveryTally, MessageTally

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("insee", ["33080", "68074"])
def test_each_demo_dashboard_shows_a_year_of_believable_activity(demo, insee):
    commune = demo[insee]

    shown = figures_compute(commune=commune, now=timezone.now())

    # Members: hundreds, joining every month, a few leaving, a few waiting.
    assert shown.members.verified >= 150
    assert all(joins > 0 for _month, joins in shown.members.joins_by_month[:-1])
    assert 0 < shown.members.departures_last_12_months < shown.members.joins_last_12_months
    assert shown.registrations.waiting >= 3
    # Requests of the past days, not all of the moment the demo was loaded.
    assert shown.registrations.oldest_age > timedelta(days=3)
    assert all(row.verified >= 10 for row in shown.members.communities)
    # Alerts: every past month, most kinds, every community, more this year than last.
    assert all(count > 0 for _month, count in shown.alerts.by_month[:-1])
    assert len(shown.alerts.by_category) >= 6
    assert all(row.pk in shown.alerts.by_community for row in shown.members.communities)
    year = shown.alerts.totals["year"]
    assert year.current > year.previous > 0
    assert shown.moderation.waiting >= 2
    # Their deliveries: mostly delivered, a few failed, some members to phone.
    for share in shown.channels.shares:
        assert share.delivered_percent >= 90, share
        assert share.failed > 0, share
    assert {share.channel for share in shown.channels.shares} == {"push", "email", "sms"}
    assert shown.channels.unreached > 0
    assert shown.channels.call_lists
    assert 0 < shown.sms.cost < commune.sms_budget


def test_the_demo_dashboards_figures_are_the_databases(demo):
    for commune in demo.values():
        shown = figures_compute(commune=commune, now=timezone.now())
        memberships = Membership.objects.filter(community__commune=commune)

        assert shown.members.verified == memberships.filter(status="verified").count()
        assert shown.registrations.waiting == memberships.filter(status="pending").count()
        assert shown.alerts.totals["year"].current == (
            Alert.objects.filter(
                commune=commune,
                created_at__gt=timezone.now() - timedelta(days=365),
            )
            .exclude(moderation_status__in=["held", "rejected"])
            .count()
        )
        # The tallies the dashboard reads hold every one of the commune's deliveries.
        deliveries = Delivery.objects.filter(message__payer=commune)
        tallied = DeliveryTally.objects.filter(message__payer=commune).aggregate(
            n=Sum("delivered") + Sum("failed") + Sum("pending")
        )
        assert tallied["n"] == deliveries.count() > 1000


def test_the_years_alerts_went_to_the_members_of_that_day(demo):
    commune = demo["33080"]
    alert = (
        Alert.objects.filter(
            commune=commune,
            community__isnull=False,
            created_at__gt=timezone.now() - timedelta(days=365),
        )
        .order_by("created_at")
        .first()
    )
    recipients = Delivery.objects.filter(message__alert_message__alert=alert).values("user")
    members = Membership.objects.filter(user__in=recipients, community=alert.community)

    assert recipients.exists()
    assert not members.filter(decided_at__gt=alert.created_at).exists()
    assert not members.filter(status=MembershipStatus.PENDING).exists()


@pytest.mark.parametrize("insee", ["33080", "68074"])
def test_no_two_neighbours_of_a_demo_commune_share_a_name(demo, insee):
    """In the directory or a call list, two "Alain Barthe" would look like one person
    listed twice: invented and hand-written neighbours alike have names of their own."""
    names = Counter(
        Membership.objects.filter(community__commune=demo[insee]).values_list(
            "user__first_name", "user__last_name"
        )
    )

    assert sum(names.values()) >= 150
    assert [name for name, count in names.items() if count > 1] == []


def test_the_history_is_settled_and_loaded_once(demo):
    from demo.loader import demo_load

    before = (Membership.objects.count(), Alert.objects.count(), Delivery.objects.count())

    demo_load()

    assert (Membership.objects.count(), Alert.objects.count(), Delivery.objects.count()) == before
    past = MessageTally.objects.filter(message__created_at__lt=timezone.now() - timedelta(days=1))
    assert past.exists()
    assert not past.filter(settled=False).exists()


def test_the_mairie_opens_its_dashboard_on_the_years_figures(demo, sign_in):
    mairie = get_user_model().objects.get(email="mairie@cadaujac.demo.invalid")
    client = sign_in(Client(), mairie)
    verified = Membership.objects.filter(
        community__commune=demo["33080"], status=MembershipStatus.VERIFIED
    ).count()

    page = html.unescape(
        client.get(
            "/admin/tableau-de-bord/", headers={"host": "cadaujac.localhost"}
        ).content.decode()
    )

    assert str(verified) in page
    assert "Les Graves" in page
    assert "Résidence des Vignes" in page
    assert "membres à appeler" in page
