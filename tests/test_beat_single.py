"""Two beats started on two machines by mistake: only one sends the schedule's tasks, and
the other takes over when the first stops. The lock lives in the real Redis."""

import os
import time
import uuid

import pytest

from portal.beat import SingleBeatScheduler
from portal.celery import app

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")

PROBE = "tests.beat_probe"


@pytest.fixture
def beats(settings, tmp_path, broker):
    settings.REDIS_URL = os.environ["REDIS_URL"]
    settings.BEAT_LOCK_KEY = f"tests:beat:{uuid.uuid4().hex}"
    settings.BEAT_LOCK_SECONDS = 1
    made = []

    def start(name):
        scheduler = SingleBeatScheduler(app, schedule_filename=str(tmp_path / name))
        scheduler.update_from_dict({"probe": {"task": PROBE, "schedule": 0.2}})
        made.append(scheduler)
        return scheduler

    yield start
    for scheduler in made:
        scheduler.close()


def _probes(drain) -> int:
    return sum(1 for message in drain("default") if message.headers["task"] == PROBE)


def _run(schedulers, seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        for scheduler in schedulers:
            for _ in range(len(scheduler.schedule)):
                scheduler.tick()
        time.sleep(0.1)


def test_only_one_of_two_beats_sends_and_the_other_takes_over_when_it_stops(beats, broker):
    first, second = beats("first"), beats("second")

    _run([first, second], 1.5)

    assert first.leadership.leading != second.leadership.leading
    leader, follower = (first, second) if first.leadership.leading else (second, first)
    sent_together = _probes(broker)
    assert 2 <= sent_together <= 9  # every 0.2 s for 1.5 s, from one beat only

    # The leader's machine goes away without a word: its lock expires, the other leads.
    _run([follower], 2.5)

    assert follower.leadership.leading
    assert _probes(broker) >= 3
    assert not leader.leadership.held()  # back again, it finds the schedule taken
