"""An alert is pushed once to every member of its audience who enabled push on at least one
device and keeps push on — whatever the number of their devices — and to nobody else."""

import pytest

from accounts.models import Profile
from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post, broadcast_post
from communities.models import MembershipStatus, StaffRole
from communities.services import staff_role_grant
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery


@pytest.fixture
def everyone_subscribed(
    push_device,
    make_member,
    centre_bourg,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    marc_moderator,
    diane_moderator,
    charlie_outsider,
    alice_editor,
):
    """Every persona enabled push on one device; Paul on two; Odile turned push off."""
    pending = make_member(
        "pending@cadaujac.test",
        centre_bourg,
        first_name="Pia",
        last_name="Attente",
        status=MembershipStatus.PENDING,
    )
    odile = make_member("odile@cadaujac.test", centre_bourg, first_name="Odile", last_name="Off")
    Profile.objects.create(user=odile, alerts_by_push=False)
    for user in (
        jeanne_resident,
        paul_neighbour,
        paul_neighbour,
        lucie_tuileries,
        dieter_didenheim,
        marc_moderator,
        diane_moderator,
        charlie_outsider,
        alice_editor,  # an editor is staff, but not among those who receive alerts
        pending,
        odile,
    ):
        push_device(user)
    return {"pending": pending, "odile": odile}


def push_recipients():
    return {
        d.user.email: d.restricted
        for d in Delivery.objects.filter(channel=Channel.PUSH).select_related("user")
    }


def test_residents_alert_is_pushed_to_its_community_and_the_communes_staff_only(
    everyone_subscribed, jeanne_resident
):
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.BURGLARY, text="Volets forcés rue Haute."
    )

    deliveries_write(message=AlertMessage.objects.get(alert=alert))

    # Paul once despite his two devices; Marc (moderator) with the identifying details.
    # Not Jeanne (the author), Lucie (another community), Dieter and Diane (another commune),
    # Charlie (no membership), Alice (editor), the pending member, nor Odile (push off).
    assert push_recipients() == {"paul@cadaujac.test": False, "marc@cadaujac.test": True}


def test_members_without_any_device_get_no_push_row(
    push_device, jeanne_resident, paul_neighbour, make_member, centre_bourg
):
    push_device(paul_neighbour)
    make_member("sans@cadaujac.test", centre_bourg, first_name="Sans", last_name="Appareil")
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.CANVASSER, text="Faux plombier."
    )

    deliveries_write(message=AlertMessage.objects.get(alert=alert))

    assert set(push_recipients()) == {"paul@cadaujac.test"}
    assert Delivery.objects.filter(user__email="sans@cadaujac.test", channel=Channel.EMAIL)


def test_writing_twice_adds_no_push_row(everyone_subscribed, jeanne_resident):
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.BURGLARY, text="Volets forcés rue Haute."
    )
    message = AlertMessage.objects.get(alert=alert)
    deliveries_write(message=message)

    assert deliveries_write(message=message) == 0
    assert Delivery.objects.filter(channel=Channel.PUSH).count() == 2


def test_commune_wide_broadcast_is_pushed_to_every_community_of_that_commune(
    everyone_subscribed, cadaujac, make_user
):
    broadcaster = make_user("diffusion@cadaujac.test")
    staff_role_grant(user=broadcaster, commune=cadaujac, role=StaffRole.BROADCASTER)
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.WEATHER,
        text="Vigilance orange orages ce soir.",
    )

    deliveries_write(message=AlertMessage.objects.get(alert=alert))

    assert push_recipients() == {
        "jeanne@cadaujac.test": False,
        "paul@cadaujac.test": False,
        "lucie@cadaujac.test": False,
        "marc@cadaujac.test": True,
    }
