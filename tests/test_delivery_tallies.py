"""The outbox's tallies say what a direct count of the deliveries says: after a burst of
alerts, their outcomes (delivered, failed, a fall-back), and a provider's late report on a
message already settled. The SMS budget stays exact between two counts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.sms_budget import sms_spend
from notifications.email_bounces import delivery_email_undeliverable
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    DeliveryTally,
    MessageTally,
    OutboxMessage,
)
from notifications.status_callbacks import delivery_status_callback
from notifications.tallies import SETTLE_AFTER, tallies_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05

    def do(author, text="Voiture grise au pas devant les maisons."):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(author=author, category=AlertCategory.SCOUTING, text=text)

    return do


def _direct_counts() -> dict:
    """Per (message, channel): delivered, failed, pending, counted on the deliveries."""
    return {
        (row["message_id"], row["channel"]): (row["delivered"], row["failed"], row["pending"])
        for row in Delivery.objects.values("message_id", "channel")
        .annotate(
            delivered=Count(
                "pk", filter=Q(status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED])
            ),
            failed=Count("pk", filter=Q(status=DeliveryStatus.FAILED)),
            pending=Count(
                "pk", filter=Q(status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING])
            ),
        )
        .order_by()
    }


def _tallied_counts() -> dict:
    totals: dict = {}
    for tally in DeliveryTally.objects.all():
        key = (tally.message_id, tally.channel)
        delivered, failed, pending = totals.get(key, (0, 0, 0))
        totals[key] = (delivered + tally.delivered, failed + tally.failed, pending + tally.pending)
    return totals


def _direct_unreached() -> dict:
    reached = (
        Delivery.objects.values("message_id", "user_id")
        .annotate(reached=Count("pk", filter=~Q(status=DeliveryStatus.FAILED)))
        .filter(reached=0)
        .order_by()
    )
    counts: dict = {}
    for row in reached:
        counts[row["message_id"]] = counts.get(row["message_id"], 0) + 1
    return counts


def _tallied_unreached() -> dict:
    return dict(MessageTally.objects.filter(unreached__gt=0).values_list("message_id", "unreached"))


def _sms_of(user, message_id):
    return Delivery.objects.get(user=user, message_id=message_id, channel=Channel.SMS)


def test_tallies_match_a_direct_count_after_a_burst_of_alerts_and_outcomes(
    post, paul_neighbour, jeanne_resident, cadaujac
):
    alerts = [post(paul_neighbour, text=f"Démarcheurs rue {n}.") for n in range(3)]
    assert tallies_refresh() >= 3
    assert _tallied_counts() == _direct_counts()

    messages = [alert.messages.get().pk for alert in alerts]
    # The first SMS arrives, the second fails (Jeanne gets the fall-back by e-mail),
    # the third is never confirmed.
    first, second = (_sms_of(jeanne_resident, pk) for pk in messages[:2])
    delivery_status_callback(
        provider_message_id=first.provider_message_id, status="delivered", error_code=""
    )
    delivery_status_callback(
        provider_message_id=second.provider_message_id, status="undelivered", error_code="30003"
    )
    tallies_refresh()
    assert _tallied_counts() == _direct_counts()
    assert _tallied_unreached() == _direct_unreached()
    sms = DeliveryTally.objects.filter(message_id=messages[1], channel=Channel.SMS).get()
    assert (sms.delivered, sms.failed) == (0, 1)


def test_a_late_status_callback_reopens_a_settled_tally(
    post, paul_neighbour, jeanne_resident, cadaujac
):
    alert = post(paul_neighbour)
    message = alert.messages.get()
    later = timezone.now() + SETTLE_AFTER + timedelta(minutes=1)
    tallies_refresh(now=later)
    assert MessageTally.objects.get(message=message).settled
    spent = sms_spend(commune=cadaujac)

    # A day later, Twilio reports Jeanne's SMS undelivered: e-mail falls back.
    sms = _sms_of(jeanne_resident, message.pk)
    delivery_status_callback(
        provider_message_id=sms.provider_message_id, status="failed", error_code="30005"
    )
    assert not MessageTally.objects.get(message=message).settled
    tallies_refresh(now=later)

    assert _tallied_counts() == _direct_counts()
    assert DeliveryTally.objects.get(message=message, channel=Channel.SMS).failed == 1
    # What the SMS cost when it left does not change with its outcome.
    assert sms_spend(commune=cadaujac) == spent


def test_a_settled_tally_is_never_counted_again(post, paul_neighbour, jeanne_resident):
    alert = post(paul_neighbour)
    later = timezone.now() + SETTLE_AFTER + timedelta(minutes=1)
    assert tallies_refresh(now=later) == 1
    assert tallies_refresh(now=later) == 0
    assert MessageTally.objects.get(message=alert.messages.get()).settled


def test_the_sms_budget_counts_an_sms_that_left_since_the_last_count(
    post, paul_neighbour, jeanne_resident, cadaujac
):
    tallies_refresh()
    before = sms_spend(commune=cadaujac)
    post(paul_neighbour)  # no count of the tallies since: the budget must see it at once

    spent = sms_spend(commune=cadaujac)
    sms = Delivery.objects.filter(channel=Channel.SMS, sent_at__isnull=False)
    segments = sum(d.segments for d in sms)
    assert spent.sms == before.sms + sms.count() == 1
    assert spent.cost == (segments * Decimal("0.05")).quantize(Decimal("0.01"))

    # Settled or not, the same spend.
    tallies_refresh(now=timezone.now() + SETTLE_AFTER + timedelta(minutes=1))
    assert MessageTally.objects.filter(settled=True).exists()
    assert sms_spend(commune=cadaujac) == spent


def test_a_message_not_fanned_out_stays_open(cadaujac):
    message = OutboxMessage.objects.create(purpose="notice", text="Bonjour", payer=cadaujac)
    tallies_refresh(now=timezone.now() + timedelta(days=2))
    assert not MessageTally.objects.get(message=message).settled


def test_a_bounce_after_settling_reopens_the_tally(post, paul_neighbour, jeanne_resident):
    alert = post(paul_neighbour)
    message = alert.messages.get()
    email = Delivery.objects.get(user=jeanne_resident, message=message, channel=Channel.EMAIL)
    Delivery.objects.filter(pk=email.pk).update(provider_message_id="<bounce-1@esp.test>")
    later = timezone.now() + SETTLE_AFTER + timedelta(minutes=1)
    tallies_refresh(now=later)
    assert MessageTally.objects.get(message=message).settled

    assert delivery_email_undeliverable(message_id="<bounce-1@esp.test>", reason="bounced") == 1
    assert not MessageTally.objects.get(message=message).settled
    tallies_refresh(now=later)

    assert _tallied_counts() == _direct_counts()
    assert DeliveryTally.objects.get(message=message, channel=Channel.EMAIL).failed == 1
