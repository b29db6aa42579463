"""Who received an alert, as its page says it: residents (the author, neighbours) read one
plain sentence in French, the mairie and the police read each channel's counts by status
with the call list, stacked so that it fits a phone."""

import pytest
from django.utils import timezone

from alerts.models import AlertCategory, AlertMessage
from alerts.progress import AlertReach
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from notifications.models import Channel, Delivery, DeliveryStatus
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

TEXT = "Deux hommes relèvent les numéros des boîtes aux lettres rue du Port."


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def crowd(make_member, centre_bourg):
    return [
        make_member(f"voisin{i}@cadaujac.test", centre_bourg, first_name="Voisin", last_name=str(i))
        for i in range(6)
    ]


@pytest.fixture
def sent(jeanne_resident, crowd):
    """Jeanne's alert: 6 neighbours; SMS to 4 (3 sent or delivered, 1 failed), e-mail to 5
    (4 sent, 1 still queued), push to 1."""
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    message = alert.messages.get()
    AlertMessage.objects.filter(pk=message.pk).update(fanned_out_at=timezone.now())
    now = timezone.now()
    rows = [
        (crowd[0], Channel.SMS, DeliveryStatus.DELIVERED),
        (crowd[1], Channel.SMS, DeliveryStatus.SENT),
        (crowd[2], Channel.SMS, DeliveryStatus.DELIVERED),
        (crowd[3], Channel.SMS, DeliveryStatus.FAILED),
        *[(user, Channel.EMAIL, DeliveryStatus.SENT) for user in crowd[1:5]],
        (crowd[5], Channel.EMAIL, DeliveryStatus.QUEUED),
        (crowd[0], Channel.PUSH, DeliveryStatus.DELIVERED),
    ]
    Delivery.objects.bulk_create(
        Delivery(
            message=message,
            user=user,
            channel=channel,
            status=status,
            created_at=now,
            updated_at=now,
        )
        for user, channel, status in rows
    )
    return alert


def _page(client, sign_in, user, alert):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, user)
    response = client.get(f"/alertes/{alert.pk}/")
    assert response.status_code == 200
    return response.content.decode().replace("&#x27;", "'")


SENTENCE = (
    "Envoyée à 6 personnes : 3 l'ont reçue par SMS, 4 par e-mail, 1 par notification. "
    "1 envoi est encore en cours."
)


@pytest.mark.parametrize("persona", ["jeanne_resident", "paul_neighbour"])
def test_residents_read_one_sentence(request, client, sign_in, sent, persona):
    page = _page(client, sign_in, request.getfixturevalue(persona), sent)

    assert SENTENCE in page
    assert "Distribués" not in page
    assert "Échecs" not in page
    assert "channel-progress" not in page
    assert "/injoignables/" not in page


def test_the_author_polls_the_same_sentence(client, sign_in, sent, jeanne_resident):
    _page(client, sign_in, jeanne_resident, sent)

    data = client.get(f"/alertes/{sent.pk}/progression/").json()

    assert data["summary"] == SENTENCE


@pytest.mark.parametrize("persona", ["marc_moderator", "police"])
def test_staff_read_each_channel_by_status_with_the_call_list(
    request, client, sign_in, sent, persona
):
    page = _page(client, sign_in, request.getfixturevalue(persona), sent)

    assert "Envoyée à 6 personnes" not in page
    assert "<table" not in page  # stacked lists fit a phone; no wide table
    sms = page.split('data-channel="sms"', 1)[1].split("</li>", 1)[0]
    for label, count in (("Distribués", 2), ("Envoyés", 1), ("Échecs", 1), ("En attente", 0)):
        assert f"<dt>{label}</dt>" in sms
        assert f'">{count}</dd>' in sms.split(f"<dt>{label}</dt>", 1)[1].split("</div>", 1)[0]
    assert f"/alertes/{sent.pk}/injoignables/" in page


@pytest.mark.parametrize(
    ("reach", "sentence"),
    [
        (
            AlertReach(preparing=False, recipients=1, received={Channel.EMAIL: 1}, pending=0),
            "Envoyée à 1 personne : 1 l'a reçue par e-mail.",
        ),
        (
            AlertReach(
                preparing=False,
                recipients=42,
                received={Channel.SMS: 38, Channel.EMAIL: 30, Channel.PUSH: 12},
                pending=0,
            ),
            "Envoyée à 42 personnes : 38 l'ont reçue par SMS, 30 par e-mail, 12 par notification.",
        ),
        (
            AlertReach(preparing=False, recipients=3, received={}, pending=3),
            "Envoyée à 3 personnes : les envois commencent.",
        ),
        (
            AlertReach(preparing=False, recipients=2, received={}, pending=0),
            "Envoyée à 2 personnes : aucun envoi n'a abouti.",
        ),
        (AlertReach(preparing=True, recipients=0, received={}, pending=0), "Envoi en préparation…"),
    ],
)
def test_the_sentence_speaks_plain_french_singular_and_plural(reach, sentence):
    assert reach.sentence == sentence
