"""A village's alert is not held behind a town's broadcast on the workers.

A real Celery worker (two processes, ``-Q alerts,default``), Redis as broker and the fake
Twilio with latency: Grandville's broadcast to a few thousand members is being sent when a
resident of Petit-Bourg, a village of its own, posts an alert. Every SMS of the village's
alert reaches the provider while most of the broadcast's are still to come — counted at the
provider, not timed, so a loaded machine does not change the verdict — and both end with
each member having received exactly one SMS.

Needs PostgreSQL (``DATABASE_URL``) and Redis (``REDIS_URL``); the worker, the broker and
the provider are those of ``tests/test_alert_delivery_faults.py``.
"""

import time

import pytest

from accounts.models import User
from alerts.models import AlertCategory
from alerts.services import alert_post, broadcast_post
from communities.models import Membership, MembershipStatus, StaffRole
from communities.services import commune_create, staff_role_grant
from demo.scale import members_seed
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage
from notifications.notices import notice_send
from tests import test_alert_delivery_faults as faults

TOWN_MEMBERS = 3000
VILLAGE_MEMBERS = 50
SECONDS = 90

pytestmark = faults.pytestmark
# The worker's fixtures, shared with the fault tests.
broker = faults.broker
provider = faults.provider
start_worker = faults.start_worker


@pytest.fixture
def town(transactional_db):
    commune = commune_create(
        name="Grandville", insee_code="33999", hostname="grandville.localhost"
    ).commune
    members_seed(commune=commune, members=TOWN_MEMBERS, communities=3)
    mayor = User.objects.create_user(
        email="maire@grandville.test", password="x" * 16, first_name="Maire", last_name="G"
    )
    staff_role_grant(user=mayor, commune=commune, role=StaffRole.BROADCASTER)
    return commune, mayor


@pytest.fixture
def village_resident(transactional_db):
    """A verified resident of Petit-Bourg, a village of VILLAGE_MEMBERS members."""
    village = commune_create(
        name="Petit-Bourg", insee_code="33998", hostname="petit-bourg.localhost"
    ).commune
    members_seed(commune=village, members=VILLAGE_MEMBERS, communities=1)
    return (
        Membership.objects.filter(community__commune=village, status=MembershipStatus.VERIFIED)
        .select_related("user")
        .order_by("pk")
        .first()
        .user
    )


def _wait_for(condition, *, what: str) -> None:
    deadline = time.monotonic() + SECONDS
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def _fanned_out_sms(message) -> set[str]:
    """The phone numbers a message's SMS go to, once its fan-out has written them."""
    _wait_for(
        OutboxMessage.objects.filter(pk=message.pk, fanned_out_at__isnull=False).exists,
        what="the fan-out",
    )
    sms = Delivery.objects.filter(message=message, channel=Channel.SMS)
    return {str(phone) for phone in sms.values_list("user__phone", flat=True)}


def test_a_village_alert_reaches_its_members_while_a_town_broadcast_is_still_sending(
    town, village_resident, start_worker, provider
):
    commune, mayor = town
    start_worker()
    broadcast = broadcast_post(
        author=mayor,
        commune=commune,
        category=AlertCategory.WEATHER,
        text="Vigilance orange orages cette nuit : rentrez le mobilier de jardin.",
    )
    town_phones = _fanned_out_sms(broadcast.messages.get())
    assert len(town_phones) == TOWN_MEMBERS
    _wait_for(lambda: len(provider.messages) >= 150, what="the broadcast's SMS to be under way")

    alert = alert_post(
        author=village_resident,
        category=AlertCategory.SCOUTING,
        text="Deux individus relèvent les plaques des boîtes aux lettres, rue de l'Église.",
    )
    village_phones = _fanned_out_sms(alert.messages.get())
    assert len(village_phones) == VILLAGE_MEMBERS - 1  # everyone but its author
    _wait_for(lambda: village_phones <= set(provider.messages_to()), what="the village's SMS")

    # Counted at the provider when the village's last SMS arrived: most of the town's
    # broadcast was still to come (in a queue where the village waited its turn, at most
    # the batches the two processes were sending, 400 SMS).
    town_received = set(provider.messages_to()) & town_phones
    assert len(town_phones - town_received) >= TOWN_MEMBERS // 3
    # The broadcast then ends as it would have: each member of both, one SMS.
    _wait_for(lambda: town_phones <= set(provider.messages_to()), what="the broadcast's SMS")
    _wait_for(
        lambda: (
            not Delivery.objects.filter(
                status__in=[DeliveryStatus.QUEUED, DeliveryStatus.SENDING]
            ).exists()
        ),
        what="every outcome",
    )
    assert set(provider.messages_to().values()) == {1}
    assert set(provider.messages_to()) == town_phones | village_phones


NOTICES = 300


def _notices_flood(readers) -> None:
    """One ordinary "new message" notice by e-mail to each of ``readers``."""
    for reader in readers:
        notice_send(
            user=reader,
            kind="message",
            subject="Nouveau message de la mairie",
            text="Vous avez un nouveau message dans votre messagerie.",
            channels=[Channel.EMAIL],
        )


def test_a_flood_of_notices_does_not_hold_an_alert_back(town, start_worker, provider):
    """300 notices ("you have a new message"), each its own little fan-out, are waiting
    when the mairie alerts the town: the alert's SMS go first, the notices after."""
    commune, mayor = town
    readers = list(
        User.objects.filter(memberships__community__commune=commune)
        .exclude(email=None)
        .order_by("pk")[:NOTICES]
    )
    assert len(readers) == NOTICES
    _notices_flood(readers)
    notices = Delivery.objects.filter(message__purpose="notice")
    start_worker()
    broadcast = broadcast_post(
        author=mayor,
        commune=commune,
        category=AlertCategory.WEATHER,
        text="Vigilance rouge crues : ne stationnez pas en bord de Garonne.",
    )
    town_phones = _fanned_out_sms(broadcast.messages.get())
    _wait_for(lambda: town_phones <= set(provider.messages_to()), what="the broadcast's SMS")

    # When the alert's last SMS reached the provider, most notices were still to go.
    sent = notices.filter(status=DeliveryStatus.SENT).count()
    assert sent <= NOTICES // 2
    _wait_for(
        lambda: notices.filter(status=DeliveryStatus.SENT).count() == NOTICES,
        what="every notice",
    )
    assert set(provider.messages_to().values()) == {1}


def test_an_urgent_notice_does_not_wait_behind_a_flood_of_notices(town, start_worker, provider):
    """A moderator's urgent notice (an alert waiting for them), written after 300 ordinary
    notices, reaches their phone while most of those are still to go."""
    commune, _mayor = town
    members = User.objects.filter(memberships__community__commune=commune).order_by("pk")
    readers = list(members.exclude(email=None)[:NOTICES])
    moderator = members.filter(email=None).exclude(phone=None).first()
    _notices_flood(readers)
    notice_send(
        user=moderator,
        kind="alert_held",
        subject="Alerte à valider",
        text="Une alerte attend votre validation.",
        channels=[Channel.SMS],
        urgent=True,
    )
    notices = Delivery.objects.filter(message__purpose="notice", channel=Channel.EMAIL)
    start_worker()
    _wait_for(lambda: str(moderator.phone) in provider.messages_to(), what="the urgent SMS")

    assert notices.filter(status=DeliveryStatus.SENT).count() <= NOTICES // 2
    _wait_for(
        lambda: notices.filter(status=DeliveryStatus.SENT).count() == NOTICES,
        what="every notice",
    )
