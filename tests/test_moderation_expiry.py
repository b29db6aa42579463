"""Requests nobody decided expire after 30 days, and their proofs go with them (CNIL)."""

import os
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from communities.memberships import membership_request
from communities.models import Membership, MembershipStatus, ProofOfAddress
from communities.tasks import memberships_expire_stale_task

from .conftest import pdf_upload


@pytest.fixture
def requests_of_age(make_user, centre_bourg, private_storage):
    """Two pending requests with proofs: one 31 days old, one 29 days old."""
    created = {}
    for days in (31, 29):
        user = make_user(f"age{days}@cadaujac.test", first_name="Âge", last_name=f"J{days}")
        membership = membership_request(
            user=user, community=centre_bourg, address=f"{days} rue", proof_file=pdf_upload()
        )
        Membership.objects.filter(pk=membership.pk).update(
            requested_at=timezone.now() - timedelta(days=days)
        )
        created[days] = (membership, ProofOfAddress.objects.get(membership=membership).file.path)
    return created


def test_task_expires_31_day_old_requests_and_deletes_their_proofs(requests_of_age):
    old, old_path = requests_of_age[31]
    recent, recent_path = requests_of_age[29]

    expired = memberships_expire_stale_task.delay().get()

    assert expired == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status == MembershipStatus.EXPIRED
    assert old.decided_at is not None
    assert old.decided_by is None
    assert "30 jours" in old.decision_reason
    assert not ProofOfAddress.objects.filter(membership=old).exists()
    assert not os.path.exists(old_path)

    assert recent.status == MembershipStatus.PENDING
    assert ProofOfAddress.objects.filter(membership=recent).exists()
    assert os.path.exists(recent_path)


def test_task_is_harmless_when_run_twice(requests_of_age):
    assert memberships_expire_stale_task.delay().get() == 1
    assert memberships_expire_stale_task.delay().get() == 0


def test_beat_runs_the_expiry_every_day():
    from celery.schedules import crontab

    from portal.celery import app

    entries = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "communities.memberships_expire_stale"
    ]

    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    # Once a day, at night: one hour, one minute, every day of every month.
    assert len(schedule.hour) == 1
    assert len(schedule.minute) == 1
    assert schedule.day_of_week == set(range(7))
    assert schedule.day_of_month == set(range(1, 32))
    assert "communities.memberships_expire_stale" in app.tasks
