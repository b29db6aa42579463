"""`make bench`: the alert benchmark's own process and its worker read one broker, whatever
CELERY_BROKER_URL the caller has set (otherwise the published alert waits in a queue that
no worker reads, and the fan-out benchmark times out)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# The bench process, up to the point where it starts its worker: the environment it builds
# for the worker, and the broker its own settings then read.
BENCH_PROCESS = """
import importlib.util, json, sys, types
spec = importlib.util.spec_from_file_location("bench_alerts", "benchmarks/alerts.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)
fake = types.SimpleNamespace(base_url="http://127.0.0.1:9", account_sid="AC0", auth_token="t")
env = bench.bench_environment("postgres://postgres@127.0.0.1:1/bench", sys.argv[1], fake)
bench.environment_apply(env)
from django.conf import settings
print(json.dumps({"worker_env": env, "bench_broker": settings.CELERY_BROKER_URL}))
"""

WORKER_SETTINGS = "from django.conf import settings; print(settings.CELERY_BROKER_URL)"


def run_python(code, *args, env):
    result = subprocess.run(  # noqa: S603 (our own interpreter, fixed code)
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_the_bench_and_its_worker_use_the_bench_broker_whatever_the_caller_set():
    bench_broker = "redis://127.0.0.1:6379/14"
    caller = {
        **os.environ,
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
        "DJANGO_SETTINGS_MODULE": "portal.settings.test",
    }

    bench = json.loads(run_python(BENCH_PROCESS, bench_broker, env=caller))
    worker_broker = run_python(WORKER_SETTINGS, env=bench["worker_env"])

    assert bench["bench_broker"] == bench_broker
    assert worker_broker == bench_broker
    assert bench["worker_env"]["DJANGO_SETTINGS_MODULE"] == "portal.settings"
    assert bench["worker_env"]["ENV_FILE"] == ""  # a checkout's .env adds nothing either
