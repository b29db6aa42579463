"""Rate limits answer 429 with a French page in the site's layout, saying when to retry."""

import pytest
from django.test import Client

from tests.conftest import CADAUJAC_HOST


def assert_french_page_in_site_layout(html):
    assert '<html lang="fr">' in html
    assert "Aller au contenu" in html
    assert '<main id="contenu"' in html
    assert "Too Many Requests" not in html


def test_too_many_password_reset_requests_get_a_french_page(cadaujac):
    client = Client(headers={"host": CADAUJAC_HOST})
    # allauth allows five requests an hour for one address ("5/h/key").
    answers = [
        client.post("/accounts/password/reset/", {"email": "jeanne@exemple.test"}) for _ in range(6)
    ]

    assert [a.status_code for a in answers[:5]] == [302] * 5
    refused = answers[5]
    assert refused.status_code == 429
    html = refused.content.decode()
    assert_french_page_in_site_layout(html)
    assert "Trop de demandes" in html
    assert "Mairie de Cadaujac" in html  # the commune's own footer


@pytest.fixture
def jeanne(make_user):
    return make_user("jeanne@exemple.test")


def test_sign_in_lockout_says_when_to_retry(cadaujac, jeanne):
    client = Client(headers={"host": CADAUJAC_HOST})
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"login": "jeanne@exemple.test", "password": "non"}
        )

    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    assert_french_page_in_site_layout(response.content.decode())
