"""Provider errors and lost outcomes: transient errors are retried with back-off, permanent
ones never; an SMS whose fate is unknown is looked up at the provider before any resend, so
nobody receives an alert twice and nobody is left without it."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post
from notifications.channels.sms import sms_validity_seconds
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.pacing import sms_slot_delay
from notifications.reconciliation import deliveries_reconcile
from notifications.sending import MAX_ATTEMPTS
from notifications.tasks import deliveries_recover, retry_delay

pytestmark = pytest.mark.django_db

JEANNE = "+33611223344"
PAUL = "+33611223355"
LUCIE = "+33611223366"


@pytest.fixture
def street(make_member, centre_bourg, jeanne_resident, settings):
    """Jeanne posts; Paul and Lucie, her neighbours, receive SMS (no e-mail address)."""
    settings.ALERT_RETRY_BASE_SECONDS = 0.01
    settings.ALERT_RECONCILE_AFTER = 0
    paul = make_member("paul@c.test", centre_bourg, first_name="Paul", last_name="D", phone=PAUL)
    lucie = make_member(
        "lucie@c.test", centre_bourg, first_name="Lucie", last_name="M", phone=LUCIE
    )
    return {"jeanne": jeanne_resident, "paul": paul, "lucie": lucie}


@pytest.fixture
def post(street, django_capture_on_commit_callbacks):
    def post_alert(text="Camionnette blanche qui tourne lentement rue des Vignes."):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=street["jeanne"], category=AlertCategory.SCOUTING, text=text)

    return post_alert


def sms_row(phone):
    return Delivery.objects.get(channel=Channel.SMS, user__phone=phone)


def test_a_provider_outage_is_retried_until_the_sms_leaves(post, fake_twilio):
    fake_twilio.failures_before_success = {PAUL: 2}

    post()

    attempts_for_paul = [r for r in fake_twilio.message_requests() if r.params["To"] == PAUL]
    assert [r.status for r in attempts_for_paul] == [500, 500, 201]
    assert fake_twilio.messages_to() == {PAUL: 1, LUCIE: 1}
    paul = sms_row(PAUL)
    assert paul.status == DeliveryStatus.SENT
    assert paul.attempts == 3
    assert paul.provider_message_id == attempts_for_paul[-1].sid


def test_an_unsubscribed_number_fails_at_once_and_is_never_retried(post, fake_twilio):
    fake_twilio.errors_by_number = {PAUL: 21610}

    post()
    Delivery.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    deliveries_recover()

    assert len([r for r in fake_twilio.message_requests() if r.params["To"] == PAUL]) == 1
    paul = sms_row(PAUL)
    assert paul.status == DeliveryStatus.FAILED
    assert paul.permanent_failure is True
    assert paul.error_code == "21610"
    assert sms_row(LUCIE).status == DeliveryStatus.SENT


@pytest.mark.parametrize("code", [21211, 21614])
def test_an_invalid_or_landline_number_is_not_retried(post, fake_twilio, code):
    fake_twilio.errors_by_number = {LUCIE: code}

    post()

    assert len([r for r in fake_twilio.message_requests() if r.params["To"] == LUCIE]) == 1
    assert sms_row(LUCIE).status == DeliveryStatus.FAILED
    assert sms_row(LUCIE).permanent_failure is True


def test_a_provider_that_keeps_failing_gives_up_after_the_last_attempt(post, fake_twilio):
    fake_twilio.failure_ratio = 1.0

    post()

    assert len([r for r in fake_twilio.message_requests() if r.params["To"] == PAUL]) == (
        MAX_ATTEMPTS
    )
    paul = sms_row(PAUL)
    assert (paul.status, paul.attempts, paul.permanent_failure) == (
        DeliveryStatus.FAILED,
        MAX_ATTEMPTS,
        False,
    )
    assert paul.error_code == "20500"
    assert fake_twilio.messages_to() == {}


def test_a_timed_out_request_the_provider_accepted_is_recorded_not_resent(
    post, fake_twilio, settings
):
    settings.TWILIO_HTTP_TIMEOUT = 0.3
    fake_twilio.timeout_ratio = 1.0
    fake_twilio.hang_seconds = 1.0

    post()

    # Each neighbour's message was created once; the client gave up waiting, then found it.
    assert fake_twilio.messages_to() == {PAUL: 1, LUCIE: 1}
    assert len(fake_twilio.message_requests()) == 2
    for phone in (PAUL, LUCIE):
        row = sms_row(phone)
        assert row.status == DeliveryStatus.SENT
        [sid] = [s for s, m in fake_twilio.messages.items() if m["to"] == phone]
        assert row.provider_message_id == sid


def _left_sending_by_a_dead_worker(row):
    Delivery.objects.filter(pk=row.pk).update(
        status=DeliveryStatus.SENDING,
        claim=uuid.uuid4(),
        attempts=1,
        updated_at=timezone.now() - timedelta(minutes=30),
    )


def test_sweep_finds_at_the_provider_what_a_killed_worker_sent_and_sends_the_rest(
    street, fake_twilio, centre_bourg, settings
):
    from notifications.fanout import deliveries_write
    from notifications.sms.backends import TwilioSmsBackend

    alert = alert_post(
        author=street["jeanne"], category=AlertCategory.BURGLARY, text="Volets forcés au 3."
    )
    message = AlertMessage.objects.get(alert=alert)
    deliveries_write(message=message)
    paul, lucie = sms_row(PAUL), sms_row(LUCIE)
    # The worker handed Paul's SMS to the provider, then died before writing it down;
    # it died before Lucie's.
    from notifications.channels.sms import SmsToSend

    TwilioSmsBackend().send(SmsToSend(pk=paul.pk, to=PAUL, body=message.text, sender=""))
    _left_sending_by_a_dead_worker(paul)
    _left_sending_by_a_dead_worker(lucie)

    deliveries_recover()

    assert fake_twilio.messages_to() == {PAUL: 1, LUCIE: 1}
    assert sms_row(PAUL).status == sms_row(LUCIE).status == DeliveryStatus.SENT
    assert sms_row(PAUL).provider_message_id in fake_twilio.messages


def test_a_worker_still_busy_is_left_alone_by_the_sweep(street, fake_twilio, settings):
    from notifications.fanout import deliveries_write

    settings.ALERT_SWEEP_SENDING_AFTER = 600
    alert = alert_post(author=street["jeanne"], category=AlertCategory.OTHER, text="Chien perdu.")
    deliveries_write(message=AlertMessage.objects.get(alert=alert))
    Delivery.objects.filter(channel=Channel.SMS).update(
        status=DeliveryStatus.SENDING,
        claim=uuid.uuid4(),
        updated_at=timezone.now() - timedelta(seconds=30),
    )

    deliveries_recover()
    outcome = deliveries_reconcile(ids=list(Delivery.objects.values_list("pk", flat=True)))

    assert outcome.sent == outcome.requeued == []
    assert fake_twilio.requests == []
    assert set(Delivery.objects.filter(channel=Channel.SMS).values_list("status", flat=True)) == {
        DeliveryStatus.SENDING
    }


def test_an_unreachable_provider_leaves_the_outcome_unknown(street, fake_twilio, settings):
    from notifications.fanout import deliveries_write

    alert = alert_post(author=street["jeanne"], category=AlertCategory.OTHER, text="Chat perdu.")
    deliveries_write(message=AlertMessage.objects.get(alert=alert))
    paul = sms_row(PAUL)
    Delivery.objects.filter(pk=paul.pk).update(status=DeliveryStatus.SENDING, attempts=1)
    fake_twilio.stop()

    outcome = deliveries_reconcile(ids=[paul.pk])

    assert outcome.unresolved == [paul.pk]
    paul.refresh_from_db()
    assert (paul.status, paul.claim) == (DeliveryStatus.SENDING, None)


def test_the_sweep_thresholds_are_settings(street, fake_twilio, settings):
    from notifications.fanout import deliveries_write

    settings.ALERT_SWEEP_QUEUED_AFTER = 3
    alert = alert_post(author=street["jeanne"], category=AlertCategory.OTHER, text="Vélo volé.")
    deliveries_write(message=AlertMessage.objects.get(alert=alert))
    Delivery.objects.update(updated_at=timezone.now() - timedelta(seconds=2))
    assert deliveries_recover() == 0

    Delivery.objects.update(updated_at=timezone.now() - timedelta(seconds=4))
    assert deliveries_recover() == Delivery.objects.count()
    assert fake_twilio.messages_to() == {PAUL: 1, LUCIE: 1}


def test_retry_delays_grow_exponentially_with_jitter(settings):
    settings.ALERT_RETRY_BASE_SECONDS = 2
    settings.ALERT_RETRY_MAX_SECONDS = 60
    for attempts, nominal in [(1, 2), (2, 4), (3, 8), (4, 16), (10, 60)]:
        delays = {retry_delay(attempts=attempts) for _ in range(50)}
        assert all(nominal * 0.5 <= d <= nominal * 1.5 for d in delays)
        assert len(delays) > 1  # jittered: retries of one outage do not land together


def test_sms_live_as_long_as_the_alert_is_useful(post, fake_twilio):
    now = timezone.now()
    assert sms_validity_seconds(expires_at=now + timedelta(minutes=10), now=now) == 600
    assert sms_validity_seconds(expires_at=now + timedelta(hours=24), now=now) == 7200
    assert sms_validity_seconds(expires_at=now + timedelta(seconds=5), now=now) == 60

    alert = post()
    alert.refresh_from_db()

    validity = {int(r.params["ValidityPeriod"]) for r in fake_twilio.message_requests()}
    assert validity == {7200}  # a 24-hour alert: the 2-hour ceiling


def test_sms_of_an_alert_about_to_expire_carry_its_remaining_life(post, fake_twilio):
    from alerts.models import Alert, AlertMessage

    alert = post()
    # The outbox reads the expiry its messages were given from the alert when written.
    soon = timezone.now() + timedelta(minutes=15)
    Alert.objects.filter(pk=alert.pk).update(expires_at=soon)
    AlertMessage.objects.filter(alert=alert).update(expires_at=soon)
    Delivery.objects.filter(channel=Channel.SMS).update(status=DeliveryStatus.QUEUED)
    fake_twilio.reset()

    from notifications.sending import deliveries_send

    deliveries_send(ids=list(Delivery.objects.values_list("pk", flat=True)))

    validity = {int(r.params["ValidityPeriod"]) for r in fake_twilio.message_requests()}
    assert len(validity) == 1
    assert 890 <= validity.pop() <= 900


def test_sms_batches_are_booked_on_one_pace_for_every_sender(settings):
    settings.SMS_RATE_PER_SECOND = 10
    now = 1_800_000_000.0

    first = sms_slot_delay(count=200, now=now)
    second = sms_slot_delay(count=200, now=now)
    retry = sms_slot_delay(count=5, now=now + 1)

    assert (first, second) == (0, 20)  # 200 SMS at 10/s take 20 s
    assert retry == 39  # a retry waits behind what is booked, not in front of it
    # Once the schedule is behind, it restarts from now.
    assert sms_slot_delay(count=10, now=now + 3600) == 0
