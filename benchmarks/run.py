"""HTTP benchmarks of the commune pages, served by gunicorn with production settings: the
public pages as an anonymous visitor, and the pages a signed-in member loads (the alert an
SMS links to, the alerts list, the gazette, the directory, the messages), each member page
with its query count, then a profile of the slowest member page.

``BENCH_SCALE=platform`` (the default) measures them on a whole platform, 600 communes and a
million members (``seed_scale --communes``, PostgreSQL); ``BENCH_SCALE=demo`` on the demo's
data alone, a quicker run.

Run by ``make bench``; see benchmarks/README.md. Standard library only (but for the
virtualenv's psycopg, to create a missing database): the project's own commands run through
``manage.py`` and gunicorn from the virtualenv (so do the query counts and the profile, in a
``manage.py shell``), the load comes from wrk.

stdout carries one JSON object per benchmark, one a line (so the last line is always JSON);
everything meant for humans (set-up output, summaries, errors) goes to stderr.
"""

import contextlib
import http.client
import json
import os
import pstats
import re
import secrets
import signal
import socket
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import wrk

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
SQLITE_PATH = VAR_DIR / "bench.sqlite3"
SERVER_LOG = VAR_DIR / "bench-gunicorn.log"
PROFILE_STATS = VAR_DIR / "bench-profile.pstats"

# What the pages are measured on: the demo's data alone, or a whole platform beside it.
SCALES = ("platform", "demo")
PLATFORM_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/voisinage_bench_platform"
PLATFORM_COMMUNES, MAX_COMMUNES = 600, 9000
PLATFORM_MEMBERS, MAX_MEMBERS = 1_000_000, 10_000_000

HOST = "cadaujac.localhost"
COMMUNE_NAME = "Cadaujac"
ANNOUNCEMENTS_PATH = "/actualites/"
# The demo's resident of Cadaujac whose pages the member benchmarks load.
MEMBER_EMAIL = "jean-yves@cadaujac.demo.invalid"
MEMBER_PATHS = {
    "page_alerts_list_member": "/alertes/",
    "page_gazette_member": "/gazette/",
    "page_directory_member": "/annuaire/",
    "page_messages_member": "/messages/",
}
SIGNED_IN_MARK = "Se déconnecter"
# The JSON lists an app polls, beside the pages they mirror, signed in by the same session.
API_MEMBER_PATHS = {
    "api_alerts_list_member": "/api/v1/alerts/",
    "api_gazette_list_member": "/api/v1/gazette/",
}
EVENTS_PATH = "/agenda/"

REDIS_ADDRESS = ("127.0.0.1", 6379)
# Its own Redis database, emptied before each run; BENCH_REDIS_DB picks another so that two
# runs on one machine do not empty each other's cache and sessions.
REDIS_DB = int(os.environ.get("BENCH_REDIS_DB", "15"))
WORKERS = 2
THREADS = 2
HEALTH_TIMEOUT_SECONDS = 60

# Bounds keep a whole run (eight benchmarks) within a few minutes and a sane socket count.
DEFAULT_DURATION, MAX_DURATION = 10, 60
DEFAULT_CONNECTIONS, MAX_CONNECTIONS = 16, 256
# Requests of the slowest member page run under cProfile (BENCH_PROFILE; 0: no profile).
DEFAULT_PROFILE_REQUESTS, MAX_PROFILE_REQUESTS = 200, 5000
PROFILE_WARM_UP_REQUESTS = 5
PROFILE_TOP = 15
# Packages whose time is split by sub-package in the profile (django.template, django.db…).
PROFILE_SPLIT_PACKAGES = {"django"}
# A package under this share of the profile's time is counted in "other".
PROFILE_MIN_SHARE_PCT = 0.5


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


# --- Configuration ------------------------------------------------------------------------------


def bounded_int(name: str, default: int, maximum: int) -> int:
    raw = os.environ.get(name, "").strip().lower().removesuffix("s")
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BenchError(f"{name} must be a whole number, not {raw!r}") from None
    if not 1 <= value <= maximum:
        raise BenchError(f"{name} must be between 1 and {maximum}, not {value}")
    return value


def profile_requests() -> int:
    """``BENCH_PROFILE``: requests of the slowest member page to profile, 0 for none."""
    if os.environ.get("BENCH_PROFILE", "").strip() == "0":
        return 0
    return bounded_int("BENCH_PROFILE", DEFAULT_PROFILE_REQUESTS, MAX_PROFILE_REQUESTS)


def bench_scale() -> str:
    scale = os.environ.get("BENCH_SCALE", "").strip().lower() or SCALES[0]
    if scale not in SCALES:
        raise BenchError(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}")
    return scale


def git_commit() -> str:
    """The commit measured, ``git rev-parse --short HEAD``, with "+dirty" when tracked files
    differ from it (figures of uncommitted code say so)."""

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown"
    dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    return head.stdout.strip() + ("+dirty" if dirty else "")


def postgres_database_ensure(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it is missing."""
    # The virtualenv's driver, which the bench runs in (it starts gunicorn from there too).
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", parts.query, parts.fragment))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = "SELECT 1 FROM pg_database WHERE datname = %s"
        if not connection.execute(exists, [name]).fetchone():
            log(f"bench: creating the database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def bench_database(scale: str) -> tuple[str, str]:
    """The run's database URL and its kind: ``DATABASE_URL`` (a missing PostgreSQL database
    is created), else the platform's PostgreSQL database, else a fresh SQLite file."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url and scale == "platform":
        url = PLATFORM_DATABASE_URL
    if not url:
        VAR_DIR.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{SQLITE_PATH}", "sqlite"
    scheme = urlsplit(url).scheme
    if scheme.startswith(("postgres", "pgsql")):
        postgres_database_ensure(url)
        return url, "postgresql"
    if scale == "platform":
        raise BenchError(f"BENCH_SCALE=platform needs PostgreSQL, not {scheme!r}")
    return url, scheme


def redis_command(*commands: list[str]) -> list[str] | None:
    """Send RESP commands to the local Redis; their one-line replies, or None if it is absent."""
    payload = b"".join(
        f"*{len(args)}\r\n".encode()
        + b"".join(f"${len(arg.encode())}\r\n{arg}\r\n".encode() for arg in args)
        for args in commands
    )
    data = b""
    try:
        with socket.create_connection(REDIS_ADDRESS, timeout=0.5) as connection:
            connection.sendall(payload)
            while data.count(b"\r\n") < len(commands):
                chunk = connection.recv(4096)
                if not chunk:
                    break
                data += chunk
    except OSError:
        return None
    return data.decode(errors="replace").split("\r\n")[: len(commands)]


def redis_answers() -> bool:
    return redis_command(["PING"]) == ["+PONG"]


def bench_environment(database_url: str, use_redis: bool) -> dict[str, str]:
    env = dict(os.environ)
    # Nothing inherited may redirect the benchmark to other settings, cache or broker.
    for name in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "CELERY_BROKER_URL"):
        env.pop(name, None)
    env.update(
        # Nor may a checkout's .env (the demo's) add its values to the production settings.
        ENV_FILE="",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS=".localhost,127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
    )
    if use_redis:
        env["REDIS_URL"] = f"redis://{REDIS_ADDRESS[0]}:{REDIS_ADDRESS[1]}/{REDIS_DB}"
    return env


# --- Preparation --------------------------------------------------------------------------------


def manage(env: dict[str, str], *args: str) -> None:
    command = [sys.executable, "manage.py", *args]
    log(f"$ {' '.join(command[1:])}")
    completed = subprocess.run(
        command, cwd=ROOT, env=env, stdout=sys.stderr, stderr=sys.stderr, check=False
    )
    if completed.returncode != 0:
        raise BenchError(f"`manage.py {' '.join(args)}` failed ({completed.returncode})")


def prepare_database(env: dict[str, str], seed: list[str]) -> None:
    """Migrate, load the demo and, for the platform, ``seed_scale`` with ``seed``: it tops the
    data up, so a second run creates nothing (the first one of 600 communes and a million
    members takes about 20 minutes, a second one about 3 to walk the communes)."""
    # Tasks queued while loading (alert deliveries…) run in-process, as in `make demo`,
    # rather than waiting in a Redis queue that no worker reads.
    setup_env = {**env, "CELERY_BROKER_URL": ""}
    manage(setup_env, "migrate", "--no-input")
    manage(setup_env, "load_demo")
    if seed:
        manage(setup_env, "seed_scale", *seed)
    manage(setup_env, "collectstatic", "--no-input", "--verbosity", "0")


def manage_shell(env: dict[str, str], script: str, what: str) -> str:
    """Run ``script`` in ``manage.py shell``; the last line it printed."""
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        raise BenchError(f"could not {what}: {completed.stderr[-1000:]}")
    return lines[-1]


_SESSION_SCRIPT = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from accounts.models import User
user = User.objects.get(email=%r)
store = import_module(settings.SESSION_ENGINE).SessionStore()
store[SESSION_KEY] = str(user.pk)
# The backend that signs members in (axes' own, listed first, only counts failures).
store[BACKEND_SESSION_KEY] = next(
    path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
)
store[HASH_SESSION_KEY] = user.get_session_auth_hash()
store.create()
print(settings.SESSION_COOKIE_NAME + "=" + store.session_key)
"""


def member_cookie(env: dict[str, str]) -> str:
    """A signed-in session of the demo's member, as their browser would send it."""
    return manage_shell(env, _SESSION_SCRIPT % MEMBER_EMAIL, "sign the demo member in")


# Run by ``manage.py shell`` in the bench's environment (production settings, its database and
# Redis), signed in with the member's session: the queries of each page, first with the cache
# emptied (the first request after a deploy or a Redis restart: session, user and fragments
# read again), then again (what wrk's requests get); one JSON line.
_QUERIES_SCRIPT = """
import json
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

client = Client(HTTP_HOST=%(host)r)
client.cookies[%(cookie_name)r] = %(cookie_value)r
counts = {}
for name, path in %(paths)r.items():
    cache.clear()
    queries = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}")
        queries.append(len(captured))
    counts[name] = {"queries": queries[1], "queries_cold": queries[0]}
print(json.dumps(counts))
"""


def query_counts(env: dict[str, str], cookie: str, paths: dict[str, str]) -> dict[str, dict]:
    """``{name: {"queries": warm, "queries_cold": first}}`` of one request of each page."""
    cookie_name, _, cookie_value = cookie.partition("=")
    script = _QUERIES_SCRIPT % {
        "host": HOST,
        "cookie_name": cookie_name,
        "cookie_value": cookie_value,
        "paths": paths,
    }
    return json.loads(manage_shell(env, script, "count the member pages' queries"))


# --- Server -------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_get(
    port: int, path: str, host: str, timeout: float = 10.0, headers: dict | None = None
) -> tuple[int, str, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, body, {k.lower(): v for k, v in response.getheaders()}
    finally:
        connection.close()


def log_tail(lines: int = 40) -> str:
    try:
        return "\n".join(SERVER_LOG.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[int]:
    """Serve the portal on a free loopback port; always stopped on the way out."""
    binary = Path(sys.executable).with_name("gunicorn")
    if not binary.exists():
        raise BenchError(f"{binary} not found: run `make install` first")
    port = free_port()
    command = [
        str(binary),
        "portal.wsgi:application",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    # Gunicorn 27+ opens a control socket at one fixed path in $HOME by default, which a
    # second gunicorn on the machine would contend for; the benchmark needs none.
    help_text = subprocess.run(
        [str(binary), "--help"], capture_output=True, text=True, check=False
    ).stdout
    if "--no-control-socket" in help_text:
        command.append("--no-control-socket")
    log(f"$ {' '.join(command[1:])}  (log: {SERVER_LOG.relative_to(ROOT)})")
    with SERVER_LOG.open("wb") as server_log:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers can be killed too
        )
    try:
        wait_until_healthy(process, port)
        yield port
    finally:
        stop(process)


def wait_until_healthy(process: subprocess.Popen, port: int) -> None:
    deadline = time.monotonic() + HEALTH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}):\n{log_tail()}")
        try:
            status, _, _ = http_get(port, "/healthz", "127.0.0.1", timeout=2.0)
        except OSError:
            status = None
        if status == 200:
            return
        time.sleep(0.2)
    raise BenchError(
        f"/healthz did not answer 200 within {HEALTH_TIMEOUT_SECONDS} s:\n{log_tail()}"
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
    # Workers left behind by an arbiter that died first belong to the same group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


# --- Pages --------------------------------------------------------------------------------------


class LinkCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def checked_page(port: int, path: str) -> str:
    """The page's HTML, after making sure it is the commune's real page (not 404, 400, …)."""
    status, body, headers = http_get(port, path, HOST)
    where = f"GET {path} (Host: {HOST})"
    if status != 200:
        location = f" → {headers['location']}" if "location" in headers else ""
        raise BenchError(f"{where} answered {status}{location}, not 200:\n{body[:500]}")
    if COMMUNE_NAME not in body:
        raise BenchError(f"{where} answered 200 but its HTML does not name {COMMUNE_NAME}")
    return body


def first_announcement_path(index_html: str) -> str:
    collector = LinkCollector()
    collector.feed(index_html)
    depth = ANNOUNCEMENTS_PATH.count("/") + 1
    for href in collector.hrefs:
        url = urlsplit(href)
        if url.netloc and url.hostname != HOST:
            continue
        path = url.path
        if path.startswith(ANNOUNCEMENTS_PATH) and path.count("/") == depth and not url.query:
            return path
    raise BenchError(f"no link to an announcement on {ANNOUNCEMENTS_PATH} (Host: {HOST})")


def benchmark_paths(port: int) -> dict[str, str]:
    checked_page(port, "/")
    announcement = first_announcement_path(checked_page(port, ANNOUNCEMENTS_PATH))
    checked_page(port, announcement)
    checked_page(port, EVENTS_PATH)
    return {
        "page_home_anonymous": "/",
        "page_announcement_anonymous": announcement,
        "page_events_anonymous": EVENTS_PATH,
    }


def member_page(port: int, path: str, cookie: str) -> str:
    status, body, _headers = http_get(port, path, HOST, headers={"Cookie": cookie})
    if status != 200 or SIGNED_IN_MARK not in body:
        raise BenchError(f"GET {path} as the demo member answered {status}, not a member's page")
    return body


def member_paths(port: int, cookie: str) -> dict[str, str]:
    """The member pages to load, the alert page being the newest alert of the list."""
    alerts = member_page(port, MEMBER_PATHS["page_alerts_list_member"], cookie)
    link = re.search(r'href="(/alertes/\d+/)"', alerts)
    if link is None:
        raise BenchError("the demo member's alerts list links to no alert")
    paths = {"page_alert_member": link.group(1), **MEMBER_PATHS}
    for path in paths.values():
        member_page(port, path, cookie)
    return paths


def api_member_paths(port: int, cookie: str) -> dict[str, str]:
    """The API lists to load, after making sure they answer the member's items as JSON."""
    for name, path in API_MEMBER_PATHS.items():
        status, body, _headers = http_get(port, path, HOST, headers={"Cookie": cookie})
        try:
            items = json.loads(body)["items"] if status == 200 else None
        except (ValueError, KeyError, TypeError):
            items = None
        if not items:
            raise BenchError(f"{name}: GET {path} as the demo member answered {status}, no items")
    return dict(API_MEMBER_PATHS)


def selected(runs: list, only: str) -> list:
    """``BENCH_ONLY=name,name``: just these benchmarks (all of them when unset)."""
    names = {name.strip() for name in only.split(",") if name.strip()}
    if not names:
        return runs
    unknown = names - {name for name, _path, _headers in runs}
    if unknown:
        raise BenchError(f"BENCH_ONLY names no benchmark: {', '.join(sorted(unknown))}")
    return [run for run in runs if run[0] in names]


# --- Profile ------------------------------------------------------------------------------------

# Run by ``manage.py shell`` like the query counts: a few requests to warm the caches, then
# ``%(requests)d`` timed ones (CPU and wall clock, no profiler), then as many under cProfile,
# written to ``%(stats)s``; one JSON line. The profile's clock is the wall clock: waiting for
# PostgreSQL and Redis counts, under psycopg and redis (cProfile with a CPU clock costs so
# much a call that it made the small functions six times as heavy as they are).
_PROFILE_SCRIPT = """
import cProfile, json, time
from django.test import Client

client = Client(HTTP_HOST=%(host)r)
client.cookies[%(cookie_name)r] = %(cookie_value)r

def load(count):
    for _ in range(count):
        response = client.get(%(path)r)
        if response.status_code != 200:
            raise SystemExit(f"GET %(path)s answered {response.status_code}")

load(%(warm_up)d)
wall, cpu = time.perf_counter(), time.process_time()
load(%(requests)d)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
profiler = cProfile.Profile()
profiler.runcall(load, %(requests)d)
profiler.dump_stats(%(stats)r)
print(json.dumps({"cpu_seconds": cpu, "wall_seconds": wall}))
"""

_SITE_PACKAGES = "/site-packages/"
_STDLIB = sysconfig.get_paths()["stdlib"] + "/"


def package_of(filename: str) -> str:
    """Who a function belongs to: ``django.template``, ``wagtail``, ``psycopg``… for the
    virtualenv's packages, ``project.<app>`` for ours, ``python`` for the standard library."""
    if _SITE_PACKAGES in filename:
        parts = filename.split(_SITE_PACKAGES, 1)[1].split("/")
        names = [part.removesuffix(".py") for part in parts]
        if names[0] in PROFILE_SPLIT_PACKAGES and len(names) > 2:
            return f"{names[0]}.{names[1]}"
        return names[0]
    if filename.startswith(f"{ROOT}/"):
        return f"project.{Path(filename).relative_to(ROOT).parts[0].removesuffix('.py')}"
    if filename.startswith((_STDLIB, "<frozen ")):
        return "python"
    return "other"


def function_label(function: tuple[str, int, str]) -> str:
    """``file:line(name)`` as pstats prints it, the file relative to its package's root."""
    filename, line, name = function
    if filename == "~":  # a built-in: "<method 'execute' of …>"
        return name
    for root in (_SITE_PACKAGES, f"{ROOT}/", _STDLIB):
        if root in filename:
            filename = filename.split(root, 1)[1]
            break
    return f"{filename}:{line}({name})"


def profile_summary(stats_path: Path, requests: int) -> tuple[float, list[dict], dict]:
    """The functions of most own time (per request) and each package's share of the total.

    A built-in's time (a C method: socket reads, regular expressions, psycopg's C parts) goes
    to the packages that called it, in proportion to the time of each call site.
    """
    stats = pstats.Stats(str(stats_path)).stats  # {function: (cc, nc, tt, ct, callers)}
    by_package: Counter[str] = Counter()
    for (filename, _line, _name), (_cc, _nc, own, _cumulative, callers) in stats.items():
        if filename != "~" or not callers:
            by_package[package_of(filename)] += own
            continue
        # callers: {caller: (nc, cc, own time when called from there, cumulative)}
        from_caller = {caller: edge[2] for caller, edge in callers.items()}
        called = sum(from_caller.values())
        for caller, seconds in from_caller.items():
            share = seconds / called if called else 1 / len(from_caller)
            by_package[package_of(caller[0])] += own * share
    total = sum(by_package.values()) or 1.0
    shares = {name: 100 * seconds / total for name, seconds in by_package.most_common()}
    kept = {
        name: round(pct, 1)
        for name, pct in shares.items()
        if pct >= PROFILE_MIN_SHARE_PCT and name != "other"
    }
    rest = sum(pct for name, pct in shares.items() if name not in kept)
    if rest:
        kept["other"] = round(rest, 1)  # last, whatever its size
    top = [
        {
            "function": function_label(function),
            "tottime_ms_per_request": round(1000 * own / requests, 3),
            "cumtime_ms_per_request": round(1000 * cumulative / requests, 3),
        }
        for function, (_cc, _nc, own, cumulative, _callers) in sorted(
            stats.items(), key=lambda item: item[1][2], reverse=True
        )[:PROFILE_TOP]
    ]
    return total, top, kept


def profile(
    env: dict[str, str], cookie: str, name: str, path: str, requests: int
) -> dict[str, object]:
    """The profile record of ``requests`` requests of ``path`` as the member, in one process."""
    cookie_name, _, cookie_value = cookie.partition("=")
    script = _PROFILE_SCRIPT % {
        "host": HOST,
        "cookie_name": cookie_name,
        "cookie_value": cookie_value,
        "path": path,
        "warm_up": PROFILE_WARM_UP_REQUESTS,
        "requests": requests,
        "stats": str(PROFILE_STATS),
    }
    log(f"bench: profiling {name}: {requests} requests of GET {path} in one process")
    timing = json.loads(manage_shell(env, script, f"profile {name}"))
    profiled, top, by_package = profile_summary(PROFILE_STATS, requests)
    return {
        "name": f"profile_{name}",
        "path": path,
        "requests": requests,
        "cpu_ms_per_request": round(1000 * timing["cpu_seconds"] / requests, 3),
        "wall_ms_per_request": round(1000 * timing["wall_seconds"] / requests, 3),
        "profiled_ms_per_request": round(1000 * profiled / requests, 3),
        "top": top,
        "by_package": by_package,
        "stats_file": str(PROFILE_STATS.relative_to(ROOT)),
    }


def log_profile(record: dict) -> None:
    log(
        f"{record['name']}: {record['cpu_ms_per_request']:.1f} ms of CPU a request"
        f" ({record['wall_ms_per_request']:.1f} ms wall, {record['profiled_ms_per_request']:.1f}"
        f" ms under the profiler), {record['requests']} requests; by package: "
        + ", ".join(f"{name} {pct:.1f} %" for name, pct in record["by_package"].items())
    )
    log("  own ms  cumulative ms  function (per request, under the profiler)")
    for row in record["top"]:
        log(
            f"  {row['tottime_ms_per_request']:6.2f}  {row['cumtime_ms_per_request']:13.2f}"
            f"  {row['function']}"
        )


# --- Main ---------------------------------------------------------------------------------------


def optional_round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def seed_arguments(scale: str) -> dict[str, int]:
    """``seed_scale``'s numbers for the platform (``BENCH_COMMUNES``, ``BENCH_MEMBERS``)."""
    if scale != "platform":
        return {}
    return {
        "communes": bounded_int("BENCH_COMMUNES", PLATFORM_COMMUNES, MAX_COMMUNES),
        "members": bounded_int("BENCH_MEMBERS", PLATFORM_MEMBERS, MAX_MEMBERS),
    }


def wrk_record(
    wrk_binary: str, port: int, name: str, path: str, headers: dict, load: dict
) -> dict[str, object]:
    """One benchmark: wrk on ``path``; ``load`` says how (connections, threads, seconds)."""
    who = "the demo member" if headers else "anonymous"
    log(
        f"bench: {name}: GET {path} (Host: {HOST}, {who}), {load['connections']} connections,"
        f" {load['seconds']} s"
    )
    load_before = os.getloadavg()[0]
    result, _ = wrk.run(
        wrk_binary, f"http://127.0.0.1:{port}{path}", host=HOST, headers=headers, **load
    )
    log(
        f"{name}: {result.per_second:,.0f} req/s, p50 {result.percentiles_ms['50']:.2f} ms,"
        f" p99 {result.percentiles_ms['99']:.2f} ms, {result.requests:,} requests in"
        f" {result.seconds:.1f} s, {result.errors} errors"
    )
    return {
        "name": name,
        "n": result.requests,
        "seconds": round(result.seconds, 3),
        "per_second": round(result.per_second, 2),
        "p50_ms": round(result.percentiles_ms["50"], 3),
        "p75_ms": optional_round(result.percentiles_ms.get("75")),
        "p90_ms": optional_round(result.percentiles_ms.get("90")),
        "p99_ms": round(result.percentiles_ms["99"], 3),
        "avg_ms": round(result.avg_ms, 3),
        "max_ms": round(result.max_ms, 3),
        "errors": result.errors,
        "non_2xx_3xx": result.non_2xx_3xx,
        "socket_errors": result.socket_errors,
        "path": path,
        "host": HOST,
        "signed_in": bool(headers),
        "connections": load["connections"],
        "threads": load["threads"],
        "load_avg_1m_before": round(load_before, 2),
    }


def run() -> int:
    duration = bounded_int("BENCH_DURATION", DEFAULT_DURATION, MAX_DURATION)
    connections = bounded_int("BENCH_CONNECTIONS", DEFAULT_CONNECTIONS, MAX_CONNECTIONS)
    load = {"threads": min(THREADS, connections), "connections": connections, "seconds": duration}
    profiled_requests = profile_requests()
    scale = bench_scale()
    seed = seed_arguments(scale)
    wrk_binary = wrk.find_or_install()

    database_url, database = bench_database(scale)
    use_redis = redis_answers()
    if os.environ.get("PAGE_CACHE_SECONDS", "").strip() == "0":
        cache, cache_label = "off", "off (PAGE_CACHE_SECONDS=0)"
    elif use_redis:
        cache, cache_label = "redis", f"Redis db {REDIS_DB}, shared by the workers"
    else:
        cache, cache_label = "locmem", "local memory, one per worker"
    log(
        f"bench: {scale} scale, database {database}, page cache {cache_label},"
        f" {WORKERS} gunicorn workers"
    )
    env = bench_environment(database_url, use_redis)

    prepare_database(env, [arg for key, n in seed.items() for arg in (f"--{key}", str(n))])
    if use_redis and redis_command(["SELECT", str(REDIS_DB)], ["FLUSHDB"]) != ["+OK", "+OK"]:
        raise BenchError(f"could not empty Redis database {REDIS_DB} before the run")

    cookie = member_cookie(env)
    # What every record says of the run: the code and data measured, and how it was served.
    context = {
        "commit": git_commit(),
        "scale": scale,
        **{f"seed_{key}": n for key, n in seed.items()},
        "database": database,
        "cache": cache,
        "workers": WORKERS,
    }

    failed, member_records = [], []
    with gunicorn(env) as port:
        runs = [(name, path, {}) for name, path in benchmark_paths(port).items()]
        runs += [
            (name, path, {"Cookie": cookie}) for name, path in member_paths(port, cookie).items()
        ]
        runs += [
            (name, path, {"Cookie": cookie})
            for name, path in api_member_paths(port, cookie).items()
        ]
        runs = selected(runs, os.environ.get("BENCH_ONLY", ""))
        member_pages = {name: path for name, path, headers in runs if headers}
        queries = query_counts(env, cookie, member_pages) if member_pages else {}
        for name, path, headers in runs:
            record = wrk_record(wrk_binary, port, name, path, headers, load)
            record = {**record, **queries.get(name, {}), **context}
            if record["errors"]:
                failed.append(name)
            if headers:
                member_records.append(record)
            emit(record)
    if member_records and profiled_requests:
        slowest = min(member_records, key=lambda record: record["per_second"])
        load_before = os.getloadavg()[0]
        record = profile(env, cookie, slowest["name"], slowest["path"], profiled_requests)
        log_profile(record)
        emit({**record, **context, "load_avg_1m_before": round(load_before, 2)})
    if failed:
        log(f"bench: errors or non-2xx/3xx responses in: {', '.join(failed)}")
        return 1
    return 0


def main() -> int:
    # `kill` (or make interrupted) still goes through the finally blocks that stop gunicorn.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return run()
    except (BenchError, wrk.WrkError) as error:
        log(f"bench: error: {error}")
        emit({"name": "bench", "error": str(error).splitlines()[0]})
        return 2


if __name__ == "__main__":
    sys.exit(main())
