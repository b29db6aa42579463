"""An alert reaches every verified member of its community once per channel, plus the
mairie and the police (with identifying details), and nobody else."""

import pytest
from django.core import mail

from accounts.models import Profile
from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import Community, Membership, MembershipStatus, StaffRole
from communities.services import staff_role_grant
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.sending import deliveries_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def neighbourhood(cadaujac, didenheim, centre_bourg, make_user):
    graves = Community.objects.create(commune=cadaujac, name="Les Graves", slug="les-graves")
    village = Community.objects.create(commune=didenheim, name="Village", slug="village")

    def member(email, community, phone, status=MembershipStatus.VERIFIED, **profile):
        user = make_user(email, phone=phone)
        Membership.objects.create(user=user, community=community, address="1 rue", status=status)
        if profile:
            Profile.objects.create(user=user, **profile)
        return user

    people = {
        "alice": member("alice@c.test", centre_bourg, "+33612000001"),
        "bruno": member("bruno@c.test", centre_bourg, "+33612000002"),
        "chloe": member("chloe@c.test", centre_bourg, "+33612000003", alerts_by_email=False),
        "denis": member(
            "denis@c.test", centre_bourg, "+33612000004", sms_opted_out_at="2026-01-01T00:00:00Z"
        ),
        "pending": member(
            "pending@c.test", centre_bourg, "+33612000005", status=MembershipStatus.PENDING
        ),
        "graves": member("graves@c.test", graves, "+33612000006"),
        "village": member("village@d.test", village, "+33612000007"),
    }
    police = make_user("police@c.test", phone="+33612000008")
    staff_role_grant(user=police, commune=cadaujac, role=StaffRole.POLICE)
    people["police"] = police
    # Bruno is also a moderator: one message per channel all the same.
    staff_role_grant(user=people["bruno"], commune=cadaujac, role=StaffRole.MODERATOR)
    other_police = make_user("police@d.test", phone="+33612000009")
    staff_role_grant(user=other_police, commune=didenheim, role=StaffRole.POLICE)
    people["other_police"] = other_police
    return people


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """Post an alert and run what happens after commit (fan-out, sending) as in production."""

    def post_alert(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(**kwargs)

    return post_alert


def recipients(channel):
    return set(Delivery.objects.filter(channel=channel).values_list("user__email", flat=True))


def test_alert_reaches_the_community_and_the_communes_staff_once_per_channel(
    neighbourhood, fake_twilio, post
):
    post(
        author=neighbourhood["alice"],
        category=AlertCategory.SCOUTING,
        text="Camionnette blanche qui tourne lentement rue de la Mairie depuis 14h.",
        identifying_details="AB-123-CD",
    )

    # Alice, the author, gets the acknowledgement rather than a copy of her own alert.
    assert recipients(Channel.SMS) == {"bruno@c.test", "chloe@c.test", "police@c.test"}
    assert recipients(Channel.EMAIL) == {"bruno@c.test", "denis@c.test", "police@c.test"}
    # Sent through the real twilio client to the fake provider: one SMS per recipient.
    sent_to = sorted(request.params["To"] for request in fake_twilio.requests)
    assert sent_to == ["+33612000002", "+33612000003", "+33612000008"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(mail.outbox) == 3
    # SMS carry the STOP mention; the e-mail links to the alert instead.
    assert all("STOP" in request.params["Body"] for request in fake_twilio.requests)
    email = mail.outbox[0].body
    assert "Camionnette blanche" in email
    assert "STOP" not in email
    assert "http://cadaujac.localhost/alertes/" in email
    assert "/compte/notifications/" in email


def test_identifying_details_go_to_staff_and_police_only(neighbourhood, fake_twilio, post):
    post(
        author=neighbourhood["alice"],
        category=AlertCategory.SCOUTING,
        text="Deux personnes relèvent les boîtes aux lettres.",
        identifying_details="AB-123-CD",
    )

    bodies = {request.params["To"]: request.params["Body"] for request in fake_twilio.requests}
    assert "AB-123-CD" in bodies["+33612000008"]  # police
    assert "AB-123-CD" in bodies["+33612000002"]  # Bruno, moderator
    assert "AB-123-CD" not in bodies["+33612000003"]
    assert "+33612000001" not in bodies  # the author


def test_sending_the_same_batch_twice_sends_nothing_more(neighbourhood, fake_twilio, post):
    post(
        author=neighbourhood["alice"],
        category=AlertCategory.CANVASSER,
        text="Faux agent des eaux, rue des Lilas.",
    )
    before = len(fake_twilio.requests)

    counts = deliveries_send(ids=list(Delivery.objects.values_list("pk", flat=True)))

    assert counts == {}
    assert len(fake_twilio.requests) == before


def test_sweep_sends_deliveries_a_lost_task_left_queued(neighbourhood, fake_twilio):
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import AlertMessage
    from notifications.fanout import deliveries_write
    from notifications.tasks import deliveries_recover

    # The alert is recorded but its fan-out task never ran (broker down at commit time).
    alert = alert_post(
        author=neighbourhood["alice"],
        category=AlertCategory.ELDERLY,
        text="Pas de nouvelles de Mme Roux depuis trois jours.",
    )
    message = AlertMessage.objects.get(alert=alert)
    deliveries_write(message=message)
    Delivery.objects.update(updated_at=timezone.now() - timedelta(minutes=5))
    assert fake_twilio.requests == []

    recovered = deliveries_recover()

    assert recovered == Delivery.objects.count() == 6
    assert len(fake_twilio.requests) == 3
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert deliveries_recover() == 0
