"""Real Celery workers for tests: started as separate processes on the test database and a
Redis database of the test process's own, stopped (or killed mid-batch) by the test.

Shared by the fault tests (``test_alert_delivery_faults.py``) and the several-machines test
(``test_multi_host.py``), which starts them in network namespaces.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
WORKER_READY_SECONDS = 60


def backends_missing() -> str | None:
    """Why real workers cannot run here, or None: they need PostgreSQL and Redis."""
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        return "needs PostgreSQL (DATABASE_URL=postgres://…): the worker shares the test database"
    if not os.environ.get("REDIS_URL"):
        return "needs Redis (REDIS_URL=redis://…) as the Celery broker"
    try:
        redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at REDIS_URL does not answer: {error}"
    return None


def broker_url() -> str:
    """REDIS_URL with a database number of this test process's own (one per xdist worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw")
    # FAULT_TESTS_REDIS_DB lets runs side by side on one Redis keep apart (default 8).
    base = int(os.environ.get("FAULT_TESTS_REDIS_DB", "8"))
    number = base + 1 + int(worker[2:] or 0) if worker.startswith("gw") and worker[2:] else base
    url = urlsplit(os.environ["REDIS_URL"])
    return urlunsplit((url.scheme, url.netloc, f"/{number}", "", ""))


def wait_for(condition, *, seconds: float, what: str, every: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(every)


class Worker:
    """``celery -A portal worker -Q alerts,default`` in its own process group.

    ``prefix`` runs it through another command (``ip netns exec web1``); ``beat_schedule``
    adds the worker's own beat (``-B``), its schedule kept in that file.
    """

    def __init__(
        self,
        env: dict,
        log: Path,
        *,
        name: str = "faults",
        prefix: Sequence[str] = (),
        beat_schedule: Path | None = None,
        wait: bool = True,
    ):
        self.log = log
        command = [
            *prefix,
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            "-Q",
            "alerts,default",
            "-c",
            "2",
            "-n",
            f"{name}-{uuid.uuid4().hex[:8]}@%h",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
            "--loglevel",
            "INFO",
        ]
        if beat_schedule is not None:
            command += ["-B", "-s", str(beat_schedule)]
        with log.open("ab") as output:
            self.process = subprocess.Popen(  # noqa: S603 (our own celery, fixed arguments)
                command,
                cwd=ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if wait:
            self.wait_ready()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self) -> None:
        deadline = time.monotonic() + WORKER_READY_SECONDS
        while " ready." not in self.output():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.kill()
                tail = "\n".join(self.output().splitlines()[-30:])
                pytest.fail(f"the Celery worker did not start:\n{tail}")
            time.sleep(0.2)

    def kill(self) -> None:
        """SIGKILL the whole group: the main process and its pool children, mid-batch."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # children left by a dead parent
