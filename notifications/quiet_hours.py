"""Quiet hours: when a non-urgent SMS or push may leave (French rules for automated SMS).

Every sender that holds non-urgent messages asks here, so that the hours are written once:
the outbox holds SMS and push of a message until its ``not_before``.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

SUNDAY = 6


def _quiet_hours() -> tuple[int, int, ZoneInfo]:
    config = settings.QUIET_HOURS
    return config["START_HOUR"], config["END_HOUR"], ZoneInfo(config["TIME_ZONE"])


def quiet_hours_end(*, now: datetime) -> datetime | None:
    """When a non-urgent SMS or push created at ``now`` may leave; None when it may now.

    French rules for non-urgent SMS: Monday to Saturday, from ``END_HOUR`` (8h) to
    ``START_HOUR`` (20h), local time of the deployment (``TIME_ZONE``: Paris, unless
    ``QUIET_HOURS_TIME_ZONE`` names another for overseas communes). Outside that window, the
    answer is the next opening: 8h the same morning, the next morning, or Monday 8h from
    Saturday evening or Sunday. Urgent alerts never ask.
    """
    start_hour, end_hour, zone = _quiet_hours()
    local = now.astimezone(zone)
    opens = time(end_hour)
    closes = time(start_hour)
    if local.weekday() != SUNDAY and opens <= local.time() < closes:
        return None
    day = local.date()
    if local.time() >= closes or local.weekday() == SUNDAY:
        day += timedelta(days=1)
    while day.weekday() == SUNDAY:
        day += timedelta(days=1)
    # 8h always exists in Paris (clocks change at 2h or 3h) and overseas France keeps no
    # summer time (Saint-Pierre-et-Miquelon changes at 2h), so this is never ambiguous.
    return datetime.combine(day, opens, tzinfo=zone)
