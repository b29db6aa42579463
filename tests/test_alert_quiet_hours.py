"""Quiet hours: non-urgent mairie broadcasts wait for Monday–Saturday 8h–20h (Paris) before
their SMS and push leave; urgent ones and residents' alerts go at once."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alerts.broadcast import quiet_hours_end
from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post, broadcast_post
from communities.models import StaffRole
from communities.services import staff_role_grant

PARIS = ZoneInfo("Europe/Paris")


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
