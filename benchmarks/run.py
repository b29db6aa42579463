"""HTTP benchmarks of the commune pages, served by gunicorn with production settings: the
public pages as an anonymous visitor, and the pages a signed-in member loads (the alert an
SMS links to, the alerts list, the gazette, the directory, the messages).

Run by ``make bench``; see benchmarks/README.md. Standard library only: the project's own
commands run through ``manage.py`` and gunicorn from the virtualenv, the load comes from wrk.

stdout carries one JSON object per benchmark, one a line (so the last line is always JSON);
everything meant for humans (set-up output, summaries, errors) goes to stderr.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import wrk

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var"
SQLITE_PATH = VAR_DIR / "bench.sqlite3"
SERVER_LOG = VAR_DIR / "bench-gunicorn.log"

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


def prepare_database(env: dict[str, str]) -> None:
    # Tasks queued while loading (alert deliveries…) run in-process, as in `make demo`,
    # rather than waiting in a Redis queue that no worker reads.
    setup_env = {**env, "CELERY_BROKER_URL": ""}
    manage(setup_env, "migrate", "--no-input")
    manage(setup_env, "load_demo")
    manage(setup_env, "collectstatic", "--no-input", "--verbosity", "0")


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
    completed = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", _SESSION_SCRIPT % MEMBER_EMAIL],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise BenchError(f"could not sign the demo member in: {completed.stderr[-500:]}")
    return completed.stdout.strip().splitlines()[-1]


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


# --- Main ---------------------------------------------------------------------------------------


def optional_round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def run() -> int:
    duration = bounded_int("BENCH_DURATION", DEFAULT_DURATION, MAX_DURATION)
    connections = bounded_int("BENCH_CONNECTIONS", DEFAULT_CONNECTIONS, MAX_CONNECTIONS)
    threads = min(THREADS, connections)
    wrk_binary = wrk.find_or_install()

    database_url = os.environ.get("DATABASE_URL", "").strip()
    if database_url:
        scheme = urlsplit(database_url).scheme
        database = "postgresql" if scheme.startswith(("postgres", "pgsql")) else scheme
    else:
        database = "sqlite"
        VAR_DIR.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        database_url = f"sqlite:///{SQLITE_PATH}"
    use_redis = redis_answers()
    if os.environ.get("PAGE_CACHE_SECONDS", "").strip() == "0":
        cache, cache_label = "off", "off (PAGE_CACHE_SECONDS=0)"
    elif use_redis:
        cache, cache_label = "redis", f"Redis db {REDIS_DB}, shared by the workers"
    else:
        cache, cache_label = "locmem", "local memory, one per worker"
    log(f"bench: database {database}, page cache {cache_label}, {WORKERS} gunicorn workers")
    env = bench_environment(database_url, use_redis)

    prepare_database(env)
    if use_redis and redis_command(["SELECT", str(REDIS_DB)], ["FLUSHDB"]) != ["+OK", "+OK"]:
        raise BenchError(f"could not empty Redis database {REDIS_DB} before the run")

    cookie = member_cookie(env)

    failed = []
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
        for name, path, headers in runs:
            who = "the demo member" if headers else "anonymous"
            log(
                f"bench: {name}: GET {path} (Host: {HOST}, {who}), {connections} connections,"
                f" {duration} s"
            )
            load_before = os.getloadavg()[0]
            result, _ = wrk.run(
                wrk_binary,
                f"http://127.0.0.1:{port}{path}",
                host=HOST,
                threads=threads,
                connections=connections,
                seconds=duration,
                headers=headers,
            )
            record = {
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
                "connections": connections,
                "threads": threads,
                "workers": WORKERS,
                "database": database,
                "cache": cache,
                "load_avg_1m_before": round(load_before, 2),
            }
            if result.errors:
                failed.append(name)
            log(
                f"{name}: {result.per_second:,.0f} req/s, p50 {result.percentiles_ms['50']:.2f} ms,"
                f" p99 {result.percentiles_ms['99']:.2f} ms, {result.requests:,} requests in"
                f" {result.seconds:.1f} s, {result.errors} errors"
            )
            emit(record)
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
