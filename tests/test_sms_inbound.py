"""The relay number: signed webhooks only, keywords, invitations, and alerts by SMS."""

import pytest
from twilio.request_validator import RequestValidator

from accounts.models import Profile
from alerts.models import Alert, InboundSms
from communities.memberships import neighbour_register
from communities.models import Membership, MembershipStatus

pytestmark = pytest.mark.django_db

TOKEN = "test-twilio-token"
URL = "http://testserver/sms/inbound/"


@pytest.fixture(autouse=True)
def _twilio_settings(settings):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = ""
    settings.SMS_BACKEND = "outbox"


def signed_post(client, params, *, url=URL, token=TOKEN):
    signature = RequestValidator(token).compute_signature(url, params)
    path = "/" + url.split("/", 3)[3]
    return client.post(path, params, headers={"x-twilio-signature": signature})


def sms(sender, body, sid="SM" + "0" * 32):
    return {"From": sender, "To": "+33700000000", "Body": body, "MessageSid": sid}


@pytest.fixture
def jean(centre_bourg, make_user):
    user = make_user("jean@c.test", phone="+33612000001", phone_verified_at="2026-01-01T00:00Z")
    Membership.objects.create(
        user=user, community=centre_bourg, address="1 rue", status=MembershipStatus.VERIFIED
    )
    return user


def test_unsigned_or_badly_signed_request_is_refused_and_nothing_stored(client, jean):
    unsigned = client.post("/sms/inbound/", sms("+33612000001", "Cambriolage en cours"))
    forged = signed_post(client, sms("+33612000001", "Cambriolage en cours"), token="wrong")

    assert unsigned.status_code == forged.status_code == 403
    assert Alert.objects.count() == InboundSms.objects.count() == 0


def test_verified_member_texting_posts_an_alert_and_gets_an_acknowledgement(
    client, jean, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, sms("+33612000001", "Voiture suspecte devant l'école"))

    assert response.status_code == 200
    assert "Alerte reçue" in response.content.decode()
    alert = Alert.objects.get()
    assert alert.author == jean
    assert alert.source == "sms"
    assert alert.text == "Voiture suspecte devant l'école"


def test_the_same_message_twice_posts_one_alert(client, jean):
    first = signed_post(client, sms("+33612000001", "Démarcheur suspect"))
    second = signed_post(client, sms("+33612000001", "Démarcheur suspect"))

    assert Alert.objects.count() == 1
    assert first.content == second.content


def test_unknown_number_gets_a_polite_answer_and_nothing_is_posted(client, jean):
    response = signed_post(client, sms("+33698765432", "Cambriolage !"))

    assert "n'est pas celui d'un membre vérifié" in response.content.decode()
    assert Alert.objects.count() == 0


@pytest.mark.parametrize("word", ["STOP", "stop", "Arrêt", "ARRET merci"])
def test_stop_opts_out_of_sms_whatever_the_case_or_accents(client, jean, word):
    response = signed_post(client, sms("+33612000001", word))

    assert "ne recevrez plus de SMS" in response.content.decode()
    assert Profile.objects.get(user=jean).sms_opted_out_at is not None
    assert Alert.objects.count() == 0


def test_start_opts_back_in(client, jean):
    signed_post(client, sms("+33612000001", "STOP", sid="SM" + "1" * 32))
    signed_post(client, sms("+33612000001", "reprendre", sid="SM" + "2" * 32))

    assert Profile.objects.get(user=jean).sms_opted_out_at is None


@pytest.mark.parametrize("word", ["AIDE", "help"])
def test_help_explains_and_reminds_to_dial_17(client, jean, word):
    response = signed_post(client, sms("+33612000001", word))

    assert "composez le 17" in response.content.decode()
    assert Alert.objects.count() == 0


def test_invited_neighbour_answering_oui_is_recorded_for_moderation(client, jean):
    membership = neighbour_register(
        sponsor=jean,
        first_name="Germaine",
        last_name="Roux",
        phone="06 12 34 56 78",
        address="3 rue de la Mairie",
    )

    response = signed_post(client, sms("+33612345678", "Oui"))

    membership.refresh_from_db()
    assert membership.sms_confirmed_at is not None
    assert membership.status == MembershipStatus.PENDING
    assert "Merci" in response.content.decode()
    assert membership.user.email is None
    assert not membership.user.has_usable_password()


def test_signature_is_checked_against_the_public_url_behind_a_proxy(client, jean, settings):
    settings.PUBLIC_BASE_URL = "https://voisinage.example.org"
    params = sms("+33612000001", "AIDE")

    behind_proxy = signed_post(client, params, url="https://voisinage.example.org/sms/inbound/")
    as_requested = signed_post(client, params)

    assert behind_proxy.status_code == 200
    assert as_requested.status_code == 403


def test_under_pre_moderation_the_sms_reply_says_the_alert_waits_for_a_moderator(
    client, jean, cadaujac, django_capture_on_commit_callbacks
):
    cadaujac.moderation_policy = "pre"
    cadaujac.save()

    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, sms("+33612000001", "Voiture suspecte devant l'école"))

    reply = response.content.decode()
    assert "attend la validation d'un modérateur" in reply
    assert "transmise à vos voisins" not in reply
    assert Alert.objects.get().moderation_status == "held"
