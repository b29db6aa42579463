import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_while_the_process_runs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_is_ok_when_the_database_answers(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["failing"] == []


@pytest.mark.django_db
def test_readyz_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_readyz_names_the_database_when_it_is_down():
    """A real process whose database cannot be reached answers 503 naming it."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/nowhere",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "CELERY_BROKER_URL": "",
        "REDIS_URL": "",
    }
    code = (
        "import django; django.setup(); from django.test import Client; "
        "r = Client().get('/readyz'); print(r.status_code, r.json()['failing'])"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert result.stdout.strip().splitlines()[-1] == "503 ['database']"


# --- The alert outbox: /readyz says when alerts stop leaving -----------------------------------


@pytest.fixture
def outbox(jeanne_resident, paul_neighbour, settings):
    """An alert by Jeanne to Paul, its message recorded; nothing fanned out or sent yet."""
    from accounts.models import User
    from alerts.models import AlertCategory
    from alerts.services import alert_post

    User.objects.filter(pk=paul_neighbour.pk).update(phone="+33611223355")
    settings.CELERY_BROKER_URL = ""
    settings.READYZ_MAX_QUEUED_AGE_SECONDS = 600
    settings.READYZ_MAX_FANOUT_AGE_SECONDS = 600
    alert = alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette blanche qui tourne lentement rue des Vignes.",
    )
    return alert.messages.get()


def _ago(**delta):
    from datetime import timedelta

    from django.utils import timezone

    return timezone.now() - timedelta(**delta)


def _fanned_out(message, *, due):
    from alerts.models import AlertMessage
    from notifications.fanout import deliveries_write
    from notifications.models import Delivery

    deliveries_write(message=message)
    AlertMessage.objects.filter(pk=message.pk).update(fanned_out_at=_ago(minutes=30))
    Delivery.objects.filter(message=message).update(updated_at=due)


def test_readyz_reports_the_outbox_and_is_ok_while_it_keeps_up(client, outbox):
    _fanned_out(outbox, due=_ago(seconds=30))

    response = client.get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["failing"] == []
    assert 29 <= body["outbox"]["oldest_queued_delivery_seconds"] <= 60
    assert body["outbox"]["oldest_unfanned_message_seconds"] is None


def test_readyz_answers_503_when_a_queued_delivery_is_due_for_too_long(client, outbox):
    _fanned_out(outbox, due=_ago(minutes=20))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["outbox_queued"]
    assert "oldest queued delivery" in body["reasons"]["outbox_queued"]
    assert body["outbox"]["oldest_queued_delivery_seconds"] >= 1200


def test_readyz_answers_503_when_a_message_was_never_fanned_out(client, outbox):
    from alerts.models import AlertMessage

    AlertMessage.objects.filter(pk=outbox.pk).update(created_at=_ago(minutes=15))

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["outbox_fanout"]
    assert "never fanned out" in body["reasons"]["outbox_fanout"]
    assert body["outbox"]["oldest_unfanned_message_seconds"] >= 900


def test_readyz_does_not_count_deliveries_waiting_on_purpose(client, outbox):
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import AlertMessage
    from notifications.models import Channel, Delivery

    _fanned_out(outbox, due=_ago(hours=2))
    # Paced: the SMS waits for its slot, an hour ahead.
    Delivery.objects.filter(channel=Channel.SMS).update(
        updated_at=timezone.now() + timedelta(hours=1)
    )
    # Quiet hours: the SMS and push of a night broadcast wait for the morning.
    AlertMessage.objects.filter(pk=outbox.pk).update(not_before=timezone.now() + timedelta(hours=6))
    Delivery.objects.filter(channel=Channel.EMAIL).delete()
    assert Delivery.objects.filter(channel=Channel.SMS).exists()

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["outbox"]["oldest_queued_delivery_seconds"] is None


def test_readyz_leaves_held_alerts_to_their_moderator(client, outbox):
    from alerts.models import Alert, AlertMessage, ModerationStatus

    Alert.objects.update(moderation_status=ModerationStatus.HELD)
    # A held alert's messages are held in the outbox until a moderator releases them.
    AlertMessage.objects.update(created_at=_ago(days=2), held=True)

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["outbox"]["oldest_unfanned_message_seconds"] is None


def test_readyz_outbox_limits_are_settings(client, outbox, settings):
    from alerts.models import AlertMessage

    AlertMessage.objects.filter(pk=outbox.pk).update(created_at=_ago(minutes=15))
    settings.READYZ_MAX_FANOUT_AGE_SECONDS = 3600
    assert client.get("/readyz").status_code == 200
    settings.READYZ_MAX_FANOUT_AGE_SECONDS = 0  # off
    assert client.get("/readyz").status_code == 200
    settings.READYZ_MAX_FANOUT_AGE_SECONDS = 60
    assert client.get("/readyz").status_code == 503
