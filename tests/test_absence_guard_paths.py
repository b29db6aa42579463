"""Absence dates are refused wherever someone writes for others to read, not only in the
gazette: alerts (web form, SMS, the mairie's broadcast, follow-ups), private and official
messages, profile texts. Each path says why in French and saves or sends nothing."""

import html

import pytest
from django.core.exceptions import ValidationError
from twilio.request_validator import RequestValidator

from accounts.models import Profile
from alerts.models import Alert, AlertCategory, AlertMessage, InboundSms
from alerts.services import alert_follow_up, alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from messaging.models import Conversation, Message, OfficialSend
from messaging.services import conversation_start
from notifications.models import Delivery, OutboundSms
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

ABSENCE = "Nous serons absents du 3 au 17 août, merci de surveiller la rue."
TOKEN = "test-twilio-token"


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def cadaujac_client(client):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    return client


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    user = make_user("barbara@cadaujac.test", first_name="Barbara", last_name="Lamothe")
    user.is_staff = True
    user.save()
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


# --- Alerts ---------------------------------------------------------------------------------------


def test_the_alert_form_refuses_absence_dates_and_posts_nothing(
    cadaujac_client, sign_in, jeanne_resident, paul_neighbour, django_capture_on_commit_callbacks
):
    sign_in(cadaujac_client, jeanne_resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = cadaujac_client.post(
            "/alertes/nouvelle/",
            {"category": AlertCategory.SCOUTING, "text": ABSENCE, "identifying_details": ""},
        )

    assert response.status_code == 200
    assert "n'indiquez pas quand votre logement sera inoccupé" in page_text(response)
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()


def test_an_alert_by_sms_with_absence_dates_is_not_sent_and_the_reply_says_why(
    client, settings, jeanne_resident, paul_neighbour, django_capture_on_commit_callbacks
):
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = ""
    settings.SMS_BACKEND = "outbox"
    jeanne_resident.phone_verified_at = jeanne_resident.date_joined
    jeanne_resident.save()
    params = {"From": "+33611223344", "To": "+33700000000", "Body": ABSENCE, "MessageSid": "SM1"}
    signature = RequestValidator(TOKEN).compute_signature("http://testserver/sms/inbound/", params)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/sms/inbound/", params, headers={"x-twilio-signature": signature})

    reply = page_text(response)
    assert response.status_code == 200
    assert "n'a pas été diffusé" in reply
    assert "inoccupé" in reply
    assert not Alert.objects.exists()
    assert not OutboundSms.objects.exists()
    assert InboundSms.objects.get().outcome == "refused"


def test_the_mairies_broadcast_refuses_absence_dates_before_and_at_confirmation(
    client, sign_in, cadaujac, barbara_broadcaster, jeanne_resident, fake_twilio
):
    sign_in(client, barbara_broadcaster)
    data = {
        "commune": cadaujac.pk,
        "category": "roadworks",
        "text": "Le secrétariat de mairie sera absent du 3 au 17 août.",
        "target": "commune",
        "urgent": "on",
    }

    first = client.post("/admin/alerter/", data)
    confirmed = client.post("/admin/alerter/", {**data, "confirmed": "1"})

    for response in (first, confirmed):
        assert response.status_code == 200
        assert "n'indiquez pas quand votre logement sera inoccupé" in page_text(response)
    assert not Alert.objects.exists()
    assert fake_twilio.requests == []


def test_a_follow_up_with_absence_dates_is_refused(jeanne_resident, paul_neighbour):
    alert = alert_post(
        author=jeanne_resident, category=AlertCategory.LOST_ANIMAL, text="Chat tigré perdu."
    )

    with pytest.raises(ValidationError) as refused:
        alert_follow_up(alert=alert, by=jeanne_resident, text="Nous partons demain, en vacances.")

    assert "inoccupé" in refused.value.message_dict["text"][0]
    assert AlertMessage.objects.filter(alert=alert).count() == 1


# --- Messages -------------------------------------------------------------------------------------


def test_a_private_message_with_absence_dates_is_refused_and_nothing_is_stored(
    cadaujac_client, sign_in, jeanne_resident, paul_neighbour
):
    sign_in(cadaujac_client, jeanne_resident)

    response = cadaujac_client.post(
        "/messages/nouvelle/", {"recipients": [paul_neighbour.pk], "text": ABSENCE}
    )
    by_subject = cadaujac_client.post(
        "/messages/nouvelle/",
        {"recipients": [paul_neighbour.pk], "text": "Bonjour", "subject": ABSENCE},
    )

    assert response.status_code == by_subject.status_code == 400
    assert "n'écrivez pas quand un logement sera inoccupé" in page_text(response)
    assert "n'écrivez pas quand un logement sera inoccupé" in page_text(by_subject)
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_a_reply_with_absence_dates_is_refused(
    cadaujac_client, sign_in, jeanne_resident, paul_neighbour
):
    conversation = conversation_start(
        author=jeanne_resident, recipients=[paul_neighbour], text="Bonjour Paul"
    )
    sign_in(cadaujac_client, paul_neighbour)

    response = cadaujac_client.post(
        f"/messages/{conversation.pk}/", {"text": "On part le 12 juillet pour deux semaines."}
    )

    assert response.status_code == 400
    assert "n'écrivez pas quand un logement sera inoccupé" in page_text(response)
    assert Message.objects.count() == 1


def test_an_official_message_with_absence_dates_is_refused_and_nothing_is_sent(
    client, sign_in, cadaujac, barbara_broadcaster, jeanne_resident, paul_neighbour
):
    sign_in(client, barbara_broadcaster)

    response = client.post(
        "/admin/messages-mairie/",
        {"commune": cadaujac.pk, "target": "commune", "subject": "Mairie", "text": ABSENCE},
        HTTP_HOST=CADAUJAC_HOST,
    )

    assert response.status_code == 400
    assert "n'écrivez pas quand un logement sera inoccupé" in page_text(response)
    assert not OfficialSend.objects.exists()
    assert not Message.objects.exists()
    assert not OutboundSms.objects.exists()


# --- Profiles -------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["interests", "bio"])
def test_a_profile_text_with_absence_dates_is_refused_and_not_saved(
    client, sign_in, jeanne_resident, field
):
    sign_in(client, jeanne_resident)
    data = {
        "interests": "Jardinage",
        "bio": "Infirmière à la retraite.",
        "photo_visibility": "mairie",
        "address_visibility": "mairie",
        "phone_visibility": "mairie",
        "email_visibility": "mairie",
        "interests_visibility": "neighbours",
        "bio_visibility": "mairie",
        field: "En vacances du 3 au 17 août.",
    }

    response = client.post("/compte/", data)

    assert response.status_code == 400
    assert "n'indiquez pas quand votre logement sera inoccupé" in page_text(response)
    profile = Profile.objects.get(user=jeanne_resident)
    assert profile.interests == "Jardinage ; je peux prêter une échelle"
    assert profile.bio == "Infirmière à la retraite."
