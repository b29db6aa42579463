"""Liveness and readiness probes for load balancers and orchestrators."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from notifications.backlog import outbox_backlog


@never_cache
@require_GET
def healthz(request):
    """200 as long as the process can answer: never touches a dependency."""
    return JsonResponse({"status": "ok"})


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not ready"; the component name is the message
        return False
    return True


def _broker_answers() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(
            settings.CELERY_BROKER_URL, socket_connect_timeout=1, socket_timeout=1
        )
        return bool(client.ping())
    except redis.RedisError:
        return False


def _outbox_checks(checks: dict, reasons: dict) -> dict:
    """The alert outbox's backlog; a check fails when its oldest item waited too long.

    Deliveries waiting on purpose (a paced SMS's slot ahead, quiet hours) are not late.
    """
    backlog = outbox_backlog()
    limits = {
        "outbox_queued": (
            backlog.oldest_queued_seconds,
            settings.READYZ_MAX_QUEUED_AGE_SECONDS,
            "the oldest queued delivery has been due for %d s (limit %d s)",
        ),
        "outbox_fanout": (
            backlog.oldest_unfanned_seconds,
            settings.READYZ_MAX_FANOUT_AGE_SECONDS,
            "the oldest alert message never fanned out was posted %d s ago (limit %d s)",
        ),
    }
    for name, (age, limit, reason) in limits.items():
        late = bool(limit) and age is not None and age > limit
        checks[name] = not late
        if late:
            reasons[name] = reason % (age, limit)
    return {
        "oldest_queued_delivery_seconds": backlog.oldest_queued_seconds,
        "oldest_unfanned_message_seconds": backlog.oldest_unfanned_seconds,
    }


@never_cache
@require_GET
def readyz(request):
    """200 when the database answers (and the broker, when one is configured) and the alert
    outbox keeps up, else 503 naming what fails and why.

    The outbox keeps up when no queued delivery has been due for longer than
    ``READYZ_MAX_QUEUED_AGE_SECONDS`` and no alert message has waited for its fan-out
    longer than ``READYZ_MAX_FANOUT_AGE_SECONDS``: past that, alerts are not leaving
    (workers stopped, or the broker lost their tasks and no sweep runs).
    """
    checks = {"database": _database_answers()}
    reasons = {}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_answers()
        if not checks["broker"]:
            reasons["broker"] = "the Celery broker does not answer"
    outbox = None
    if checks["database"]:
        try:
            outbox = _outbox_checks(checks, reasons)
        except DatabaseError:
            checks["outbox"] = False
            reasons["outbox"] = "the alert outbox could not be read"
    else:
        reasons["database"] = "the database does not answer"
    failing = sorted(name for name, ok in checks.items() if not ok)
    return JsonResponse(
        {
            "status": "unavailable" if failing else "ok",
            "failing": failing,
            "reasons": reasons,
            "checks": checks,
            "outbox": outbox,
        },
        status=503 if failing else 200,
    )
