"""The delivery outbox's clock: recovery sweep, retries, reconciliation, readiness limits.

All in seconds. The sweep runs from Celery beat (``tasks.py``); ``/readyz`` reads the limits.
"""

from .environment import env_float, env_int

# The delivery sweep: queued rows untouched this long were lost with their task; rows in
# sending this long belonged to a dead worker and are reconciled with the provider.
ALERT_SWEEP_QUEUED_AFTER = env_int("ALERT_SWEEP_QUEUED_AFTER", default=120)
ALERT_SWEEP_SENDING_AFTER = env_int("ALERT_SWEEP_SENDING_AFTER", default=600)
ALERT_SWEEP_EVERY = env_float("ALERT_SWEEP_EVERY", default=60.0)
# Messages posted this many seconds ago and never fanned out (their task was not published,
# the broker being down, or was lost) are fanned out by the sweep.
ALERT_SWEEP_FANOUT_AFTER = env_int("ALERT_SWEEP_FANOUT_AFTER", default=60)
# /readyz answers 503 when the oldest due delivery, or the oldest message never fanned out,
# has waited longer than this (seconds; 0 turns the check off).
READYZ_MAX_QUEUED_AGE_SECONDS = env_int("READYZ_MAX_QUEUED_AGE_SECONDS", default=600)
READYZ_MAX_FANOUT_AGE_SECONDS = env_int("READYZ_MAX_FANOUT_AGE_SECONDS", default=600)
# Transient send errors: retried after about base × 2^(attempt-1) seconds (±50 %), capped,
# until a delivery has been tried this many times.
ALERT_SEND_MAX_ATTEMPTS = env_int("ALERT_SEND_MAX_ATTEMPTS", default=5, minimum=1)
ALERT_RETRY_BASE_SECONDS = env_float("ALERT_RETRY_BASE_SECONDS", default=2.0)
ALERT_RETRY_MAX_SECONDS = env_float("ALERT_RETRY_MAX_SECONDS", default=60.0)
# A timed-out SMS request is looked up at the provider this many seconds later.
ALERT_RECONCILE_AFTER = env_float("ALERT_RECONCILE_AFTER", default=5.0)
# A fan-out's rows are written by this many statements at once, each on its own database
# connection (PostgreSQL writes one INSERT on one core): about the database's cores.
FANOUT_WRITERS = env_int("FANOUT_WRITERS", default=2, minimum=1)
