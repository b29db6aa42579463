"""Quiet hours: non-urgent mairie broadcasts wait for Monday–Saturday 8h–20h (Paris, or the
deployment's ``QUIET_HOURS_TIME_ZONE`` overseas) before their SMS and push leave; urgent ones
and residents' alerts go at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alerts.broadcast import quiet_hours_end
from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post, broadcast_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from messaging.models import OfficialTarget
from messaging.official import official_send

PARIS = ZoneInfo("Europe/Paris")
NOUMEA = ZoneInfo("Pacific/Noumea")


def paris(year, month, day, hour, minute=0, second=0):
    return datetime(year, month, day, hour, minute, second, tzinfo=PARIS)


# 2026-11-28 is a Saturday, 2026-11-29 a Sunday, 2026-11-30 a Monday.
@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (paris(2026, 11, 28, 20, 1), paris(2026, 11, 30, 8)),  # Saturday evening → Monday
        (paris(2026, 11, 28, 20, 0), paris(2026, 11, 30, 8)),  # 20:00 is already quiet
        (paris(2026, 11, 28, 19, 59, 59), None),  # Saturday daytime is allowed
        (paris(2026, 11, 29, 0, 0), paris(2026, 11, 30, 8)),  # Sunday midnight
        (paris(2026, 11, 29, 12, 0), paris(2026, 11, 30, 8)),  # Sunday noon
        (paris(2026, 11, 29, 23, 59), paris(2026, 11, 30, 8)),  # Sunday night
        (paris(2026, 11, 30, 7, 59), paris(2026, 11, 30, 8)),  # Monday early morning
        (paris(2026, 11, 30, 8, 0), None),  # Monday 8:00 sharp
        (paris(2026, 12, 1, 21, 30), paris(2026, 12, 2, 8)),  # Tuesday night → Wednesday
        (paris(2026, 12, 4, 23, 0), paris(2026, 12, 5, 8)),  # Friday night → Saturday
        (paris(2026, 12, 5, 3, 0), paris(2026, 12, 5, 8)),  # Saturday small hours
    ],
)
def test_next_allowed_moment_over_the_week_edges(now, expected):
    assert quiet_hours_end(now=now) == expected


def test_the_answer_does_not_depend_on_the_time_zone_the_moment_is_given_in():
    utc_saturday_evening = datetime(2026, 11, 28, 19, 30, tzinfo=ZoneInfo("UTC"))  # 20:30 Paris

    assert quiet_hours_end(now=utc_saturday_evening) == paris(2026, 11, 30, 8)


def test_summer_time_mornings_are_8h_paris_time():
    # 2026-03-29 is the Sunday clocks go forward: Monday 8:00 is 06:00 UTC.
    end = quiet_hours_end(now=paris(2026, 3, 28, 22, 0))

    assert end == paris(2026, 3, 30, 8)
    assert end.utcoffset().total_seconds() == 2 * 3600


@pytest.fixture
def broadcaster(make_user, cadaujac, centre_bourg):
    user = make_user("barbara@cadaujac.test", first_name="Barbara")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


def message_of(alert):
    return AlertMessage.objects.get(alert=alert)


@time_machine.travel(paris(2026, 11, 28, 22, 15), tick=False)
def test_a_non_urgent_broadcast_at_night_holds_sms_and_push_until_monday_morning(
    broadcaster, cadaujac
):
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text="Route de Bordeaux fermée lundi pour travaux.",
        urgent=False,
    )

    assert message_of(alert).not_before == paris(2026, 11, 30, 8)


@time_machine.travel(paris(2026, 11, 28, 22, 15), tick=False)
def test_an_urgent_broadcast_at_night_goes_at_once(broadcaster, cadaujac):
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.WEATHER,
        text="Vigilance rouge orages : restez chez vous.",
        urgent=True,
    )

    assert message_of(alert).not_before is None


@time_machine.travel(paris(2026, 12, 1, 10, 0), tick=False)
def test_a_non_urgent_broadcast_in_the_daytime_goes_at_once(broadcaster, cadaujac):
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.STRIKE,
        text="Grève des transports scolaires demain.",
        urgent=False,
    )

    assert message_of(alert).not_before is None


@time_machine.travel(paris(2026, 11, 29, 3, 0), tick=False)
def test_a_residents_alert_on_sunday_night_goes_at_once(jeanne_resident):
    alert = alert_post(
        author=jeanne_resident,
        category=AlertCategory.BURGLARY,
        text="Quelqu'un force la porte du garage au 3 rue des Écoles.",
    )

    assert message_of(alert).not_before is None


# --- A deployment for overseas communes keeps the rule in its own local time ---------------


@pytest.fixture
def noumea_deployment(settings):
    """The deployment of New Caledonia's communes: ``QUIET_HOURS_TIME_ZONE=Pacific/Noumea``."""
    settings.QUIET_HOURS = {**settings.QUIET_HOURS, "TIME_ZONE": "Pacific/Noumea"}


# Tuesday 1 December, 23h in Paris, is Wednesday 2 December, 9h in Nouméa.
@time_machine.travel(paris(2026, 12, 1, 23, 0), tick=False)
def test_a_message_sent_at_23h_paris_on_a_deployment_in_noumea_where_it_is_9h_is_not_held(
    noumea_deployment, broadcaster, cadaujac, jeanne_resident
):
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text="Route territoriale 1 fermée ce matin pour travaux.",
        urgent=False,
    )
    send = official_send(
        author=broadcaster,
        commune=cadaujac,
        target=OfficialTarget.COMMUNE,
        subject="Eau",
        text="Coupure d'eau ce matin de 10 h à 12 h.",
    )

    assert message_of(alert).not_before is None
    assert send.sms_not_before is None


@time_machine.travel(paris(2026, 12, 1, 23, 0), tick=False)
def test_the_same_message_on_the_default_deployment_waits_for_8h_paris(
    broadcaster, cadaujac, jeanne_resident
):
    send = official_send(
        author=broadcaster,
        commune=cadaujac,
        target=OfficialTarget.COMMUNE,
        subject="Eau",
        text="Coupure d'eau demain de 10 h à 12 h.",
    )

    assert send.sms_not_before == paris(2026, 12, 2, 8)


# Tuesday 1 December, 10h in Paris, is Tuesday 20h in Nouméa: the evening there.
@time_machine.travel(paris(2026, 12, 1, 10, 0), tick=False)
def test_on_a_deployment_in_noumea_its_evening_holds_until_8h_noumea(
    noumea_deployment, broadcaster, cadaujac
):
    alert = broadcast_post(
        author=broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text="Route territoriale 1 fermée demain pour travaux.",
        urgent=False,
    )

    assert message_of(alert).not_before == datetime(2026, 12, 2, 8, tzinfo=NOUMEA)
