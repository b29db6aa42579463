"""The alert benchmark times a mairie's message at any hour without breaking quiet hours: at
night in Paris it runs as a deployment for overseas communes would, in a French time zone
where it is then a weekday between 9h and 19h, and that zone's quiet hours let the message
go at once."""

import importlib.util
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from notifications.quiet_hours import quiet_hours_end

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
PARIS = ZoneInfo("Europe/Paris")
UTC = ZoneInfo("UTC")


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_alerts", BENCHMARKS / "alerts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# 2026-12-04 is a Friday, 2026-12-06 a Sunday.
@pytest.mark.parametrize(
    ("now", "zone"),
    [
        (datetime(2026, 12, 4, 10, 0, tzinfo=PARIS), "Europe/Paris"),  # daytime in Paris
        (datetime(2026, 12, 4, 0, 50, tzinfo=PARIS), "Pacific/Noumea"),  # 10h50 in Nouméa
        (datetime(2026, 12, 4, 8, 30, tzinfo=PARIS), "Indian/Reunion"),  # 11h30 at La Réunion
        (datetime(2026, 12, 4, 21, 0, tzinfo=PARIS), "America/Guadeloupe"),  # 16h there
    ],
)
def test_at_night_in_paris_the_bench_runs_where_it_is_daytime_and_the_message_is_not_held(
    bench, settings, now, zone
):
    chosen = bench.quiet_hours_time_zone(now)
    settings.QUIET_HOURS = {**settings.QUIET_HOURS, "TIME_ZONE": chosen}

    assert chosen == zone
    assert quiet_hours_end(now=now) is None


def test_on_sunday_when_it_is_sunday_or_night_everywhere_french_the_bench_finds_no_zone(bench):
    assert bench.quiet_hours_time_zone(datetime(2026, 12, 6, 12, 0, tzinfo=UTC)) is None
