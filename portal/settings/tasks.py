"""Background work: Celery (broker, queues, beat schedule) and Wagtail's django-tasks.

Without a broker (the demo, the tests) Celery tasks run in-process; with ``REDIS_URL`` or
``CELERY_BROKER_URL`` they go to Redis and a worker runs them.
"""

from celery.schedules import crontab

from .cache import REDIS_URL
from .delivery import ALERT_SWEEP_EVERY
from .environment import env_int, env_str

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The Redis transport reads a worker's queues in the order given (``-Q alerts,default``)
# rather than in turn: an alert never waits behind a digest.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "alerts.tasks.*": {"queue": "alerts"},
    "notifications.*": {"queue": "alerts"},
    # Redis keeps a list per priority step (0, 3, 6, 9; lower is read first) and a worker
    # reads a step of all its queues before the next: the default queue's tasks take the
    # last step, so the outbox's batches, even a broadcast's (lowered by its size,
    # ``notifications.tasks.fanout_priority``), still come first.
    "*": {"queue": "default", "priority": 9},
}
CELERY_TIMEZONE = "Europe/Paris"
# One beat runs the schedule across every machine (``portal/beat.py``): the others wait for
# its lock in Redis, renewed at each tick, and take over within BEAT_LOCK_SECONDS. The
# leader ticks at least three times per lock period, so a quiet schedule never lets it lapse.
CELERY_BEAT_SCHEDULER = "portal.beat:SingleBeatScheduler"
BEAT_LOCK_KEY = "voisinage:beat:leader"
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", default=45, minimum=1)
CELERY_BEAT_MAX_LOOP_INTERVAL = min(10, BEAT_LOCK_SECONDS / 3)
CELERY_BEAT_SCHEDULE: dict = {
    # CNIL: accounts two years without activity are erased, after a warning at 23 months.
    "accounts-inactivity": {
        "task": "accounts.inactive_accounts_sweep",
        "schedule": crontab(hour=4, minute=15),
    },
    # Deliveries a lost task, a restarted broker or a killed worker left behind.
    "outbox-deliveries-recover": {
        "task": "notifications.deliveries_recover",
        "schedule": ALERT_SWEEP_EVERY,
    },
    # The outbox's tallies, which the dashboard and the SMS budget read instead of counting
    # deliveries: the open messages counted again (on the default queue, behind alerts).
    "outbox-tallies-refresh": {
        "task": "notifications.tallies_refresh",
        "schedule": 60.0,
        "options": {"queue": "default"},
    },
    # The dashboard's member counts, counted again for the writes that send no signal
    # (a membership saved or deleted has its community's counted at once).
    "dashboard-member-counts": {
        "task": "dashboard.member_counts_refresh",
        "schedule": 600.0,
        "options": {"queue": "default"},
    },
    # GDPR: alert texts and identifying details do not outlive their retention periods.
    "alerts-retention": {
        "task": "alerts.retention_apply",
        "schedule": crontab(hour=3, minute=45),
    },
    # The gazette's weekly e-mail digest (idempotent per member and week).
    "gazette-digest-weekly": {
        "task": "gazette.tasks.gazette_digest_send",
        "schedule": crontab(day_of_week="fri", hour=17, minute=0),
    },
    # Authors of gazette posts hear of new comments: batched, at most hourly per post.
    "gazette-comments-notify": {
        "task": "gazette.tasks.gazette_comments_notify",
        "schedule": 300.0,
    },
    # CNIL: no proof of address outlives 30 days without a decision.
    "memberships-expire-stale": {
        "task": "communities.memberships_expire_stale",
        "schedule": crontab(hour=3, minute=30),
    },
    # A proof kept for a registration form left unfinished is deleted after a day.
    "registration-proofs-purge": {
        "task": "accounts.registration_proofs_purge",
        "schedule": crontab(minute=20),
    },
    # New registrations: their moderators and referents are told, batched, thrice a day.
    "registrations-waiting-notify": {
        "task": "communities.registrations_waiting_notify",
        "schedule": crontab(hour="9,13,17", minute=0),
    },
    # SMS budgets: the mairie's administrators are told at 80 % and 100 % of the month's.
    "communities-sms-budgets-check": {
        "task": "communities.sms_budgets_check",
        "schedule": 300.0,
    },
    # Private messages: one batched e-mail or push per member.
    "messaging-notify": {"task": "messaging.messages_notify", "schedule": 60.0},
    # A mairie's message to a whole town: conversations a lost task did not write.
    "messaging-official-conversations": {
        "task": "messaging.official_conversations_sweep",
        "schedule": 60.0,
    },
    # GDPR: private messages do not outlive MESSAGE_RETENTION_DAYS.
    "messaging-retention": {
        "task": "messaging.retention_apply",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Wagtail's own background work (search index, reference index) runs through django-tasks.
# It stays in-process: those updates are small and must not wait behind alert fan-outs.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
