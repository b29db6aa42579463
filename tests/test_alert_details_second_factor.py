"""Identifying details (a plate, a name) reach the commune's alert staff on the site only
once they use two-factor authentication, as in the admin."""

import pytest
from django.test import Client

from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant

pytestmark = pytest.mark.django_db

PLATE = "AB-123-CD"


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette qui photographie les entrées",
        identifying_details=PLATE,
    )


@pytest.fixture
def police(make_user, cadaujac):
    officer = make_user("agent@cadaujac.test", first_name="Agent")
    staff_role_grant(user=officer, commune=cadaujac, role=StaffRole.POLICE)
    return officer


def test_police_without_a_second_factor_see_no_details_and_are_asked_to_set_one_up(alert, police):
    client = Client(HTTP_HOST="cadaujac.localhost")
    client.force_login(police)  # a password sign-in: no TOTP activated yet

    detail = client.get(f"/alertes/{alert.pk}/")
    feed = client.get("/alertes/police/")
    call_list = client.get(f"/alertes/{alert.pk}/injoignables/")

    assert detail.status_code == 200
    assert PLATE not in detail.content.decode()
    assert feed.status_code == 302
    assert "/accounts/2fa/totp/activate" in feed["Location"]
    assert call_list.status_code == 404


def test_police_with_a_second_factor_see_the_details(alert, police, sign_in):
    client = Client(HTTP_HOST="cadaujac.localhost")
    sign_in(client, police)

    assert PLATE in client.get(f"/alertes/{alert.pk}/").content.decode()
    assert PLATE in client.get("/alertes/police/").content.decode()
