"""The Celery app (``portal.celery:app``).

Without a broker (the demo) tasks run in-process (``CELERY_TASK_ALWAYS_EAGER``); with
``REDIS_URL`` or ``CELERY_BROKER_URL`` they go to Redis and a worker runs them.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
