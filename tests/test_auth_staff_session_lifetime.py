"""A staff session ends STAFF_SESSION_MAX_SECONDS (12 h) after sign-in, however active it
stays; residents' sessions have no such limit."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
STEP = timedelta(minutes=20)  # within the 30-minute idle limit


@pytest.fixture
def agent(make_user, cadaujac):
    user = make_user("agent@cadaujac.test", email_verified_at=timezone.now())
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.EDITOR)
    return user


@pytest.fixture
def resident(make_user, cadaujac):
    return make_user("jeanne@exemple.test", email_verified_at=timezone.now())


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def stay_active(client, start, until):
    """One page every 20 minutes from ``start`` to ``until``; the last answer."""
    moment, response = start, None
    while moment <= until:
        with time_machine.travel(moment, tick=False):
            response = client.get("/")
        moment += STEP
    return response


def sign_in(client, email, at):
    with time_machine.travel(at, tick=False):
        response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) is not None


def test_active_staff_session_ends_twelve_hours_after_sign_in(agent):
    client = Client(headers={"host": CADAUJAC_HOST})
    start = timezone.now()
    sign_in(client, agent.email, start)

    stay_active(client, start + STEP, start + timedelta(hours=11, minutes=50))
    assert signed_in_as(client) == str(agent.pk)

    with time_machine.travel(start + timedelta(hours=12, minutes=5), tick=False):
        response = client.get("/admin/")
        assert signed_in_as(client) is None
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_staff_session_cookie_never_outlives_the_twelve_hours(agent):
    client = Client(headers={"host": CADAUJAC_HOST})
    start = timezone.now()
    sign_in(client, agent.email, start)

    stay_active(client, start + STEP, start + timedelta(hours=11, minutes=40))
    with time_machine.travel(start + timedelta(hours=11, minutes=50), tick=False):
        client.get("/")

    # Ten minutes left: the session expires then, not 30 minutes after this last page.
    assert client.session.get_expiry_age() <= 10 * 60


def test_limit_is_read_from_the_settings(settings, agent):
    settings.STAFF_SESSION_MAX_SECONDS = 3600
    client = Client(headers={"host": CADAUJAC_HOST})
    start = timezone.now()
    sign_in(client, agent.email, start)

    stay_active(client, start + STEP, start + timedelta(minutes=65))

    assert signed_in_as(client) is None


def test_active_resident_session_is_not_limited(resident):
    client = Client(headers={"host": CADAUJAC_HOST})
    start = timezone.now()
    sign_in(client, resident.email, start)

    response = stay_active(client, start + STEP, start + timedelta(hours=13))

    assert response.status_code == 200
    assert signed_in_as(client) == str(resident.pk)
