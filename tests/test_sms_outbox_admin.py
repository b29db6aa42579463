"""The SMS outbox in the Wagtail admin: read-only, and for the platform team only."""

import pytest
from django.urls import reverse

from notifications.models import OutboundSms, SmsPurpose
from notifications.sms.service import sms_send

pytestmark = pytest.mark.django_db

JEAN_YVES = "+33611000001"
MARIE = "+33611000002"


@pytest.fixture
def sign_in_with_totp(client, sign_in):
    """Signs a persona in as far as the admin lets them (TOTP and its code step, as
    ``sign_in`` does), so that permissions alone decide what they see."""

    def do(user):
        return sign_in(client, user)

    return do


@pytest.fixture
def messages(settings):
    settings.SMS_BACKEND = "outbox"
    return [
        sms_send(to=JEAN_YVES, body="Alerte : démarcheurs", purpose=SmsPurpose.ALERT),
        sms_send(
            to=MARIE,
            body="Votre code Voisinage : 482913",
            purpose=SmsPurpose.VERIFICATION_CODE,
        ),
    ]


def test_the_platform_team_lists_the_outbox(client, sign_in_with_totp, platform_admin, messages):
    sign_in_with_totp(platform_admin)

    response = client.get(reverse("outbound_sms:index"))

    assert response.status_code == 200
    content = response.content.decode()
    assert JEAN_YVES in content
    assert MARIE in content
    assert "SMS envoyés" in content


def test_the_outbox_filters_by_status_and_purpose(
    client, sign_in_with_totp, platform_admin, messages
):
    sign_in_with_totp(platform_admin)

    alerts = client.get(reverse("outbound_sms:index"), {"purpose": "alert", "status": "sent"})
    failed = client.get(reverse("outbound_sms:index"), {"status": "failed"})

    assert JEAN_YVES in alerts.content.decode()
    assert MARIE not in alerts.content.decode()
    assert JEAN_YVES not in failed.content.decode()


def test_the_outbox_appears_in_the_platform_teams_menu(client, sign_in_with_totp, platform_admin):
    sign_in_with_totp(platform_admin)
    assert (
        reverse("outbound_sms:index") in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_the_outbox_offers_no_way_to_add_edit_or_delete(
    client, sign_in_with_totp, platform_admin, messages
):
    sign_in_with_totp(platform_admin)
    sms = messages[0]

    index = client.get(reverse("outbound_sms:index")).content.decode()
    assert reverse("outbound_sms:add") not in index
    assert reverse("outbound_sms:edit", args=[sms.pk]) not in index

    for url in (
        reverse("outbound_sms:add"),
        reverse("outbound_sms:edit", args=[sms.pk]),
        reverse("outbound_sms:delete", args=[sms.pk]),
    ):
        assert client.get(url).status_code in (302, 403), url
        assert client.post(url, {"to": "+33611999999", "body": "x"}).status_code in (302, 403)

    assert OutboundSms.objects.count() == 2
    assert not OutboundSms.objects.filter(to="+33611999999").exists()


def test_the_platform_team_inspects_a_message(client, sign_in_with_totp, platform_admin, messages):
    sign_in_with_totp(platform_admin)

    response = client.get(reverse("outbound_sms:inspect", args=[messages[0].pk]))

    assert response.status_code == 200
    assert "Alerte : démarcheurs" in response.content.decode()


def test_verification_codes_are_masked_outside_development(
    client, sign_in_with_totp, platform_admin, messages, settings
):
    settings.DEBUG = False
    sign_in_with_totp(platform_admin)

    response = client.get(reverse("outbound_sms:inspect", args=[messages[1].pk]))

    assert response.status_code == 200
    assert "482913" not in response.content.decode()
    assert "code de vérification masqué" in response.content.decode()


@pytest.mark.parametrize("persona", ["alice_editor", "arnaud_admin", "charlie_outsider"])
def test_mairie_staff_and_outsiders_never_see_the_outbox(
    client, sign_in_with_totp, request, messages, persona
):
    sign_in_with_totp(request.getfixturevalue(persona))

    home = client.get(reverse("wagtailadmin_home"))
    assert reverse("outbound_sms:index") not in home.content.decode()

    for url in (
        reverse("outbound_sms:index"),
        reverse("outbound_sms:index_results"),
        reverse("outbound_sms:inspect", args=[messages[0].pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert JEAN_YVES not in response.content.decode()
