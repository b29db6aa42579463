"""A verified resident registers an elderly neighbour, who then takes part by SMS alone."""

import pytest
from django.contrib.auth import get_user_model

from communities.models import Membership, MembershipStatus
from notifications.models import Channel, Delivery, DeliveryStatus, OutboxMessage

pytestmark = pytest.mark.django_db

FORM = {
    "first_name": "Germaine",
    "last_name": "Roux",
    "phone": "06 12 34 56 78",
    "address": "5 rue de la Mairie",
    "consent": "on",
}


@pytest.fixture
def sponsor(centre_bourg, make_user):
    user = make_user("sponsor@c.test", phone="+33612000001")
    Membership.objects.create(
        user=user, community=centre_bourg, address="1 rue", status=MembershipStatus.VERIFIED
    )
    return user


def test_verified_resident_invites_a_neighbour_who_gets_an_sms(
    client, sponsor, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "outbox"
    client.force_login(sponsor)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/compte/inscrire-un-voisin/", FORM)

    assert response.status_code == 302
    neighbour = get_user_model().objects.get(phone="+33612345678")
    assert neighbour.email is None
    assert not neighbour.has_usable_password()
    membership = Membership.objects.get(user=neighbour)
    assert membership.sponsor == sponsor
    assert membership.community == sponsor.memberships.get().community
    assert membership.status == MembershipStatus.PENDING
    invitation = Delivery.objects.get(user=neighbour)
    assert invitation.channel == Channel.SMS
    assert invitation.status == DeliveryStatus.SENT
    assert "Répondez OUI" in invitation.message.text


@pytest.mark.parametrize(
    ("field", "value"),
    [("phone", "05 56 00 00 00"), ("phone", "pas un numéro"), ("consent", ""), ("address", "")],
)
def test_bad_input_is_refused_and_nothing_created(client, sponsor, field, value):
    client.force_login(sponsor)
    users_before = get_user_model().objects.count()

    response = client.post("/compte/inscrire-un-voisin/", {**FORM, field: value})

    assert response.status_code == 400
    assert get_user_model().objects.count() == users_before
    assert OutboxMessage.objects.count() == 0


def test_a_member_not_yet_verified_cannot_invite(client, centre_bourg, make_user):
    pending = make_user("pending@c.test", phone="+33612000002")
    Membership.objects.create(user=pending, community=centre_bourg, address="2 rue")
    client.force_login(pending)
    users_before = get_user_model().objects.count()

    response = client.post("/compte/inscrire-un-voisin/", FORM)

    assert "Seul un membre vérifié" in response.content.decode()
    assert get_user_model().objects.count() == users_before
