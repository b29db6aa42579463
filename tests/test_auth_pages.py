"""allauth's pages render inside the site's layout, in French, with labelled fields."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from accounts.services import totp_authenticator_ensure
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

ANONYMOUS_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/reset/sms/",
]
MEMBER_PAGES = [
    "/accounts/logout/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/phone/change/",
    "/accounts/reauthenticate/",
    "/accounts/2fa/",
    "/accounts/2fa/reauthenticate/",
    "/accounts/2fa/recovery-codes/generate/",
    "/accounts/en-attente/",
]


@pytest.fixture
def jeanne(make_user):
    return make_user(
        "jeanne@exemple.test",
        phone="+33611223344",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def assert_in_site_layout(html, path):
    assert '<html lang="fr">' in html, path
    assert "Aller au contenu" in html, path
    assert '<main id="contenu"' in html, path
    for field_id in re.findall(
        r'<input[^>]+type="(?:text|email|tel|password)"[^>]+id="([^"]+)"', html
    ):
        assert f'for="{field_id}"' in html, f"{path}: #{field_id} has no label"


@pytest.mark.parametrize("path", ANONYMOUS_PAGES)
def test_entrance_pages_use_the_site_layout(cadaujac, path):
    response = Client(headers={"host": CADAUJAC_HOST}).get(path)

    assert response.status_code == 200
    assert_in_site_layout(response.content.decode(), path)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_account_pages_use_the_site_layout(cadaujac, jeanne, sign_in, path):
    totp_authenticator_ensure(user=jeanne, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    client = sign_in(Client(headers={"host": CADAUJAC_HOST}), jeanne)

    response = client.get(path, follow=True)

    assert response.status_code == 200
    # A page that bounced to the sign-in form would be "in the layout" too.
    assert not [url for url, _ in response.redirect_chain if "/accounts/login/" in url], path
    assert_in_site_layout(response.content.decode(), path)


def test_lockout_page_is_in_french_and_offers_a_way_out(cadaujac, jeanne):
    client = Client(headers={"host": CADAUJAC_HOST})
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": "jeanne@exemple.test", "password": "non"}
        )

    assert response.status_code == 429
    html = response.content.decode()
    assert_in_site_layout(html, "lockout")
    assert "Connexion suspendue" in html
    assert "/accounts/password/reset/sms/" in html
