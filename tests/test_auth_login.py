"""Signing in with an e-mail address or a mobile number typed any way, and signing out.

The answer to a wrong password is the same as to an unknown account; the session key
changes at sign-in; staff sessions end after 30 minutes of inactivity, residents' do not.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


@pytest.fixture
def jeanne(make_user):
    """A verified resident: e-mail and mobile number both confirmed."""
    return make_user(
        "jeanne@exemple.test",
        first_name="Jeanne",
        phone="+33611223344",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def signed_in_as(client) -> str | None:
    return client.session.get("_auth_user_id")


def test_login_page_has_the_contracts_fields_with_labels(visitor):
    html = visitor.get(LOGIN).content.decode()

    assert 'name="login"' in html
    assert 'name="password"' in html
    assert '<label for="id_login">E-mail ou téléphone mobile' in html
    assert 'autocomplete="username"' in html
    assert 'autocomplete="current-password"' in html


@pytest.mark.parametrize(
    "login", ["jeanne@exemple.test", "Jeanne@Exemple.TEST", " jeanne@exemple.test "]
)
def test_resident_signs_in_with_email(visitor, jeanne, login):
    response = visitor.post(LOGIN, {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_as(visitor) == str(jeanne.pk)


@pytest.mark.parametrize(
    "login",
    [
        "06 11 22 33 44",
        "0611223344",
        "06.11.22.33.44",
        "06-11-22-33-44",
        "+33 6 11 22 33 44",
        "+33611223344",
        "0033 6 11 22 33 44",
    ],
)
def test_resident_signs_in_with_a_mobile_number_typed_any_way(visitor, jeanne, login):
    response = visitor.post(LOGIN, {"login": login, "password": PASSWORD})

    assert response.status_code == 302
    assert signed_in_as(visitor) == str(jeanne.pk)


@pytest.mark.parametrize(
    ("known", "unknown"),
    [
        ("jeanne@exemple.test", "personne@exemple.test"),
        ("06 11 22 33 44", "06 99 99 99 99"),
    ],
)
def test_wrong_password_and_unknown_account_get_the_same_answer(visitor, jeanne, known, unknown):
    wrong_password = visitor.post(LOGIN, {"login": known, "password": "pas-le-bon-mot"})
    unknown_account = visitor.post(LOGIN, {"login": unknown, "password": "pas-le-bon-mot"})

    assert wrong_password.status_code == unknown_account.status_code == 200
    assert wrong_password.context["form"].errors == unknown_account.context["form"].errors
    assert "Identifiant ou mot de passe incorrect" in wrong_password.content.decode()
    assert signed_in_as(visitor) is None


def test_session_key_changes_at_sign_in(visitor, jeanne):
    visitor.get(LOGIN)
    visitor.session.save()
    anonymous_key = visitor.session.session_key
    assert anonymous_key

    visitor.post(LOGIN, {"login": "jeanne@exemple.test", "password": PASSWORD})

    assert signed_in_as(visitor) == str(jeanne.pk)
    assert visitor.session.session_key != anonymous_key


def test_sign_out_takes_a_post_and_ends_the_session(visitor, jeanne):
    visitor.post(LOGIN, {"login": "jeanne@exemple.test", "password": PASSWORD})

    page = visitor.get("/accounts/logout/")
    assert page.status_code == 200
    assert signed_in_as(visitor) == str(jeanne.pk)

    response = visitor.post("/accounts/logout/")
    assert response.status_code == 302
    assert signed_in_as(visitor) is None


def test_unverified_email_is_verified_by_code_before_the_session_opens(visitor, make_user):
    make_user("nouveau@exemple.test")

    response = visitor.post(LOGIN, {"login": "nouveau@exemple.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert signed_in_as(visitor) is None


# --- Idle sessions ------------------------------------------------------------------------------


@pytest.fixture
def staff_member(make_user, cadaujac):
    user = make_user("agent@cadaujac.test", email_verified_at=timezone.now())
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.EDITOR)
    return user


def sign_in(client, email):
    response = client.post(LOGIN, {"login": email, "password": PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) is not None


def test_staff_session_ends_after_30_minutes_without_activity(visitor, staff_member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(visitor, "agent@cadaujac.test")
        visitor.get("/")
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        visitor.get("/")
        assert signed_in_as(visitor) == str(staff_member.pk)
    with time_machine.travel(start + timedelta(minutes=50), tick=False):
        # 25 minutes after the last request: still signed in.
        visitor.get("/")
        assert signed_in_as(visitor) == str(staff_member.pk)
    with time_machine.travel(start + timedelta(minutes=81), tick=False):
        visitor.get("/")
        assert signed_in_as(visitor) is None


def test_resident_session_survives_an_idle_hour(visitor, jeanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(visitor, "jeanne@exemple.test")
        visitor.get("/")
    with time_machine.travel(start + timedelta(hours=3), tick=False):
        visitor.get("/")
        assert signed_in_as(visitor) == str(jeanne.pk)


def test_staff_pages_a_few_seconds_apart_do_not_write_the_session(visitor, staff_member):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(visitor, "agent@cadaujac.test")
        visitor.get("/")
    later = time_machine.travel(start + timedelta(seconds=20), tick=False)
    with later, CaptureQueriesContext(connection) as captured:
        response = visitor.get("/")
    assert response.status_code == 200
    writes = [q["sql"] for q in captured.captured_queries if "django_session" in q["sql"]]
    assert writes == []


def test_staff_session_idle_limit_counts_from_pages_seen_after_the_first_minute(
    visitor, staff_member
):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sign_in(visitor, "agent@cadaujac.test")
        visitor.get("/")
    # A page every 50 seconds for 40 minutes: never 30 minutes idle.
    moment = start
    while moment < start + timedelta(minutes=40):
        moment += timedelta(seconds=50)
        with time_machine.travel(moment, tick=False):
            visitor.get("/")
    assert signed_in_as(visitor) == str(staff_member.pk)
    with time_machine.travel(moment + timedelta(minutes=31), tick=False):
        visitor.get("/")
        assert signed_in_as(visitor) is None
