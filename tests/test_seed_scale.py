"""``seed_scale`` fills a commune with synthetic verified members quickly and tops up on a
second run; an alert then reaches them all."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Profile, User
from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post
from communities.models import Membership, MembershipStatus
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery

pytestmark = pytest.mark.django_db


def seeded():
    return Membership.objects.filter(
        status=MembershipStatus.VERIFIED, user__phone__startswith="+336"
    ).exclude(user__phone__startswith="+3361122")


def test_seed_scale_creates_verified_members_with_profiles_and_unique_numbers(
    cadaujac, centre_bourg, capsys
):
    call_command("seed_scale", "--members", "300", "--commune", "cadaujac", "--communities", "3")

    out = capsys.readouterr().out
    assert "300 membres synthétiques créés" in out
    assert "100 avec e-mail" in out
    members = seeded().filter(community__commune=cadaujac)
    assert members.count() == 300
    # Spread over three communities: Centre-bourg (existing) and two created ones.
    per_community = {
        name: members.filter(community__name=name).count()
        for name in members.values_list("community__name", flat=True).distinct()
    }
    assert set(per_community) == {"Centre-bourg", "Secteur 2", "Secteur 3"}
    assert all(90 <= count <= 110 for count in per_community.values())
    users = User.objects.filter(memberships__in=members)
    phones = list(users.values_list("phone", flat=True))
    assert len(set(phones)) == 300
    assert all(str(p).startswith("+33629") and len(str(p)) == 12 for p in phones)
    assert users.exclude(email=None).count() == 100
    assert not any(u.has_usable_password() for u in users[:20])
    profiles = Profile.objects.filter(user__in=users)
    assert profiles.count() == 300
    assert profiles.filter(alerts_by_sms=True).count() == 300
    assert profiles.filter(alerts_by_email=True).count() == 100


def test_seed_scale_works_with_sql_logging_on_as_in_the_demo(cadaujac, capsys):
    # make demo runs with DEBUG on, which logs every statement with its parameters: on SQLite
    # a bare "%" in the SQL used to break that logging and the whole command.
    with CaptureQueriesContext(connection):
        call_command("seed_scale", "--members", "30", "--commune", "cadaujac")

    assert "30 membres synthétiques créés" in capsys.readouterr().out
    phones = sorted(str(p) for p in seeded().values_list("user__phone", flat=True))
    assert phones[:2] == ["+33629000000", "+33629000001"]


def test_a_second_run_tops_up_and_a_third_changes_nothing(cadaujac, capsys):
    call_command("seed_scale", "--members", "50", "--commune", "cadaujac")
    call_command("seed_scale", "--members", "80", "--commune", "cadaujac")
    capsys.readouterr()
    call_command("seed_scale", "--members", "80", "--commune", "cadaujac")

    assert "rien à créer" in capsys.readouterr().out
    assert seeded().count() == 80
    assert User.objects.filter(phone__startswith="+33629").count() == 80


def test_an_unknown_commune_is_refused_and_nothing_is_created(cadaujac):
    with pytest.raises(CommandError, match="Commune inconnue"):
        call_command("seed_scale", "--members", "10", "--commune", "atlantide")
    assert not User.objects.filter(phone__startswith="+33629").exists()


def test_a_commune_wide_alert_reaches_every_seeded_member(cadaujac, centre_bourg, jeanne_resident):
    call_command("seed_scale", "--members", "200", "--commune", "cadaujac", "--communities", "1")
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.SCOUTING, text="Rôdeur rue des Vignes."
    )

    deliveries_write(message=AlertMessage.objects.get(alert=alert))

    assert Delivery.objects.filter(channel=Channel.SMS).count() == 200
    assert Delivery.objects.filter(channel=Channel.EMAIL).count() == 67
