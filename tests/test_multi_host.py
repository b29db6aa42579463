"""Several machines share one PostgreSQL and one Redis, as the README's production section
says: two web hosts and two worker hosts, each in a network namespace of its own.

The test makes the machines (``tests/network_hosts.py``): a bridge in the root namespace and
four namespaces, web1, web2, worker1 and worker2, each with its own address on the bridge.
The root namespace plays the database host and the Redis host. PostgreSQL and Redis listen
only on 127.0.0.1 here (and in CI, where they are services), and a namespace's 127.0.0.1 is
its own: rather than reconfigure shared services, the test relays the bridge address's 5432
and 6379 to them (``TcpForwarder``), so the hosts reach them over the network as remote
machines would. The fake Twilio listens on the bridge address too and notes which host each
SMS came from.

web1 and web2 run gunicorn, worker1 and worker2 ``celery worker -B`` (a beat on each, as
when a second beat is started by mistake), all with production settings (``DEBUG=false``,
the environment ``benchmarks/alerts.py`` builds) and one secret key. Then, each step
asserted:

1. a verified member signed in on web1 posts an alert through the real form; a neighbour
   signed in on web2 sees it there at once (sessions, cache and database are shared);
2. its 2,000 SMS, paced by the shared Redis at 250 a second, are sent by both worker hosts
   (both addresses at the provider);
3. worker1, which leads the beat, is cut off mid-send (its link taken down); worker2's beat
   takes the lead once the lock expires, and its sweep reconciles with the provider the rows
   worker1 left in ``sending`` and re-enqueues the batches worker1 held: every member gets
   exactly one SMS;
4. the beat runs on one host at a time: the lock in Redis (``BEAT_LOCK_KEY``) names one
   leader, and the sweep (every second here) is sent by worker1's beat only until the cut,
   by worker2's only after it, at most once a second in all: two beats would send it twice
   a second. What is counted is celery's own log line for each task a beat sends.

Skipped where network namespaces cannot be made (not root, no ``ip``). It holds one xdist
worker for about a minute; the README's production section says how to run it alone.
"""

import os
import re
import secrets
import subprocess
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
import requests
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection
from django.utils import timezone

from accounts.models import User
from alerts.models import Alert, AlertCategory
from benchmarks.alerts import bench_environment
from communities.models import Membership, MembershipStatus
from communities.services import commune_create
from demo.scale import members_seed
from notifications.models import Channel, Delivery, DeliveryStatus
from portal.settings.tasks import BEAT_LOCK_KEY
from tests.celery_workers import ROOT, Worker, backends_missing, broker_url, wait_for
from tests.fakes.twilio_server import FakeTwilioServer
from tests.network_hosts import HostNetwork, TcpForwarder, namespaces_unavailable

pytestmark = [
    # The hosts must see committed rows; serialized_rollback puts back the migrations' rows
    # (Wagtail's root page and locale) that the flush after the test removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(backends_missing() is not None, reason=str(backends_missing())),
]

HOSTS = ["web1", "web2", "worker1", "worker2"]
HOSTNAME = "grandville.localhost"
MEMBERS = 2000
PASSWORD = "correct-horse-battery-staple-2026"
SMS_PER_SECOND = 250  # the contracted rate, booked in Redis by whichever host sends
PROVIDER_LATENCY = 0.05
SWEEP_EVERY = 1
BEAT_LOCK_SECONDS = 4
SETTLE_SECONDS = 60

SWEEP_SENT = "Scheduler: Sending due task outbox-deliveries-recover"
BEAT_LEADS = "Beat: this process now runs the schedule."
SWEEP_DONE = re.compile(r"Task notifications\.deliveries_recover\[[^\]]+\] succeeded in \S+: (\d+)")
LOG_TIME = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})")


# --- The machines ---------------------------------------------------------------------------


@pytest.fixture
def network():
    reason = namespaces_unavailable()
    if reason is not None:
        pytest.skip(reason)
    hosts = HostNetwork(HOSTS)
    try:
        yield hosts.create()
    finally:
        hosts.destroy()


@pytest.fixture
def services(network):
    """The database and Redis hosts: PostgreSQL and Redis at the bridge address (see above)."""
    database = connection.settings_dict
    broker = urlsplit(os.environ["REDIS_URL"])
    targets = {
        (database["HOST"] or "127.0.0.1", int(database["PORT"] or 5432)),
        (broker.hostname or "127.0.0.1", broker.port or 6379),
    }
    forwarders = []
    try:
        for host, port in targets:
            forwarders.append(TcpForwarder(network.gateway, port, target_host=host).start())
        database_url = (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
            f"{network.gateway}:{int(database['PORT'] or 5432)}/{database['NAME']}"
        )
        own = urlsplit(broker_url())  # a Redis database of this test process's own
        redis_url = urlunsplit(
            (own.scheme, f"{network.gateway}:{broker.port or 6379}", own.path, "", "")
        )
        yield database_url, redis_url
    finally:
        for forwarder in forwarders:
            forwarder.stop()


@pytest.fixture
def broker():
    client = redis.Redis.from_url(broker_url())
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()


@pytest.fixture
def provider(network):
    server = FakeTwilioServer(host=network.gateway, latency=PROVIDER_LATENCY, seed=14).start()
    try:
        yield server
    finally:
        server.stop()


class Cluster:
    """The processes of the four hosts, all stopped at the end whatever happened."""

    def __init__(self, network: HostNetwork, env: dict, logs: Path):
        self.network, self.env, self.logs = network, env, logs
        self.workers: dict[str, Worker] = {}
        self.webs: dict[str, subprocess.Popen] = {}
        self.cut_off: set[str] = set()
        self.collect: subprocess.Popen | None = None

    def static_collect(self) -> subprocess.Popen:
        """Collect the release's static files (production serves them hashed, from a
        manifest), in the background: the caller waits for it before starting gunicorn."""
        self.collect = subprocess.Popen(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        return self.collect

    def worker(self, host: str, *, wait: bool = True) -> Worker:
        self.workers[host] = Worker(
            self.env,
            self.logs / f"{host}.log",
            name=host,
            prefix=self.network.run_in(host),
            beat_schedule=self.logs / f"{host}-beat-schedule",
            wait=wait,
        )
        return self.workers[host]

    def web(self, host: str) -> None:
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [
            *self.network.run_in(host),
            gunicorn,
            "portal.wsgi:application",
            "--workers",
            "1",
            "--bind",
            f"{self.network.addresses[host]}:8000",
        ]
        if "--no-control-socket" in _gunicorn_help(gunicorn):
            command.append("--no-control-socket")
        with (self.logs / f"{host}.log").open("ab") as output:
            self.webs[host] = subprocess.Popen(  # noqa: S603 (our own gunicorn)
                command,
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def url(self, host: str, path: str) -> str:
        return f"http://{self.network.addresses[host]}:8000{path}"

    def web_wait(self, host: str) -> None:
        def healthy() -> bool:
            if self.webs[host].poll() is not None:
                tail = (self.logs / f"{host}.log").read_text(errors="replace")[-3000:]
                pytest.fail(f"gunicorn on {host} exited:\n{tail}")
            try:
                answer = requests.get(
                    self.url(host, "/healthz"), headers={"Host": HOSTNAME}, timeout=2
                )
            except requests.RequestException:
                return False
            return answer.status_code == 200

        wait_for(healthy, seconds=90, what=f"gunicorn on {host}", every=0.2)

    def cut(self, host: str) -> None:
        self.cut_off.add(host)
        self.network.cut(host)

    def stop(self) -> None:
        if self.collect is not None and self.collect.poll() is None:
            self.collect.kill()
            self.collect.wait(timeout=10)
        for process in self.webs.values():
            if process.poll() is None:
                process.terminate()
        for worker in self.workers.values():
            # No warm shutdown: a host cut off could not finish its tasks nor give them back,
            # and Redis is emptied after the test anyway.
            worker.kill()
        for process in self.webs.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _gunicorn_help(binary: str) -> str:
    return subprocess.run(  # noqa: S603 (our own gunicorn)
        [binary, "--help"], capture_output=True, text=True, check=False
    ).stdout


@pytest.fixture
def cluster(network, services, broker, provider, transactional_db, tmp_path):
    database_url, redis_url = services
    env = bench_environment(database_url, redis_url, provider)
    for key in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_TESTRUNUID", "PYTEST_CURRENT_TEST"):
        env.pop(key, None)
    env.update(
        ALLOWED_HOSTS=".localhost",
        # Plain HTTP on the bridge: no TLS proxy in front of gunicorn here.
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        STATIC_ROOT=str(tmp_path / "static"),
        SMS_RATE_PER_SECOND=str(SMS_PER_SECOND),
        SMS_SEND_CONCURRENCY="16",
        TWILIO_HTTP_TIMEOUT="5",
        # The sweep every second; rows left in sending by a host 5 s ago, or queued 4 s
        # past their time, are its to take up (production: 10 and 2 minutes).
        ALERT_SWEEP_EVERY=str(SWEEP_EVERY),
        ALERT_SWEEP_SENDING_AFTER="5",
        ALERT_SWEEP_QUEUED_AFTER="4",
        ALERT_SWEEP_FANOUT_AFTER="5",
        ALERT_RECONCILE_AFTER="0.5",
        ALERT_RETRY_BASE_SECONDS="0.2",
        ALERT_RETRY_MAX_SECONDS="2",
        BEAT_LOCK_SECONDS=str(BEAT_LOCK_SECONDS),
        LOG_LEVEL="INFO",  # the beat's and the tasks' log lines are what the test reads
    )
    logs = tmp_path / "hosts"
    logs.mkdir()
    machines = Cluster(network, env, logs)
    try:
        yield machines
    finally:
        machines.stop()


# --- The commune ------------------------------------------------------------------------------


@pytest.fixture
def town(transactional_db):
    """Grandville: one community of MEMBERS synthetic members, every one with a mobile, and
    two residents who sign in with a password (no mobile: the SMS are the others')."""
    commune = commune_create(name="Grandville", insee_code="33999", hostname=HOSTNAME).commune
    community = members_seed(commune=commune, members=MEMBERS, communities=1).communities[0]
    residents = []
    for email, first_name in (
        ("jeanne@grandville.test", "Jeanne"),
        ("paul@grandville.test", "Paul"),
    ):
        user = User.objects.create_user(
            email=email,
            first_name=first_name,
            last_name="Grandvillois",
            email_verified_at=timezone.now(),
        )
        # Hashed as production does: the test settings' fast hasher is unknown to the hosts.
        hasher = Argon2PasswordHasher()
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
        Membership.objects.create(
            user=user,
            community=community,
            address="3 place de la Mairie",
            status=MembershipStatus.VERIFIED,
        )
        residents.append(user)
    return community, *residents


# --- A member's browser -----------------------------------------------------------------------


class Browser:
    """A member's browser, talking to one host by its address with the commune's name."""

    def __init__(self, cluster: Cluster, host: str):
        self.cluster, self.host = cluster, host
        self.session = requests.Session()
        self.session.headers["Host"] = HOSTNAME

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.session.get(self.cluster.url(self.host, path), timeout=30, **kwargs)

    def post_form(self, path: str, data: dict) -> requests.Response:
        self.get(path).raise_for_status()  # the form, and its CSRF cookie
        token = self.session.cookies["csrftoken"]
        return self.session.post(
            self.cluster.url(self.host, path),
            data={"csrfmiddlewaretoken": token, **data},
            timeout=30,
        )

    def sign_in(self, user: User) -> None:
        response = self.post_form("/accounts/login/", {"login": user.email, "password": PASSWORD})
        assert response.ok, response.status_code
        assert "sessionid" in self.session.cookies, f"not signed in, at {response.url}"


# --- What the logs say ------------------------------------------------------------------------


def _times(lines: list[str], marker: str) -> list[float]:
    """When the lines with ``marker`` were logged (the hosts log in this process's time zone,
    which they inherit, as Django sets it from the same settings)."""
    return [
        datetime.strptime(found[1], "%Y-%m-%d %H:%M:%S,%f").timestamp()
        for line in lines
        if marker in line and (found := LOG_TIME.match(line))
    ]


def _sweeps_sent(worker: Worker) -> list[float]:
    """When this host's beat sent the sweep (celery's log line for each task it sends)."""
    return _times(worker.output().splitlines(), SWEEP_SENT)


def _leads(worker: Worker) -> bool:
    return BEAT_LEADS in worker.output()


def _settled() -> bool:
    return not Delivery.objects.filter(
        status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
    ).exists()


# --- The test ---------------------------------------------------------------------------------


def test_two_web_hosts_and_two_worker_hosts_on_one_database_and_one_redis(
    cluster, town, provider, broker
):
    community, jeanne, paul = town
    collect = cluster.static_collect()
    worker1 = cluster.worker("worker1")
    wait_for(lambda: _leads(worker1), seconds=30, what="worker1's beat to lead", every=0.1)
    # A second beat, started on another machine while the first runs: it must wait.
    worker2 = cluster.worker("worker2", wait=False)
    _, errors = collect.communicate(timeout=180)
    assert collect.returncode == 0, errors.decode(errors="replace")
    cluster.web("web1")
    cluster.web("web2")
    worker2.wait_ready()
    cluster.web_wait("web1")
    cluster.web_wait("web2")
    both_running = time.time()

    # 1. Posted on web1, seen on web2 at once.
    paul_on_web2 = Browser(cluster, "web2")
    paul_on_web2.sign_in(paul)
    text = (
        f"Camionnette blanche qui tourne au pas dans le lotissement (réf. {secrets.token_hex(3)})"
    )
    before = paul_on_web2.get("/alertes/")
    assert before.status_code == 200
    assert text not in before.text

    jeanne_on_web1 = Browser(cluster, "web1")
    jeanne_on_web1.sign_in(jeanne)
    posted = jeanne_on_web1.post_form(
        "/alertes/nouvelle/",
        {"category": AlertCategory.SCOUTING, "text": text, "identifying_details": ""},
    )
    assert posted.status_code == 200, posted.status_code
    alert = Alert.objects.get()
    assert (alert.author, alert.community, alert.text) == (jeanne, community, text)
    assert posted.url.endswith(f"/alertes/{alert.pk}/")

    listed = paul_on_web2.get("/alertes/")
    detail = paul_on_web2.get(f"/alertes/{alert.pk}/")
    assert text in listed.text
    assert detail.status_code == 200
    assert text in detail.text
    # Jeanne's session, opened on web1, is good on web2: the sessions are shared too.
    jeanne_cookies = jeanne_on_web1.session.cookies.get_dict()
    on_web2 = requests.get(
        cluster.url("web2", f"/alertes/{alert.pk}/"),
        headers={"Host": HOSTNAME},
        cookies=jeanne_cookies,
        allow_redirects=False,
        timeout=30,
    )
    assert on_web2.status_code == 200
    assert text in on_web2.text

    # 2. Both worker hosts send the fan-out.
    address = cluster.network.addresses

    def sent_from(host: str) -> int:
        return sum(1 for r in provider.message_requests() if r.client_address == address[host])

    wait_for(lambda: sent_from("worker1") >= 40, seconds=60, what="worker1 to send", every=0.01)

    # 3. worker1, whose beat leads, is cut off in the middle of a batch.
    worker1_token = broker.get(BEAT_LOCK_KEY)
    assert worker1_token is not None
    cut_at = time.time()
    cluster.cut("worker1")
    at_cut = len(provider.messages)
    assert at_cut < MEMBERS / 2, f"{at_cut} SMS already sent: the cut came too late"
    wait_for(
        lambda: _leads(worker2),
        seconds=BEAT_LOCK_SECONDS * 5,
        what="worker2's beat to take over once worker1 was cut off",
        every=0.1,
    )
    # By now what worker1 had on the wire has arrived: nothing may come after it.
    from_worker1 = sent_from("worker1")

    wait_for(_settled, seconds=SETTLE_SECONDS, what="every delivery to be settled", every=0.5)

    sms = Delivery.objects.filter(channel=Channel.SMS)
    phones = {str(phone) for phone in sms.values_list("user__phone", flat=True)}
    assert len(phones) == sms.count() == MEMBERS
    received = provider.messages_to()
    assert set(received) == phones, f"{len(phones - set(received))} members got no SMS"
    assert {phone for phone, count in received.items() if count > 1} == set()
    assert Counter(sms.values_list("status", flat=True)) == {DeliveryStatus.SENT: MEMBERS}
    assert set(sms.values_list("provider_message_id", flat=True)) == set(provider.messages)

    senders = Counter(r.client_address for r in provider.message_requests() if r.sid)
    assert set(senders) == {address["worker1"], address["worker2"]}, senders
    assert sent_from("worker1") == from_worker1
    # The rows worker1 left behind were the sweep's, on worker2: it took up some.
    taken_up = [int(n) for n in SWEEP_DONE.findall(worker2.output())]
    assert any(taken_up), "worker2's sweep took up nothing that worker1 left"

    # 4. One beat at a time: the lock names worker2's beat now, renewed as it ticks.
    assert broker.get(BEAT_LOCK_KEY) not in (None, worker1_token)
    assert 0 < broker.pttl(BEAT_LOCK_KEY) <= BEAT_LOCK_SECONDS * 1000
    by_worker1, by_worker2 = _sweeps_sent(worker1), _sweeps_sent(worker2)
    assert by_worker1
    assert by_worker2
    # worker2's beat sent nothing while worker1's led: its first sweep came after the cut.
    assert min(by_worker2) > cut_at
    assert max(by_worker1) < min(by_worker2)
    # At most one sweep a second across both hosts: two beats would send two.
    running = max(by_worker2) - both_running
    sent_while_both = [t for t in by_worker1 + by_worker2 if t >= both_running]
    assert len(sent_while_both) <= running / SWEEP_EVERY + 2, (len(sent_while_both), running)
