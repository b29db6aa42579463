"""The mairie's dashboard at scale: a commune of ``BENCH_DASHBOARD_MEMBERS`` members with a
year of ``BENCH_DASHBOARD_ALERTS`` alerts and their deliveries (``seed_scale``).

Run on its own (``.venv/bin/python benchmarks/dashboard.py``) or by ``make bench``; see
benchmarks/README.md. PostgreSQL is required (``DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/voisinage_bench_dashboard``, created when missing);
the seed tops the data up, so a second run starts at once.

One JSON line on stdout, ``dashboard_commune``: wrk's p50/p99 of the dashboard page and of
its live fragment as the mairie's administrator (gunicorn, production settings, figures
cached ``FIGURES_TTL_SECONDS`` as every watching screen gets them), the server time of one
uncached read of every figure (median of ``COMPUTE_SAMPLES``), and the queries of an
uncached page and fragment.
"""

import json
import os
import signal
import subprocess
import sys
import urllib.parse

import run
import wrk

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/voisinage_bench_dashboard"
MEMBERS = int(os.environ.get("BENCH_DASHBOARD_MEMBERS", "150000"))
COMMUNITIES = int(os.environ.get("BENCH_DASHBOARD_COMMUNITIES", "600"))
ALERTS = int(os.environ.get("BENCH_DASHBOARD_ALERTS", "20000"))
STAFF_EMAIL = "mairie@cadaujac.demo.invalid"
COMPUTE_SAMPLES = 5
# Seconds of wrk, discarded, before each measured run: every gunicorn worker's first
# requests compile templates and open its database connection (about a second), and the
# measure step above left the figures stale; a screen that polls never sees either twice.
WARM_UP_SECONDS = 2
PAGE_PATH = "/admin/tableau-de-bord/?commune={pk}"
LIVE_PATH = "/admin/tableau-de-bord/chiffres/?commune={pk}"

# Run by ``manage.py shell``: the administrator's signed-in session (with the code step of
# their second factor, as a real sign-in leaves it), the queries of an uncached page and
# fragment, and the time of uncached reads of every figure; one JSON line.
_MEASURE_SCRIPT = """
import json, statistics, time
from importlib import import_module
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.db import connection
from django.http import HttpRequest
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from accounts.models import User
from communities.models import Commune
from dashboard.live import figures_compute, figures_version_bump
from notifications.models import Delivery, DeliveryTally

user = User.objects.get(email=%(email)r)
commune = Commune.objects.get(name="Cadaujac")
totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
if totp is None:
    totp = TOTP.activate(user, generate_totp_secret()).instance
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
store[BACKEND_SESSION_KEY] = next(
    path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
)
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
request = HttpRequest()
request.session = store
record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
store.create()
cookie = settings.SESSION_COOKIE_NAME + "=" + store.session_key

client = Client(HTTP_HOST=%(host)r)
client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
queries = {}
for name, path in ((\"page\", %(page)r), (\"live\", %(live)r)):
    client.get(path)
    figures_version_bump(commune_id=commune.pk)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    queries[name] = len(captured)
times = []
for _ in range(%(samples)d):
    started = time.perf_counter()
    figures_compute(commune=commune, now=timezone.now())
    times.append((time.perf_counter() - started) * 1000)
# The server's own time for a page and a fragment (no network, no queue), figures cached
# and not: what one screen waits for, and what the one request after a change waits for.
server = {}
for name, path in (("page", %(page)r), ("live", %(live)r)):
    for cached in (True, False):
        samples = []
        for _ in range(%(samples)d):
            if not cached:
                figures_version_bump(commune_id=commune.pk)
            client.get(path)  # the tallies' count, at most every few seconds, kept out
            if not cached:
                figures_version_bump(commune_id=commune.pk)
            started = time.perf_counter()
            client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        server[f"{name}_{'cached' if cached else 'uncached'}_ms"] = round(
            statistics.median(samples), 1
        )
print(json.dumps({
    "cookie": cookie,
    "commune_id": commune.pk,
    "page_queries": queries["page"],
    "live_queries": queries["live"],
    "figures_compute_ms": round(statistics.median(times), 1),
    **server,
    "deliveries": Delivery.objects.count(),
    "tallies": DeliveryTally.objects.count(),
}))
"""


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith(("postgres", "pgsql")):
        raise run.BenchError(f"the dashboard benchmark needs PostgreSQL, not {parts.scheme!r}")
    import psycopg

    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(
        ("postgresql", parts.netloc, "/postgres", parts.query, parts.fragment)
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(exists, [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    return url


def measure(env: dict, commune_path: dict) -> dict:
    script = _MEASURE_SCRIPT % {
        "email": STAFF_EMAIL,
        "host": run.HOST,
        "samples": COMPUTE_SAMPLES,
        **commune_path,
    }
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=run.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise run.BenchError(f"could not measure the dashboard: {completed.stderr[-800:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def commune_pk(env: dict) -> int:
    completed = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from communities.models import Commune; "
            "print(Commune.objects.get(name='Cadaujac').pk)",
        ],
        cwd=run.ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(completed.stdout.strip().splitlines()[-1])


def bench() -> int:
    duration = run.bounded_int("BENCH_DURATION", run.DEFAULT_DURATION, run.MAX_DURATION)
    connections = run.bounded_int("BENCH_CONNECTIONS", run.DEFAULT_CONNECTIONS, run.MAX_CONNECTIONS)
    threads = min(run.THREADS, connections)
    wrk_binary = wrk.find_or_install()
    use_redis = run.redis_answers()
    env = run.bench_environment(database_url(), use_redis)
    # Tallies asked for by a watched dashboard are counted in-process (no worker here).
    env["CELERY_BROKER_URL"] = ""
    run.prepare_database(env)
    run.manage(
        env,
        "seed_scale",
        "--commune",
        "cadaujac",
        "--members",
        str(MEMBERS),
        "--communities",
        str(COMMUNITIES),
        "--alerts",
        str(ALERTS),
    )
    if use_redis and run.redis_command(["SELECT", str(run.REDIS_DB)], ["FLUSHDB"]) != [
        "+OK",
        "+OK",
    ]:
        raise run.BenchError(f"could not empty Redis database {run.REDIS_DB} before the run")
    pk = commune_pk(env)
    paths = {"page": PAGE_PATH.format(pk=pk), "live": LIVE_PATH.format(pk=pk)}
    measured = measure(env, paths)
    record = {"name": "dashboard_commune", "members": MEMBERS, "alerts": ALERTS}
    with run.gunicorn(env) as port:
        for name, path in paths.items():
            run.log(f"bench: dashboard_commune {name}: GET {path} as the mairie's administrator")
            wrk.run(
                wrk_binary,
                f"http://127.0.0.1:{port}{path}",
                host=run.HOST,
                threads=threads,
                connections=connections,
                seconds=WARM_UP_SECONDS,
                headers={"Cookie": measured["cookie"]},
            )
            result, _ = wrk.run(
                wrk_binary,
                f"http://127.0.0.1:{port}{path}",
                host=run.HOST,
                threads=threads,
                connections=connections,
                seconds=duration,
                headers={"Cookie": measured["cookie"]},
            )
            run.log(
                f"dashboard_commune {name}: p50 {result.percentiles_ms['50']:.1f} ms, p99"
                f" {result.percentiles_ms['99']:.1f} ms, {result.requests:,} requests,"
                f" {result.non_2xx_3xx} non-2xx/3xx, socket errors {result.socket_errors}"
            )
            record.update(
                {
                    f"{name}_n": result.requests,
                    f"{name}_per_second": round(result.per_second, 2),
                    f"{name}_p50_ms": round(result.percentiles_ms["50"], 3),
                    f"{name}_p99_ms": round(result.percentiles_ms["99"], 3),
                    f"{name}_queries": measured[f"{name}_queries"],
                    f"{name}_errors": result.errors,
                }
            )
    record.update(
        {
            "figures_compute_ms": measured["figures_compute_ms"],
            **{
                f"{name}_{state}_ms": measured[f"{name}_{state}_ms"]
                for name in ("page", "live")
                for state in ("cached", "uncached")
            },
            "deliveries": measured["deliveries"],
            "tallies": measured["tallies"],
            "communities": COMMUNITIES,
            "connections": connections,
            "workers": run.WORKERS,
            "database": "postgresql",
        }
    )
    run.log(
        f"dashboard_commune: page p50 {record['page_p50_ms']} ms p99 {record['page_p99_ms']} ms,"
        f" live p50 {record['live_p50_ms']} ms p99 {record['live_p99_ms']} ms, uncached"
        f" figures {record['figures_compute_ms']} ms, {record['page_queries']} queries; in one"
        f" process, page {record['page_cached_ms']} ms ({record['page_uncached_ms']} ms"
        f" uncached), fragment {record['live_cached_ms']} ms ({record['live_uncached_ms']} ms)"
    )
    run.emit(record)
    return 1 if record["page_errors"] or record["live_errors"] else 0


def main() -> int:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return bench()
    except (run.BenchError, wrk.WrkError) as error:
        run.log(f"bench: error: {error}")
        run.emit({"name": "dashboard_commune", "error": str(error).splitlines()[0]})
        return 2


if __name__ == "__main__":
    sys.exit(main())
