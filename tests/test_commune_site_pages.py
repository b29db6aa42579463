"""Members' pages of a commune's site (``communities.commune_site.commune_site_view``).

Signed in, on that commune's site only (the platform's own site answers 404), in the
member's language, never kept by a cache.
"""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PATH = "/publier/mes-publications/"


def test_a_visitor_is_asked_to_sign_in(cadaujac):
    response = Client(HTTP_HOST="cadaujac.localhost").get(PATH)

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_platforms_own_site_has_no_such_page(cadaujac, jeanne_resident):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(jeanne_resident)

    assert client.get(PATH).status_code == 404


def test_the_page_is_in_the_members_language_and_never_cached(cadaujac, jeanne_resident):
    jeanne_resident.language = "en"
    jeanne_resident.save(update_fields=["language"])
    client = Client(HTTP_HOST="cadaujac.localhost")
    client.force_login(jeanne_resident)

    response = client.get(PATH)

    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "no-cache" in response["Cache-Control"]
    assert "private" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
