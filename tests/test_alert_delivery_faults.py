"""Faults during a commune-wide alert, with a real Celery worker, Redis and the fake Twilio.

Each test broadcasts to a commune of a few thousand synthetic members, breaks something in
the middle of the fan-out — the broker loses every queued task, the worker is killed with
SIGKILL, the provider fails 30 % of its calls and times out others — then lets the sweep
(``notifications.tasks.deliveries_recover``, run by the worker) recover. What the recipients got is
counted at the provider: exactly one SMS per member, and every delivery row says sent. One
more posts a resident's alert through the web form while the broker does not answer at all:
the post succeeds, and once the broker is back the sweep fans it out. The mairie's targeted
messages go through the same outbox: the same three faults during an official message to
as many members, all taking part by SMS alone, end the same way.

Needs PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``), as CI has: the worker is a
separate process on the test database, which SQLite's test database in memory cannot be.
"""

import os
import time
import uuid
from collections import Counter

import pytest
import redis
from django.db import connection, transaction

from accounts.models import User
from alerts.models import Alert, AlertCategory, AlertMessage
from alerts.services import broadcast_post
from communities.models import Membership, MembershipStatus, StaffRole
from communities.services import commune_create, staff_role_grant
from demo.scale import members_seed
from messaging.models import OfficialTarget
from messaging.official import official_send
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage
from notifications.tasks import deliveries_recover
from portal.celery import app
from tests.celery_workers import Worker, backends_missing, broker_url, wait_for
from tests.fakes.twilio_server import FakeTwilioServer, new_sid

MEMBERS = 2000
CONVERGE_SECONDS = 45


pytestmark = [
    # The worker must see committed rows; the flush after each test removes the rows of
    # migrations (Wagtail's root page and locale), which serialized_rollback puts back.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(backends_missing() is not None, reason=str(backends_missing())),
]


def _forget_connections():
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def broker():
    """This process publishes to the test's own Redis database, emptied before and after."""
    url = broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url")}
    app.conf.update(task_always_eager=False, broker_url=url)
    _forget_connections()
    try:
        yield client
    finally:
        app.conf.update(**saved)
        _forget_connections()
        client.flushdb()


@pytest.fixture
def provider():
    server = FakeTwilioServer(latency=0.03, hang_seconds=1.5, seed=4).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def start_worker(provider, broker, transactional_db, tmp_path):
    """Start (and restart) real workers on the test database; all stopped at the end."""
    database = connection.settings_dict
    database_url = (
        f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@"
        f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_SETTINGS_MODULE", "CELERY_BROKER_URL", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DEBUG="false",
        SECRET_KEY="fault-tests-" + uuid.uuid4().hex,
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=database_url,
        REDIS_URL=broker_url(),
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        SMS_BACKEND="twilio",
        TWILIO_API_BASE_URL=provider.base_url,
        TWILIO_ACCOUNT_SID=provider.account_sid,
        TWILIO_AUTH_TOKEN=provider.auth_token,
        TWILIO_MESSAGING_SERVICE_SID=new_sid("MG"),
        TWILIO_FROM_NUMBER="",
        TWILIO_HTTP_TIMEOUT="0.5",
        PUBLIC_BASE_URL="",
        SMS_RATE_PER_SECOND="0",
        ALERT_SWEEP_QUEUED_AFTER="2",
        ALERT_SWEEP_SENDING_AFTER="3",
        ALERT_SWEEP_FANOUT_AFTER="1",
        ALERT_RETRY_BASE_SECONDS="0.2",
        ALERT_RETRY_MAX_SECONDS="2",
        ALERT_RECONCILE_AFTER="0.5",
        ALERT_SEND_MAX_ATTEMPTS="10",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    workers: list[Worker] = []

    def start() -> Worker:
        worker = Worker(env, tmp_path / "worker.log")
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


@pytest.fixture
def town(transactional_db):
    """A commune of MEMBERS synthetic members in three communities, and its broadcaster."""
    commune = commune_create(
        name="Grandville", insee_code="33999", hostname="grandville.localhost"
    ).commune
    members_seed(commune=commune, members=MEMBERS, communities=3)
    mayor = User.objects.create_user(
        email="maire@grandville.test", password="x" * 16, first_name="Maire", last_name="G"
    )
    staff_role_grant(user=mayor, commune=commune, role=StaffRole.BROADCASTER)
    return commune, mayor


def _broadcast(town):
    commune, mayor = town
    return broadcast_post(
        author=mayor,
        commune=commune,
        category=AlertCategory.WEATHER,
        text="Vigilance orange orages cette nuit : rentrez le mobilier de jardin.",
    )


def _settled() -> bool:
    unsent = Delivery.objects.filter(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
    return not unsent.exists() and not OutboxMessage.objects.filter(fanned_out_at=None).exists()


def _recover_until_settled() -> None:
    """Run the sweep through the worker, as beat would, until no message is left to fan out
    and no row in flight."""
    deadline = time.monotonic() + CONVERGE_SECONDS
    while True:
        time.sleep(1.5)
        if _settled():
            return
        if time.monotonic() > deadline:
            left = Counter(Delivery.objects.values_list("status", flat=True))
            pytest.fail(f"deliveries still in flight after recovery: {dict(left)}")
        deliveries_recover.apply_async()


def _assert_each_member_got_exactly_one_sms(provider) -> None:
    sms = Delivery.objects.filter(channel=Channel.SMS)
    phones = {str(phone) for phone in sms.values_list("user__phone", flat=True)}
    assert len(phones) == MEMBERS
    received = provider.messages_to()
    twice = {phone: count for phone, count in received.items() if count > 1}
    assert twice == {}, f"{len(twice)} members received the alert more than once"
    assert set(received) == phones, f"{len(phones - set(received))} members received nothing"
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT: Delivery.objects.count()}
    # Each row names the very message the member received.
    recorded = set(sms.values_list("provider_message_id", flat=True))
    assert recorded == set(provider.messages)


def test_broker_losing_every_queued_task_mid_fan_out_loses_and_doubles_nothing(
    town, start_worker, provider, broker
):
    start_worker()
    _broadcast(town)
    wait_for(lambda: len(provider.messages) >= 300, seconds=30, what="the fan-out to start")

    broker.flushdb()  # what a Redis restart without persistence does to the queues

    assert len(provider.messages) < MEMBERS, "the fan-out ended before the broker was lost"
    _recover_until_settled()
    _assert_each_member_got_exactly_one_sms(provider)


def test_worker_killed_mid_batch_then_restarted_sends_each_sms_once(town, start_worker, provider):
    worker = start_worker()
    _broadcast(town)
    sending = Delivery.objects.filter(status=DeliveryStatus.SENDING)
    wait_for(
        lambda: len(provider.messages) >= 400 and sending.exists(),
        seconds=30,
        what="a batch half sent",
    )

    worker.kill()
    killed_at = len(provider.messages)
    assert killed_at < MEMBERS, "the fan-out ended before the worker was killed"
    # Almost always some rows were handed to the provider but never written down (the dead
    # worker's); in the rare run where the kill lands between two batches there are none,
    # and exactly-once must hold all the same, so the test does not depend on it.
    start_worker()

    _recover_until_settled()
    _assert_each_member_got_exactly_one_sms(provider)


def test_provider_failing_and_timing_out_during_the_fan_out(town, start_worker, provider):
    provider.failure_ratio = 0.3
    provider.timeout_ratio = 0.1
    start_worker()
    _broadcast(town)
    sms = Delivery.objects.filter(channel=Channel.SMS)
    wait_for(
        lambda: sms.count() == MEMBERS and not sms.filter(attempts=0).exists(),
        seconds=40,
        what="every SMS to be tried once",
    )

    provider.failure_ratio = provider.timeout_ratio = 0  # the provider's incident is over
    _recover_until_settled()

    answers = Counter(request.status for request in provider.message_requests())
    assert answers[500] > 0.2 * MEMBERS  # the incident really happened…
    lookups = [r for r in provider.requests if r.method == "GET"]
    assert lookups  # timed-out requests were looked up at the provider before any resend
    _assert_each_member_got_exactly_one_sms(provider)  # …and nobody noticed twice


def test_an_alert_posted_while_the_broker_is_down_reaches_every_member_once_it_is_back(
    town, start_worker, provider, broker, client
):
    commune, _mayor = town
    author = (
        Membership.objects.filter(community__commune=commune, status=MembershipStatus.VERIFIED)
        .select_related("user", "community")
        .order_by("pk")
        .first()
    )
    client.force_login(author.user)
    app.conf.update(broker_url="redis://127.0.0.1:1/0")  # nothing listens there
    _forget_connections()

    response = client.post(
        "/alertes/nouvelle/",
        {
            "category": AlertCategory.SCOUTING,
            "text": "Camionnette blanche qui tourne au pas dans le lotissement.",
            "identifying_details": "",
        },
        HTTP_HOST="grandville.localhost",
        follow=True,
    )

    assert response.status_code == 200
    alert = Alert.objects.get()
    assert alert.author == author.user
    assert AlertMessage.objects.get(alert=alert).fanned_out_at is None
    assert not Delivery.objects.exists()
    assert provider.messages == {}

    app.conf.update(broker_url=broker_url())  # the broker is back
    _forget_connections()
    start_worker()
    _recover_until_settled()

    sms = Delivery.objects.filter(channel=Channel.SMS)
    neighbours = Membership.objects.filter(
        community=author.community, status=MembershipStatus.VERIFIED
    ).exclude(user=author.user)
    phones = {
        str(p) for p in neighbours.exclude(user__phone=None).values_list("user__phone", flat=True)
    }
    assert len(phones) > 500
    assert {str(p) for p in sms.values_list("user__phone", flat=True)} == phones
    assert provider.messages_to() == dict.fromkeys(phones, 1)
    statuses = Counter(Delivery.objects.values_list("status", flat=True))
    assert statuses == {DeliveryStatus.SENT: Delivery.objects.count()}


# --- The mairie's targeted message, through the same outbox ---------------------------------


@pytest.fixture
def town_by_sms(town):
    """The same town, every member taking part by SMS alone (no e-mail, no password)."""
    commune, mayor = town
    members = Membership.objects.filter(community__commune=commune).values("user")
    User.objects.filter(pk__in=members).update(email=None)
    return commune, mayor


def _official_message(town):
    commune, mayor = town
    with transaction.atomic():  # the fan-out is published when this commits
        send = official_send(
            author=mayor,
            commune=commune,
            target=OfficialTarget.COMMUNE,
            subject="Eau",
            text="Coupure d'eau demain de 9 h à 12 h dans toute la commune.",
            replies_allowed=False,
        )
        # Written in the quiet hours, the SMS would wait for 8 h: these tests send them.
        OutboxMessage.objects.filter(pk=send.outbox_message_id).update(not_before=None)
    assert send.reach["sms"] == MEMBERS
    return send


def test_official_message_broker_losing_every_queued_task_loses_and_doubles_nothing(
    town_by_sms, start_worker, provider, broker
):
    start_worker()
    _official_message(town_by_sms)
    wait_for(lambda: len(provider.messages) >= 300, seconds=30, what="the fan-out to start")

    broker.flushdb()

    assert len(provider.messages) < MEMBERS, "the fan-out ended before the broker was lost"
    _recover_until_settled()
    _assert_each_member_got_exactly_one_sms(provider)


def test_official_message_worker_killed_mid_batch_then_restarted_sends_each_sms_once(
    town_by_sms, start_worker, provider
):
    worker = start_worker()
    _official_message(town_by_sms)
    sending = Delivery.objects.filter(status=DeliveryStatus.SENDING)
    wait_for(
        lambda: len(provider.messages) >= 400 and sending.exists(),
        seconds=30,
        what="a batch half sent",
    )

    worker.kill()
    assert len(provider.messages) < MEMBERS, "the fan-out ended before the worker was killed"
    start_worker()

    _recover_until_settled()
    _assert_each_member_got_exactly_one_sms(provider)


def test_official_message_with_the_provider_failing_and_timing_out(
    town_by_sms, start_worker, provider
):
    provider.failure_ratio = 0.3
    provider.timeout_ratio = 0.1
    start_worker()
    _official_message(town_by_sms)
    sms = Delivery.objects.filter(channel=Channel.SMS)
    wait_for(
        lambda: sms.count() == MEMBERS and not sms.filter(attempts=0).exists(),
        seconds=40,
        what="every SMS to be tried once",
    )

    provider.failure_ratio = provider.timeout_ratio = 0
    _recover_until_settled()

    answers = Counter(request.status for request in provider.message_requests())
    assert answers[500] > 0.2 * MEMBERS
    assert [r for r in provider.requests if r.method == "GET"]  # looked up before resending
    _assert_each_member_got_exactly_one_sms(provider)
    # Each SMS is recorded with what it cost when it left.
    assert not sms.filter(segments=None).exists()
    assert not sms.filter(price_per_segment=None).exists()
