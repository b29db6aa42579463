"""Pacing SMS to the contracted provider rate, across every worker and every kind of send.

Fan-outs, retries and recovery all book their SMS on one schedule kept in the shared cache
(Redis in production): booking ``count`` messages moves the end of the schedule forward by
``count / SMS_RATE_PER_SECOND`` seconds and answers how long to wait before starting. The
provider's throughput, not our pipeline, is what a real send is limited by; booking ahead
keeps Twilio's own queue (and its validity period) out of play.

Small fan-outs go first. A village's alert to 50 members must not wait behind a town's
broadcast to 100,000 (hours at 10 SMS/s): a booking of at most ``SMS_PRIORITY_MAX`` SMS
takes the next slot of a second schedule, the priority lane, which is idle unless small
fan-outs follow each other, and pushes the end of the shared schedule forward by the same
span, so the bulk's later bookings repay what the small one took. Over any long period the
provider is asked for no more than its rate; while a small fan-out overlaps a large one,
the provider briefly receives both (at most the small one's own SMS, which its queue takes
in seconds).
"""

import time

from django.conf import settings
from django.core.cache import cache

PACE_KEY = "alerts:sms-pace:end-ms"  # the name it had: a running schedule carries on
PRIORITY_PACE_KEY = "notifications:sms-pace:priority-end-ms"
PACE_KEY_TIMEOUT = 24 * 3600


def sms_rate_per_second() -> float:
    return float(getattr(settings, "SMS_RATE_PER_SECOND", 0) or 0)


def sms_priority_max() -> int:
    """The largest booking that takes the priority lane (``SMS_PRIORITY_MAX``)."""
    return int(getattr(settings, "SMS_PRIORITY_MAX", 0) or 0)


def _book(key: str, *, span_ms: int, now_ms: int) -> int:
    """Move the end of the schedule at ``key`` forward by ``span_ms``; return the start of
    the span booked (never before now)."""
    cache.add(key, now_ms, timeout=PACE_KEY_TIMEOUT)
    try:
        end_ms = cache.incr(key, span_ms)
    except ValueError:  # expired between add and incr
        cache.set(key, now_ms + span_ms, timeout=PACE_KEY_TIMEOUT)
        end_ms = now_ms + span_ms
    start_ms = end_ms - span_ms
    if start_ms < now_ms:
        cache.incr(key, now_ms - start_ms)
        start_ms = now_ms
    return start_ms


def sms_slot_delay(*, count: int, now: float | None = None) -> float:
    """Book ``count`` SMS on the shared schedule; seconds to wait before sending them.

    The schedule is one integer (the end of what is booked, in ms) moved by atomic
    increments, so concurrent bookers never get the same slot. When the schedule lies in
    the past (nothing booked lately) it restarts from now; two bookers doing so at the
    same instant may overlap by one batch, which the provider's own queue absorbs.
    A booking of at most ``SMS_PRIORITY_MAX`` SMS takes the priority lane instead (see
    the module's docstring).
    """
    rate = sms_rate_per_second()
    if rate <= 0 or count <= 0:
        return 0.0
    now = time.time() if now is None else now
    span_ms = max(1, round(count * 1000 / rate))
    now_ms = int(now * 1000)
    if count <= sms_priority_max():
        start_ms = _book(PRIORITY_PACE_KEY, span_ms=span_ms, now_ms=now_ms)
        _book(PACE_KEY, span_ms=span_ms, now_ms=now_ms)  # the bulk repays the span
    else:
        start_ms = _book(PACE_KEY, span_ms=span_ms, now_ms=now_ms)
    return (start_ms - now_ms) / 1000


def sms_pace_reset() -> None:
    """Forget what is booked (tests, benchmarks)."""
    cache.delete_many([PACE_KEY, PRIORITY_PACE_KEY])
