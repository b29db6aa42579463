"""Every periodic job named in the beat schedule exists in the worker and does its work.

A beat entry naming a task nobody registers fails in silence: beat publishes it, the worker
drops it as unknown. That is how alert texts and identifying details once outlived their
retention periods. So the names are checked against what a freshly started worker registers
(autodiscovery, in a process of its own), and each job is run by that very name.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.django_db

BEAT = {name: entry["task"] for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def test_every_beat_entry_names_a_task_the_worker_registers():
    code = (
        "import json, django; django.setup()\n"
        "from portal.celery import app\n"
        "app.loader.import_default_modules()  # what a worker does when it starts\n"
        "print(json.dumps({'registered': sorted(app.tasks),"
        " 'beat': {k: v['task'] for k, v in app.conf.beat_schedule.items()}}))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    worker = json.loads(result.stdout.strip().splitlines()[-1])

    assert worker["beat"] == BEAT  # the worker's app reads the schedule of the settings
    assert "alerts-retention" in worker["beat"]
    missing = {
        name: task for name, task in worker["beat"].items() if task not in worker["registered"]
    }
    assert missing == {}


@pytest.fixture
def registered():
    app.loader.import_default_modules()
    return app.tasks


@pytest.mark.parametrize("entry", sorted(BEAT))
def test_each_periodic_task_runs_when_called_by_its_beat_name(entry, registered):
    result = registered[BEAT[entry]].apply_async()  # eager in tests, as in the demo

    assert result.successful()


def test_alert_retention_erases_old_texts_and_details_when_called_by_its_beat_name(
    registered, jeanne_resident, paul_neighbour, django_capture_on_commit_callbacks
):
    from alerts.models import Alert, AlertCategory, AlertMessage
    from alerts.services import alert_post

    with django_capture_on_commit_callbacks(execute=True):
        old = alert_post(
            author=jeanne_resident,
            category=AlertCategory.SCOUTING,
            text="Voiture grise qui fait le tour du quartier.",
            identifying_details="Plaque AB-123-CD",
        )
        recent = alert_post(
            author=paul_neighbour,
            category=AlertCategory.CANVASSER,
            text="Démarcheur insistant rue des Vignes.",
            identifying_details="Homme en veste rouge",
        )
    Alert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))

    registered[BEAT["alerts-retention"]].apply_async()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.text, old.identifying_details) == ("", "")
    assert old.text_erased_at is not None
    assert set(AlertMessage.objects.filter(alert=old).values_list("text", flat=True)) == {""}
    assert recent.text == "Démarcheur insistant rue des Vignes."
    assert recent.identifying_details == "Homme en veste rouge"


def test_message_retention_deletes_old_messages_when_called_by_its_beat_name(
    registered, jeanne_resident, paul_neighbour
):
    from messaging.models import Message
    from messaging.services import conversation_start

    conversation_start(author=jeanne_resident, recipients=[paul_neighbour], text="Vieux message")
    conversation_start(author=paul_neighbour, recipients=[jeanne_resident], text="Message récent")
    Message.objects.filter(text="Vieux message").update(
        created_at=timezone.now() - timedelta(days=settings.MESSAGE_RETENTION_DAYS + 1)
    )

    registered[BEAT["messaging-retention"]].apply_async()

    assert list(Message.objects.values_list("text", flat=True)) == ["Message récent"]
