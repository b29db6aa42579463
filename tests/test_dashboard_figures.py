"""The mairie's figures match the database, stay within the commune, and cost the same
number of queries whatever the commune's size."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertCategory
from alerts.services import alert_police_take, alert_post, alert_report
from communities.memberships import membership_leave
from communities.models import Membership, MembershipStatus, StaffRole
from communities.services import staff_role_grant
from dashboard import figures
from dashboard.live import figures_compute
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tallies import tallies_refresh
from tests.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks, settings):
    """A resident's alert, sent through the outbox (its SMS recorded with their cost)."""
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05

    def do(author, text="Voiture grise au pas devant les maisons.", category=None):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=author, category=category or AlertCategory.SCOUTING, text=text)

    return do


@pytest.fixture
def police_officer(make_user, cadaujac):
    officer = make_user("agent@cadaujac.test", first_name="Agnès", last_name="Brigadier")
    staff_role_grant(user=officer, commune=cadaujac, role=StaffRole.POLICE)
    return officer


def test_figures_count_the_communes_members_registrations_alerts_and_sms(
    post,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    pierre_pending,
    dieter_didenheim,
    cadaujac,
    didenheim,
):
    post(paul_neighbour)
    post(dieter_didenheim, text="Démarcheur insistant au village.")  # another commune
    now = timezone.now()

    members = figures.members(commune=cadaujac, now=now)
    assert (members.verified, members.pending) == (3, 1)
    rows = {row.name: row for row in members.communities}
    assert (rows["Centre-bourg"].verified, rows["Centre-bourg"].pending) == (2, 1)
    assert rows["Les Tuileries"].verified == 1
    assert members.joins_by_month[-1][1] == 3  # all three verified this month
    assert len(members.joins_by_month) == 12

    registrations = figures.registrations(commune=cadaujac, now=now)
    assert registrations.waiting == 1
    assert registrations.oldest_at == Membership.objects.get(user=pierre_pending).requested_at

    alerts = figures.alerts(commune=cadaujac, now=now)
    assert [alerts.totals[key].current for key in ("week", "month", "year")] == [1, 1, 1]
    assert alerts.totals["week"].direction == "up"
    assert [row.key for row in alerts.by_category] == [AlertCategory.SCOUTING]
    centre = rows["Centre-bourg"]
    assert alerts.by_community[centre.pk]["month"].current == 1
    assert alerts.by_month[-1][1] == 1

    # Jeanne got the alert by e-mail and SMS (Lucie, another community, got nothing).
    sms = Delivery.objects.filter(
        channel=Channel.SMS, message__alert_message__alert__commune=cadaujac
    )
    assert sms.exists()
    spend = figures.sms_spend(commune=cadaujac, now=now)
    expected_segments = sum(d.segments for d in sms)
    assert spend.segments == expected_segments
    assert spend.cost == (expected_segments * Decimal("0.05")).quantize(Decimal("0.01"))
    assert figures.sms_spend(commune=didenheim, now=now).segments == 0  # Dieter has no neighbour

    tallies_refresh()  # every minute, and while the dashboard is watched
    channels = figures.channels(commune=cadaujac, now=now)
    by_channel = {share.channel: share for share in channels.shares}
    assert (
        by_channel[Channel.SMS].delivered
        == sms.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED]).count()
    )
    assert channels.unreached == 0


def test_a_failed_member_counts_as_unreached_with_a_link_to_the_call_list(
    post, jeanne_resident, paul_neighbour, cadaujac
):
    alert = post(paul_neighbour)
    Delivery.objects.filter(user=jeanne_resident).update(status=DeliveryStatus.FAILED)
    tallies_refresh()

    channels = figures.channels(commune=cadaujac, now=timezone.now())

    assert channels.unreached == 1
    assert [pk for pk, _label, _at in channels.call_lists] == [alert.pk]
    assert all(share.failed for share in channels.shares)


def test_moderation_queue_and_reports_give_their_count_and_oldest(
    post, jeanne_resident, paul_neighbour, cadaujac
):
    alert = post(paul_neighbour)
    alert_report(alert=alert, by=jeanne_resident, reason="Ce n'est pas une alerte.")
    later = timezone.now() + timedelta(hours=2)

    queue = figures.moderation_queue(commune=cadaujac, now=later)
    reports = figures.open_reports(commune=cadaujac, now=later)

    assert (queue.waiting, queue.held) == (1, 0)
    assert queue.oldest_age >= timedelta(hours=2)
    assert reports.waiting == 1
    assert reports.oldest_at is not None


def test_police_figures_say_which_alert_was_taken_by_whom_and_after_how_long(
    post, jeanne_resident, paul_neighbour, police_officer, cadaujac
):
    waiting = post(jeanne_resident, text="Portail ouvert chez les voisins absents.")
    taken = post(paul_neighbour)
    Alert.objects.filter(pk=taken.pk).update(created_at=timezone.now() - timedelta(minutes=12))
    taken.refresh_from_db()
    alert_police_take(alert=taken, by=police_officer)

    police = figures.police(commune=cadaujac, now=timezone.now())

    assert (police.running_total, police.taken_total) == (2, 1)
    first, second = police.running
    assert first.pk == waiting.pk
    assert first.taken_at is None
    assert second.pk == taken.pk
    assert second.taken_by == "Agnès Brigadier"
    assert timedelta(minutes=11) < second.waited < timedelta(minutes=13)
    assert police.taken_last_30_days == 1
    assert timedelta(minutes=11) < police.average_wait < timedelta(minutes=13)


def test_departures_are_counted_in_the_month_members_left(
    client,
    sign_in,
    private_storage,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    tuileries,
    cadaujac,
):
    """Jeanne moves to Les Tuileries from her account page, Lucie left three months ago
    after joining long before: both are departures of their month; Jeanne's new request,
    still pending, is no arrival, and her ended membership grants her nothing."""
    sign_in(client, jeanne_resident)
    client.post(
        "/compte/communaute/",
        {"community": tuileries.pk, "address": "5 rue des Tuiles", "proof": pdf_upload()},
    )
    now = timezone.now()
    three_months_ago = now - timedelta(days=92)
    lucie = Membership.objects.get(user=lucie_tuileries)
    lucie.status = MembershipStatus.LEFT
    lucie.decided_at = now - timedelta(days=500)
    lucie.left_at = three_months_ago
    lucie.save()

    members = figures.members(commune=cadaujac, now=now)

    by_month = {start.date(): (joins, left) for start, joins, left in members.by_month}
    this_month = figures.month_starts(now=now)[-1].date()
    lucie_month = timezone.localtime(three_months_ago).date().replace(day=1)
    assert by_month[this_month] == (2, 1)  # Jeanne's and Paul's joins; Jeanne's departure
    assert by_month[lucie_month][1] == 1
    assert members.departures_last_12_months == 2
    assert members.joins_last_12_months == 2  # Lucie joined 500 days ago
    ended = Membership.objects.get(user=jeanne_resident, status=MembershipStatus.LEFT)
    assert ended.left_at is not None
    assert members.verified == 1  # Paul alone
    # Pending again: the directory of her former community is closed to her.
    assert client.get("/annuaire/").status_code == 404


def test_the_dashboard_shows_departures_by_month(
    sign_in, arnaud_admin, jeanne_resident, paul_neighbour, cadaujac
):
    membership_leave(membership=Membership.objects.get(user=jeanne_resident))
    client = Client()
    sign_in(client, arnaud_admin)

    page = client.get(f"/admin/tableau-de-bord/?commune={cadaujac.pk}").content.decode()

    assert "1 départ en 12 mois" in page
    assert page.count('data-figure="departures-month"') == 12
    assert '<td data-figure="departures-month">1</td>' in page


def _grow(cadaujac, centre_bourg, make_member, post, size: int):
    """``size`` more verified members, each posting an alert to the others."""
    authors = [
        make_member(
            f"voisin{size}-{i}@cadaujac.test",
            centre_bourg,
            first_name="Voisin",
            last_name=str(i),
            phone=f"+3361{size:02d}{i:05d}",
        )
        for i in range(size)
    ]
    for author in authors:
        post(author)
    for membership in Membership.objects.filter(user__in=authors[: size // 2]):
        membership.status = MembershipStatus.LEFT
        membership.left_at = timezone.now()
        membership.save()


def _queries(cadaujac) -> int:
    with CaptureQueriesContext(connection) as captured:
        figures_compute(commune=cadaujac, now=timezone.now())
    return len(captured)


def test_the_dashboard_costs_the_same_queries_for_a_small_and_a_larger_commune(
    post, make_member, cadaujac, centre_bourg, tuileries, police_officer
):
    _grow(cadaujac, centre_bourg, make_member, post, 2)
    small = _queries(cadaujac)
    assert Delivery.objects.count() > 0

    _grow(cadaujac, tuileries, make_member, post, 12)
    Alert.objects.filter(commune=cadaujac).update(created_at=timezone.now() - timedelta(days=40))
    larger = _queries(cadaujac)

    assert Delivery.objects.count() > 100
    # Members 2, registrations 1, alerts 4, channels 3, moderation 1, reports 1, gazette and
    # messaging 4, SMS 2, police 3: the same 21 at any size.
    assert small == larger == 21
