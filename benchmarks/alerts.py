"""Alert pipeline benchmarks: a commune-wide alert to 100,000 members, and inbound SMS.

Run on its own (``.venv/bin/python benchmarks/alerts.py``) or by ``make bench``; see
benchmarks/README.md. PostgreSQL (``DATABASE_URL``, by default
``postgres://postgres@127.0.0.1:5432/voisinage_bench``, created when missing) and Redis
(127.0.0.1:6379, database 14, emptied first) are required: the figures are those of the
production pipeline, a real Celery worker (``-Q alerts,default``, 2 processes) and gunicorn
with ``DEBUG=false``, against the fake Twilio of the tests at 20 ms of latency.

stdout carries one JSON object per benchmark, one a line; everything else goes to stderr.

- ``alert_fanout_rows``: n = recipients, seconds = publish → every delivery row written;
- ``alert_fanout_sms``: n = SMS, per_second = SMS handed to the provider per second (first
  to last request received), with the contracted rate lifted (``SMS_RATE_PER_SECOND``);
  first_seconds_from_publish = publish → the first SMS at the provider;
- ``official_message_sms``: n = SMS of a mairie's message to every member of the commune
  (those who take part by SMS alone), per_second as above; send_seconds = the sending
  screen's own work (a conversation for each web member, the outbox message);
- ``sms_inbound_to_first_send``: n = samples, seconds = p50 from a signed POST to
  ``/sms/inbound/`` by a verified member to the first SMS of that alert at the provider;
- ``village_first_sms_during_broadcast``: n = SMS of a 50-member village's alert posted while
  a commune-wide broadcast is being sent (5 % of its SMS at the provider), seconds = publish
  → the village's first SMS at the provider; last_seconds = → its last.

``BENCH_SCALE=platform`` runs the fan-out and the inbound SMS against the largest commune of
a platform database seeded by ``benchmarks/run.py`` (600 communes, a million members),
which it does not seed and of which it deletes only what the benchmark wrote.
"""

import contextlib
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

sys.path.insert(0, str(ROOT / "benchmarks"))

from run import PLATFORM_DATABASE_URL, git_commit  # noqa: E402  (the page benchmarks' own)

from tests.fakes.twilio_server import FakeTwilioServer, new_sid  # noqa: E402

VAR_DIR = ROOT / "var"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/voisinage_bench"
# ``commune``: Grandville, seeded here; ``platform``: the largest commune of the database
# that ``benchmarks/run.py`` seeds (``BENCH_SCALE=platform``, its default database), never
# seeded here. ``demo`` (what ``make bench BENCH_SCALE=demo`` passes) means ``commune``.
SCALES = ("commune", "platform")
# What a platform database may be measured with: the village would add a commune to it, and
# a mairie's message a conversation for each of its web members.
PLATFORM_RUNS = ("fanout", "inbound")
REDIS_DB = 14
MEMBERS = int(os.environ.get("BENCH_ALERT_MEMBERS", "100000"))
COMMUNITIES = 10
INBOUND_SAMPLES = int(os.environ.get("BENCH_INBOUND_SAMPLES", "9"))
LATENCY_SECONDS = 0.02
SEND_TIMEOUT_SECONDS = 900
COMMUNE = {"name": "Grandville", "insee_code": "33999", "hostname": "grandville.localhost"}
# A village of its own, whose alert is posted while Grandville's broadcast is being sent.
VILLAGE = {"name": "Petit-Bourg", "insee_code": "33998", "hostname": "petit-bourg.localhost"}
VILLAGE_MEMBERS = 50
VILLAGE_AFTER_SHARE = 0.05  # of the broadcast's SMS at the provider when the village posts
# A mairie's message is not urgent: in quiet hours (20h–8h, Sundays, local time) its SMS wait
# for the morning and there is nothing to time. When it is night in Paris, the run is that of
# a deployment for overseas communes (``QUIET_HOURS_TIME_ZONE``) where it is a weekday
# between 9h and 19h, an hour from either edge (the runs before it take minutes).
PARIS = "Europe/Paris"
OVERSEAS_TIME_ZONES = (
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Wallis",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "America/Miquelon",
    "Pacific/Tahiti",
    "Pacific/Marquesas",
    "Pacific/Gambier",
)
DAYTIME_HOURS = range(9, 19)
SUNDAY = 6


class BenchError(RuntimeError):
    pass


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def emit(record: dict) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


# --- Environment ---------------------------------------------------------------------------------


def database_ensure(url: str, *, create: bool = True) -> None:
    """Create the benchmark database when it is missing (PostgreSQL only); a platform's,
    which this script does not seed, must exist."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith(("postgres", "pgsql")):
        raise BenchError(f"the alert benchmarks need PostgreSQL, not {parts.scheme!r}")
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(
        ("postgresql", parts.netloc, "/postgres", parts.query, parts.fragment)
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists and not create:
            raise BenchError(
                f"BENCH_SCALE=platform: no database {name}; seed it first "
                "(BENCH_SCALE=platform .venv/bin/python benchmarks/run.py)"
            )
        if not exists:
            log(f"bench: creating database {name}")
            connection.execute(f'CREATE DATABASE "{name}"')


def bench_scale() -> str:
    scale = os.environ.get("BENCH_SCALE", "").strip().lower() or SCALES[0]
    scale = SCALES[0] if scale == "demo" else scale
    if scale not in SCALES:
        raise BenchError(f"BENCH_SCALE must be one of {', '.join(SCALES)}, not {scale!r}")
    return scale


def chosen_runs(scale: str) -> list[str]:
    default = ",".join(PLATFORM_RUNS) if scale == "platform" else "fanout,village,official,inbound"
    chosen = [
        name.strip() for name in os.environ.get("BENCH_ALERTS", default).split(",") if name.strip()
    ]
    unknown = sorted(set(chosen) - {"fanout", "village", "official", "inbound"})
    if unknown:
        raise BenchError(f"BENCH_ALERTS: unknown runs {', '.join(unknown)}")
    if scale == "platform" and set(chosen) - set(PLATFORM_RUNS):
        raise BenchError(
            f"BENCH_SCALE=platform measures {' and '.join(PLATFORM_RUNS)} only: the village "
            "would add a commune to that database, a mairie's message a conversation for each "
            "of its web members"
        )
    return chosen


def quiet_hours_time_zone(now: datetime) -> str | None:
    """Paris, or a French overseas time zone, where ``now`` is a weekday between 9h and 19h;
    None when none is (from Saturday 19h in Tahiti to Monday 9h in Wallis)."""
    for name in (PARIS, *OVERSEAS_TIME_ZONES):
        local = now.astimezone(ZoneInfo(name))
        if local.weekday() != SUNDAY and local.hour in DAYTIME_HOURS:
            return name
    return None


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


def bench_environment(
    database_url: str, redis_url: str, fake: FakeTwilioServer, *, time_zone: str = PARIS
) -> dict:
    """The one environment of this process, its worker and gunicorn.

    Everything that picks settings, database or broker is set here, never inherited: a
    caller's ``CELERY_BROKER_URL`` would otherwise send this process's tasks to a broker the
    worker does not read, and a checkout's ``.env`` (the demo's) would add its own values.
    """
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        ENV_FILE="",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1,.localhost",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="twilio",
        TWILIO_API_BASE_URL=fake.base_url,
        TWILIO_ACCOUNT_SID=fake.account_sid,
        TWILIO_AUTH_TOKEN=fake.auth_token,
        TWILIO_MESSAGING_SERVICE_SID=new_sid("MG"),
        TWILIO_FROM_NUMBER="",
        PUBLIC_BASE_URL="",
        # The provider's contracted rate is lifted: what is measured is our pipeline.
        SMS_RATE_PER_SECOND=os.environ.get("SMS_RATE_PER_SECOND", "100000"),
        SMS_SEND_CONCURRENCY=os.environ.get("SMS_SEND_CONCURRENCY", "32"),
        # Beat runs in the worker (-B): a stray row (a provider timeout) is settled by the
        # sweep within a minute rather than the production ten.
        ALERT_SWEEP_EVERY="30",
        ALERT_SWEEP_SENDING_AFTER="60",
        QUIET_HOURS_TIME_ZONE=time_zone,
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def environment_apply(env: dict) -> None:
    """Make this process's environment exactly ``env``, the one given to the worker."""
    os.environ.clear()
    os.environ.update(env)


# --- Processes -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    with log_path.open("wb") as output:
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=15)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=5)


def wait_for(condition, *, seconds: float, what: str, process=None, log_path=None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
            raise BenchError(f"{what}: the process exited ({process.returncode})\n{tail}")
        if time.monotonic() > deadline:
            raise BenchError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.005)


def worker(env: dict, *, beat: bool) -> tuple[subprocess.Popen, Path]:
    """The Celery worker; with ``beat``, the schedule runs in it (the sweep settles a stray
    row within a minute). Not on a platform's database: the schedule's tasks (recounts,
    notices, retention, the sweep of its seeded deliveries) would work on data not ours."""
    log_path = VAR_DIR / "bench-celery.log"
    binary = str(Path(sys.executable).with_name("celery"))
    schedule = ["-B", "-s", str(VAR_DIR / "bench-celerybeat-schedule")] if beat else []
    process = start(
        [binary, "-A", "portal", "worker", "-Q", "alerts,default", "-c", "2", *schedule,
         "-n", f"bench-{uuid.uuid4().hex[:6]}@%h", "--without-mingle", "--without-gossip",
         "--without-heartbeat", "--loglevel", "INFO"],
        env,
        log_path,
    )  # fmt: skip
    wait_for(
        lambda: " ready." in log_path.read_text(errors="replace"),
        seconds=90,
        what="the Celery worker",
        process=process,
        log_path=log_path,
    )
    return process, log_path


def web(env: dict) -> tuple[subprocess.Popen, int]:
    log_path = VAR_DIR / "bench-alerts-gunicorn.log"
    port = free_port()
    binary = str(Path(sys.executable).with_name("gunicorn"))
    command = [binary, "portal.wsgi:application", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True).stdout
    if "--no-control-socket" in help_text:
        command.append("--no-control-socket")
    process = start(command, env, log_path)

    def healthy() -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    wait_for(healthy, seconds=90, what="gunicorn", process=process, log_path=log_path)
    return process, port


# --- Data ----------------------------------------------------------------------------------------


def prepare() -> dict:
    """Migrate, create the commune, seed its members, a broadcaster and inbound senders."""
    from django.core.management import call_command

    from communities.services import commune_create
    from demo.scale import commune_find

    call_command("migrate", "--no-input", verbosity=0)
    commune = commune_create(**COMMUNE).commune
    call_command(
        "seed_scale",
        "--members",
        str(MEMBERS),
        "--commune",
        COMMUNE["hostname"].split(".")[0],
        "--communities",
        str(COMMUNITIES),
        stdout=sys.stderr,
    )
    commune = commune_find(slug="grandville")
    return bench_people(commune, mayor_email="maire@grandville.bench.invalid")


def platform_prepare() -> dict:
    """The platform's largest commune (most verified members), with the benchmark's
    broadcaster and inbound senders found or created there; nothing seeded."""
    from django.core.management import call_command
    from django.db.models import Count, Q

    from communities.models import Commune, MembershipStatus

    call_command("migrate", "--no-input", verbosity=0)
    verified = Q(communities__memberships__status=MembershipStatus.VERIFIED)
    commune = (
        Commune.objects.annotate(members=Count("communities__memberships", filter=verified))
        .order_by("-members", "pk")
        .first()
    )
    if commune is None or commune.members < 1000:
        raise BenchError(
            "BENCH_SCALE=platform: no commune of the database has 1,000 members; seed it "
            "first (BENCH_SCALE=platform .venv/bin/python benchmarks/run.py, or manage.py "
            "seed_scale --communes 600 --members 1000000)"
        )
    return bench_people(commune, mayor_email=f"maire@{commune.insee_code}.bench.invalid")


def bench_people(commune, *, mayor_email: str) -> dict:
    """The commune's broadcaster and the verified members who send the inbound SMS, found
    or created, and how many verified members the commune has."""
    from django.utils import timezone

    from accounts.models import User
    from communities.models import Community, Membership, MembershipStatus, StaffRole
    from communities.services import staff_role_grant

    mayor, _ = User.objects.get_or_create(
        email=mayor_email, defaults={"first_name": "Maire", "last_name": commune.name}
    )
    staff_role_grant(user=mayor, commune=commune, role=StaffRole.BROADCASTER)
    # Inbound senders: a small street of their own, so their alerts do not reach 100,000.
    street, _ = Community.objects.get_or_create(
        commune=commune, slug="rue-du-banc-d-essai", defaults={"name": "Rue du banc d'essai"}
    )
    senders = []
    for number in range(1, INBOUND_SAMPLES + 6):
        phone = f"+336280{number:05d}"
        user, created = User.objects.get_or_create(
            phone=phone,
            defaults={
                "first_name": "Témoin",
                "last_name": f"n° {number}",
                "phone_verified_at": timezone.now(),
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        User.objects.filter(pk=user.pk, phone_verified_at=None).update(
            phone_verified_at=timezone.now()
        )
        membership, _ = Membership.objects.get_or_create(
            user=user,
            defaults={
                "community": street,
                "status": MembershipStatus.VERIFIED,
                "address": f"{number} rue du banc d'essai",
            },
        )
        if membership.community_id != street.pk:
            raise BenchError(f"the inbound sender {phone} is a member elsewhere ({membership})")
        senders.append(phone)
    members = Membership.objects.filter(
        community__commune=commune, status=MembershipStatus.VERIFIED
    ).count()
    return {
        "commune": commune,
        "mayor": mayor,
        "senders": senders,
        "sender_ids": list(User.objects.filter(phone__in=senders).values_list("pk", flat=True)),
        "members": members,
    }


def alerts_clear(*, scale: str, data: dict) -> None:
    """Earlier runs' messages go: their deliveries would slow the counts, the senders'
    hourly allowance of alerts would refuse the inbound samples, and a mairie message's
    33,334 "new message" notices would still be leaving during this run's figures.

    On the benchmark's own database, every message; on a platform's, only the alerts the
    benchmark's broadcaster and senders wrote, with their messages and deliveries (the
    seeded year of alerts, the demo's history and what others wrote stay)."""
    from django.db import connection

    from alerts.models import Alert
    from notifications.models import Delivery, OutboxMessage

    if scale == "platform":
        ours = Alert.objects.filter(author_id__in=[data["mayor"].pk, *data["sender_ids"]])
        messages = OutboxMessage.objects.filter(alert_message__alert__in=ours)
        deliveries, _ = Delivery.objects.filter(message__in=messages).delete()
        alerts = ours.count()
        ours.delete()
        log(f"bench: deleted the benchmark's {alerts} earlier alerts, {deliveries:,} deliveries")
        return
    with connection.cursor() as cursor:
        # Deliveries have no database foreign key: named, not reached by CASCADE.
        tables = ", ".join(
            connection.ops.quote_name(model._meta.db_table) for model in (Delivery, OutboxMessage)
        )
        cursor.execute(f"TRUNCATE {tables} CASCADE")
    Alert.objects.all().delete()


def outbox_vacuum() -> None:
    """Before each measured run, what autovacuum does in production: the outbox's tables
    rid of the rows earlier runs deleted or updated, with fresh statistics. This machine's
    PostgreSQL may run without autovacuum (``SHOW autovacuum``): a delivery table left with
    the two million dead rows of a day's runs wrote the platform's fan-out 40 % slower per
    recipient than a clean one."""
    from django.db import connection

    from notifications.models import Delivery, OutboxMessage

    with connection.cursor() as cursor:
        for model in (Delivery, OutboxMessage):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")


# --- Benchmarks ----------------------------------------------------------------------------------


def outcomes_wait(deliveries) -> None:
    """Wait until no delivery of ``deliveries`` is queued or being sent."""
    from notifications.models import DeliveryStatus

    unsettled = deliveries.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
    wait_for(lambda: not unsettled.exists(), seconds=180, what="every outcome to be recorded")


def duplicate_recipients(fake: FakeTwilioServer) -> int:
    """Numbers the provider accepted more than one SMS for."""
    per_target = Counter(request.params["To"] for request in fake.message_requests() if request.sid)
    return sum(1 for count in per_target.values() if count > 1)


def commune_wide_alert(*, fake: FakeTwilioServer, data: dict) -> list[dict]:
    from django.db import connection

    from alerts.models import AlertCategory
    from alerts.services import broadcast_post
    from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage

    fake.reset()
    load_before = round(os.getloadavg()[0], 2)
    published = time.time()
    alert = broadcast_post(
        author=data["mayor"],
        commune=data["commune"],
        category=AlertCategory.WEATHER,
        text="Vigilance rouge inondation : évitez les bords de Garonne. "
        f"Réf {uuid.uuid4().hex[:6]}",
    )
    message = alert.messages.get()
    with connection.cursor() as cursor:

        def fanned_out() -> bool:
            cursor.execute(
                f"SELECT fanned_out_at FROM {OutboxMessage._meta.db_table} WHERE id = %s",  # noqa: S608
                [message.pk],
            )
            return cursor.fetchone()[0] is not None

        wait_for(fanned_out, seconds=120, what="the fan-out")
    message.refresh_from_db()
    rows_seconds = message.fanned_out_at.timestamp() - published
    deliveries = Delivery.objects.filter(message=message)
    recipients = deliveries.values("user_id").distinct().count()
    sms = deliveries.filter(channel=Channel.SMS).count()
    rows = deliveries.count()
    log(
        f"alert_fanout_rows: {rows:,} delivery rows for {recipients:,} recipients written "
        f"{rows_seconds:.3f} s after publishing"
    )

    wait_for(lambda: len(fake.messages) >= sms, seconds=SEND_TIMEOUT_SECONDS, what="every SMS")
    created = sorted(r.received_at for r in fake.message_requests() if r.sid)
    send_seconds = created[-1] - created[0]
    first_from_publish = created[0] - published
    from_publish = created[-1] - published
    outcomes_wait(deliveries)
    recorded = time.time() - published
    sent = deliveries.filter(channel=Channel.SMS, status=DeliveryStatus.SENT).count()
    duplicates = duplicate_recipients(fake)
    log(
        f"alert_fanout_sms: {sms:,} SMS handed over in {send_seconds:.1f} s "
        f"({sms / send_seconds:,.0f}/s), first {first_from_publish:.1f} s and last "
        f"{from_publish:.1f} s after publishing, every "
        f"outcome recorded after {recorded:.1f} s; {sent:,} sent, {duplicates} duplicates"
    )
    return [
        {
            "name": "alert_fanout_rows",
            "n": recipients,
            "seconds": round(rows_seconds, 3),
            "per_second": round(recipients / rows_seconds, 1),
            "rows": rows,
            "sms_rows": sms,
            "database": "postgresql",
            "load_avg_1m_before": load_before,
        },
        {
            "name": "alert_fanout_sms",
            "n": sms,
            "seconds": round(send_seconds, 3),
            "per_second": round(sms / send_seconds, 1),
            "first_seconds_from_publish": round(first_from_publish, 3),
            "seconds_from_publish": round(from_publish, 3),
            "seconds_until_recorded": round(recorded, 3),
            "sent": sent,
            "duplicates": duplicates,
            "provider_latency_ms": LATENCY_SECONDS * 1000,
            "worker_processes": 2,
            "sms_send_concurrency": int(os.environ.get("SMS_SEND_CONCURRENCY", "32")),
            "load_avg_1m_before": load_before,
        },
    ]


def official_message(*, fake: FakeTwilioServer, data: dict) -> dict:
    """The mairie writes to every verified member of the commune: the web members get it
    in their messages, those who take part by SMS alone an SMS through the outbox."""
    from messaging.models import OfficialTarget
    from messaging.official import official_send
    from notifications.models import Channel, Delivery

    fake.reset()
    load_before = round(os.getloadavg()[0], 2)
    published = time.time()
    send = official_send(
        author=data["mayor"],
        commune=data["commune"],
        target=OfficialTarget.COMMUNE,
        subject="Coupure d'eau",
        text="Coupure d'eau demain de 8 h à 12 h dans toute la commune. "
        f"Réf {uuid.uuid4().hex[:6]}",
        replies_allowed=False,
    )
    request_seconds = time.time() - published
    sms = send.reach["sms"]
    wait_for(lambda: len(fake.messages) >= sms, seconds=SEND_TIMEOUT_SECONDS, what="every SMS")
    created = sorted(r.received_at for r in fake.message_requests() if r.sid)
    send_seconds = created[-1] - created[0]
    deliveries = Delivery.objects.filter(message_id=send.outbox_message_id, channel=Channel.SMS)
    outcomes_wait(deliveries)
    duplicates = duplicate_recipients(fake)
    log(
        f"official_message_sms: {send.reach['web']:,} web members and {sms:,} SMS; the send "
        f"took {request_seconds:.1f} s, {sms:,} SMS handed over in {send_seconds:.1f} s "
        f"({sms / send_seconds:,.0f}/s), first {created[0] - published:.1f} s after the "
        f"send began; {duplicates} duplicates"
    )
    return {
        "name": "official_message_sms",
        "n": sms,
        "seconds": round(send_seconds, 3),
        "per_second": round(sms / send_seconds, 1),
        "web_members": send.reach["web"],
        "send_seconds": round(request_seconds, 3),
        "first_seconds_from_send": round(created[0] - published, 3),
        "seconds_from_send": round(created[-1] - published, 3),
        "duplicates": duplicates,
        "provider_latency_ms": LATENCY_SECONDS * 1000,
        "load_avg_1m_before": load_before,
    }


def inbound_to_first_send(*, fake: FakeTwilioServer, port: int, data: dict) -> dict:
    from twilio.request_validator import RequestValidator

    load_before = round(os.getloadavg()[0], 2)
    validator = RequestValidator(fake.auth_token)
    url = f"http://127.0.0.1:{port}/sms/inbound/"
    latencies = []
    for phone in data["senders"][:INBOUND_SAMPLES]:
        marker = uuid.uuid4().hex[:8]
        params = {
            "From": phone,
            "To": "+33600000000",
            "Body": f"Cambriolage en cours au 4 rue du banc d'essai, réf {marker}",
            "MessageSid": new_sid("SM"),
            "AccountSid": fake.account_sid,
        }
        request = urllib.request.Request(
            url,
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": validator.compute_signature(url, params)},
        )
        posted = time.time()
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = response.read().decode()
            if response.status != 200:
                raise BenchError(f"/sms/inbound/ answered {response.status}: {reply[:200]}")
        if "Alerte reçue" not in reply:
            raise BenchError(f"the inbound SMS from {phone} posted no alert: {reply[:300]}")

        def first_send(marker=marker):
            return next(
                (r for r in fake.message_requests() if marker in r.params.get("Body", "")), None
            )

        wait_for(lambda: first_send() is not None, seconds=30, what="the first SMS of the alert")
        latencies.append(first_send().received_at - posted)
        time.sleep(0.3)  # let the rest of that small fan-out finish
    p50 = statistics.median(latencies)
    log(
        f"sms_inbound_to_first_send: p50 {p50 * 1000:.0f} ms over {len(latencies)} samples "
        f"(min {min(latencies) * 1000:.0f}, max {max(latencies) * 1000:.0f} ms)"
    )
    return {
        "name": "sms_inbound_to_first_send",
        "n": len(latencies),
        "seconds": round(p50, 3),
        "per_second": round(1 / p50, 2),
        "min_seconds": round(min(latencies), 3),
        "max_seconds": round(max(latencies), 3),
        "load_avg_1m_before": load_before,
    }


def village_prepare() -> dict:
    """The village: a commune of its own with ``VILLAGE_MEMBERS`` verified members (tops
    up), the first of whom posts its alert."""
    from communities.models import Membership, MembershipStatus
    from communities.services import commune_create
    from demo.scale import members_seed

    village = commune_create(**VILLAGE).commune
    members_seed(commune=village, members=VILLAGE_MEMBERS, communities=1)
    author = (
        Membership.objects.filter(community__commune=village, status=MembershipStatus.VERIFIED)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )
    return {"village": village, "author": author}


def village_alert_during_broadcast(*, fake: FakeTwilioServer, data: dict, village: dict) -> dict:
    """A village's alert posted while a commune-wide broadcast is being sent: publish → its
    first and last SMS at the provider, and how much of the broadcast was still to come."""
    from alerts.models import AlertCategory
    from alerts.services import alert_post, broadcast_post
    from notifications.models import Channel, Delivery, OutboxMessage

    fake.reset()
    load_before = round(os.getloadavg()[0], 2)
    broadcast = broadcast_post(
        author=data["mayor"],
        commune=data["commune"],
        category=AlertCategory.WEATHER,
        text=f"Vigilance rouge crues : restez chez vous. Réf {uuid.uuid4().hex[:6]}",
    )
    broadcast_message = broadcast.messages.get()
    fanned_out = OutboxMessage.objects.filter(pk=broadcast_message.pk, fanned_out_at__isnull=False)
    wait_for(fanned_out.exists, seconds=120, what="the broadcast's fan-out")
    broadcast_sms = Delivery.objects.filter(message=broadcast_message, channel=Channel.SMS).count()
    wait_for(
        lambda: len(fake.messages) >= broadcast_sms * VILLAGE_AFTER_SHARE,
        seconds=SEND_TIMEOUT_SECONDS,
        what="the broadcast's SMS to be under way",
    )

    marker = uuid.uuid4().hex[:8]
    at_publish = len(fake.messages)
    published = time.time()
    alert = alert_post(
        author=village["author"],
        category=AlertCategory.SCOUTING,
        text=f"Deux individus relèvent les plaques des boîtes aux lettres, réf {marker}",
    )
    message = alert.messages.get()
    wait_for(
        OutboxMessage.objects.filter(pk=message.pk, fanned_out_at__isnull=False).exists,
        seconds=SEND_TIMEOUT_SECONDS,
        what="the village's fan-out",
    )
    sms = Delivery.objects.filter(message=message, channel=Channel.SMS).count()

    def village_requests():
        return [r for r in fake.message_requests() if r.sid and marker in r.params["Body"]]

    wait_for(
        lambda: len(village_requests()) >= sms,
        seconds=SEND_TIMEOUT_SECONDS,
        what="every SMS of the village's alert",
    )
    received = sorted(r.received_at for r in village_requests())
    first_seconds, last_seconds = received[0] - published, received[-1] - published
    broadcast_before_last = sum(
        1
        for r in fake.message_requests()
        if r.sid and marker not in r.params["Body"] and r.received_at <= received[-1]
    )
    still_to_come = broadcast_sms - broadcast_before_last
    wait_for(
        lambda: len(fake.messages) >= broadcast_sms + sms,
        seconds=SEND_TIMEOUT_SECONDS,
        what="every SMS of the broadcast",
    )
    outcomes_wait(Delivery.objects.filter(message__in=[broadcast_message, message]))
    duplicates = duplicate_recipients(fake)
    log(
        f"village_first_sms_during_broadcast: {sms} SMS of a village's alert posted when "
        f"{at_publish:,} of the broadcast's {broadcast_sms:,} SMS were sent: first "
        f"{first_seconds:.2f} s and last {last_seconds:.2f} s after publishing, "
        f"{still_to_come:,} of the broadcast's SMS still to come; {duplicates} duplicates"
    )
    return {
        "name": "village_first_sms_during_broadcast",
        "n": sms,
        "seconds": round(first_seconds, 3),
        "per_second": round(1 / first_seconds, 3),
        "last_seconds": round(last_seconds, 3),
        "target_seconds": 2.0,
        "broadcast_sms": broadcast_sms,
        "broadcast_sms_sent_at_publish": at_publish,
        "broadcast_sms_still_to_come": still_to_come,
        "duplicates": duplicates,
        "load_avg_1m_before": load_before,
    }


# --- Main ----------------------------------------------------------------------------------------


def run() -> int:
    VAR_DIR.mkdir(exist_ok=True)
    scale = bench_scale()
    chosen = chosen_runs(scale)
    default_url = PLATFORM_DATABASE_URL if scale == "platform" else DEFAULT_DATABASE_URL
    database_url = os.environ.get("DATABASE_URL", "").strip() or default_url
    database_ensure(database_url, create=scale != "platform")
    # The deployment's time zone of quiet hours: the caller's, else Paris, or, for a mairie's
    # message at night in Paris, an overseas one where it is daytime (the rule is kept).
    given_zone = os.environ.get("QUIET_HOURS_TIME_ZONE", "").strip()
    time_zone = given_zone or PARIS
    if "official" in chosen and not given_zone:
        time_zone = quiet_hours_time_zone(datetime.now(UTC)) or PARIS
    log(f"bench: quiet hours in {time_zone}")
    # BENCH_REDIS_URL keeps runs side by side on one Redis apart (it is emptied first).
    redis_url = (
        os.environ.get("BENCH_REDIS_URL", "").strip() or f"redis://127.0.0.1:6379/{REDIS_DB}"
    )
    redis_flush(redis_url)
    fake = FakeTwilioServer(latency=LATENCY_SECONDS).start()
    processes = []
    data = None
    try:
        env = bench_environment(database_url, redis_url, fake, time_zone=time_zone)
        environment_apply(env)
        import django

        django.setup()
        database_name = urllib.parse.urlsplit(database_url).path[1:]
        if scale == "platform":
            data = platform_prepare()
        else:
            log(f"bench: {MEMBERS:,} members on {database_name}")
            data = prepare()
        log(f"bench: {data['commune'].name}, {data['members']:,} members, on {database_name}")
        alerts_clear(scale=scale, data=data)
        from notifications.pacing import sms_pace_reset

        sms_pace_reset()
        celery, _ = worker(env, beat=scale != "platform")
        processes.append(celery)
        gunicorn, port = web(env)
        processes.append(gunicorn)
        context = {
            "scale": scale,
            "commune": data["commune"].name,
            "commune_members": data["members"],
            "quiet_hours_time_zone": time_zone,
            "commit": git_commit(),
        }

        def emit_in_context(record: dict) -> None:
            emit({**record, **context})

        village = village_prepare() if "village" in chosen else None
        if "fanout" in chosen:
            outbox_vacuum()
            for record in commune_wide_alert(fake=fake, data=data):
                emit_in_context(record)
        if "village" in chosen:
            outbox_vacuum()
            emit_in_context(village_alert_during_broadcast(fake=fake, data=data, village=village))
        if "official" in chosen:
            from django.utils import timezone

            from notifications.quiet_hours import quiet_hours_end

            if quiet_hours_end(now=timezone.now()) is None:
                outbox_vacuum()
                emit_in_context(official_message(fake=fake, data=data))
            else:  # a mairie's message waits for 8h (French SMS rules): nothing to time
                emit_in_context(
                    {
                        "name": "official_message_sms",
                        "skipped": f"quiet hours in {time_zone} (20h-8h, Sunday)"
                        + ("" if given_zone else ", as in every French overseas time zone"),
                    }
                )
        if "inbound" in chosen:
            outbox_vacuum()
            emit_in_context(inbound_to_first_send(fake=fake, port=port, data=data))
    finally:
        for process in processes:
            stop(process)
        fake.stop()
        if scale == "platform" and data is not None:
            # A platform is shared (its pages are measured too): the bench's alerts go.
            alerts_clear(scale=scale, data=data)
    return 0


def main() -> int:
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        return run()
    except BenchError as error:
        log(f"bench: error: {error}")
        emit({"name": "bench_alerts", "error": str(error).splitlines()[0]})
        return 2


if __name__ == "__main__":
    sys.exit(main())
