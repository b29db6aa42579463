"""Brute force: five failures for one login from one address, then a 15-minute wait.

django-axes counts failures on every credential form (sign-in, password-reset codes,
the admin's sign-in which leads to the same form); the wait always ends.
"""

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
LOCKED = "Trop de tentatives de connexion"


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST}, REMOTE_ADDR="203.0.113.7")


@pytest.fixture
def jeanne(make_user):
    return make_user(
        "jeanne@exemple.test",
        phone="+33611223344",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def fail(client, login="jeanne@exemple.test", times=1):
    responses = [
        client.post(LOGIN, {"login": login, "password": "pas-le-bon-mot"}) for _ in range(times)
    ]
    return responses[-1]


def test_fifth_failure_locks_the_login_with_a_clear_french_message(visitor, jeanne):
    for _ in range(4):
        assert fail(visitor).status_code == 200

    locked = fail(visitor)

    assert locked.status_code == 429
    html = locked.content.decode()
    assert LOCKED in html
    assert "15 minutes" in html
    assert "/accounts/password/reset/" in html


def test_the_right_password_does_not_open_a_locked_login(visitor, jeanne):
    fail(visitor, times=5)

    response = visitor.post(LOGIN, {"login": "jeanne@exemple.test", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in visitor.session


def test_lock_ends_after_the_cool_off_and_is_never_extended(visitor, jeanne):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(visitor, times=5)
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        # Trying again during the wait does not push its end back.
        assert fail(visitor).status_code == 429

    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        response = visitor.post(LOGIN, {"login": "jeanne@exemple.test", "password": PASSWORD})

    assert response.status_code == 302
    assert visitor.session["_auth_user_id"] == str(jeanne.pk)


def test_every_spelling_of_a_number_counts_as_the_same_login(visitor, jeanne):
    for login in ["06 11 22 33 44", "0611223344", "+33611223344", "06.11.22.33.44"]:
        fail(visitor, login=login)

    assert fail(visitor, login="+33 6 11 22 33 44").status_code == 429
    # Counted against the account, whichever of its identifiers was typed.
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {"jeanne@exemple.test"}


@pytest.mark.parametrize(
    ("failing_with", "then_with"),
    [("jeanne@exemple.test", "06 11 22 33 44"), ("06 11 22 33 44", "Jeanne@Exemple.test")],
    ids=["email_then_phone", "phone_then_email"],
)
def test_lock_holds_for_the_account_whichever_identifier_is_typed(
    visitor, jeanne, failing_with, then_with
):
    fail(visitor, login=failing_with, times=5)

    response = visitor.post(LOGIN, {"login": then_with, "password": PASSWORD})

    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in visitor.session


def test_failures_by_email_and_by_phone_add_up(visitor, jeanne):
    fail(visitor, login="jeanne@exemple.test", times=2)
    fail(visitor, login="+33611223344", times=2)

    assert fail(visitor, login="06 11 22 33 44").status_code == 429


def test_a_sign_in_by_phone_clears_the_failures_typed_by_email(visitor, jeanne):
    fail(visitor, login="jeanne@exemple.test", times=4)

    assert visitor.post(LOGIN, {"login": "0611223344", "password": PASSWORD}).status_code == 302
    visitor.post("/accounts/logout/")

    assert fail(visitor, login="jeanne@exemple.test", times=4).status_code == 200


def test_lock_is_per_address_so_the_owner_elsewhere_can_still_sign_in(visitor, jeanne):
    fail(visitor, times=5)
    at_home = Client(headers={"host": CADAUJAC_HOST}, REMOTE_ADDR="198.51.100.20")

    response = at_home.post(LOGIN, {"login": "jeanne@exemple.test", "password": PASSWORD})

    assert response.status_code == 302


def test_unknown_accounts_are_locked_the_same_way(visitor):
    assert fail(visitor, login="personne@exemple.test", times=5).status_code == 429


def test_forwarded_for_header_is_ignored_without_a_trusted_proxy(visitor, jeanne):
    for n in range(5):
        visitor.post(
            LOGIN,
            {"login": "jeanne@exemple.test", "password": "pas-le-bon-mot"},
            headers={"x-forwarded-for": f"192.0.2.{n}"},
        )

    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
    assert fail(visitor).status_code == 429


@pytest.mark.parametrize(
    "forwarded_for",
    ["203.0.113.50", "192.0.2.99, 203.0.113.50", "spoofed, 203.0.113.50"],
    ids=["plain", "client_prefilled_header", "client_wrote_garbage"],
)
def test_forwarded_for_header_is_read_behind_a_configured_proxy(settings, jeanne, forwarded_for):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    proxy = Client(headers={"host": CADAUJAC_HOST}, REMOTE_ADDR="10.0.0.2")

    proxy.post(
        LOGIN,
        {"login": "jeanne@exemple.test", "password": "pas-le-bon-mot"},
        headers={"x-forwarded-for": forwarded_for},
    )

    # The address our proxy saw, whatever the client wrote before it.
    assert AccessAttempt.objects.get().ip_address == "203.0.113.50"


def test_admin_sign_in_page_leads_to_the_same_protected_form(visitor):
    response = visitor.get("/admin/login/?next=/admin/pages/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fpages%2F"


def test_wrong_password_reset_codes_count_towards_the_lock(visitor, jeanne):
    visitor.post("/accounts/password/reset/", {"email": "jeanne@exemple.test"})
    assert mail.outbox

    for _ in range(2):
        assert visitor.post("/accounts/password/reset/confirm/", {"code": "XXXX-XXXX"}).status_code
    assert AccessAttempt.objects.get().failures_since_start == 2
    # Three more wrong passwords and the login is locked.
    assert fail(visitor, times=3).status_code == 429


def test_failures_from_many_addresses_add_up_per_account_whichever_identifier(jeanne):
    # allauth's limit per account (10 in 15 minutes), across addresses: typed by e-mail on
    # some, by phone on others, it is the same account.
    for n in range(10):
        login = "jeanne@exemple.test" if n % 2 else "06 11 22 33 44"
        fail(Client(headers={"host": CADAUJAC_HOST}, REMOTE_ADDR=f"192.0.2.{n}"), login=login)
    elsewhere = Client(headers={"host": CADAUJAC_HOST}, REMOTE_ADDR="198.51.100.99")

    response = elsewhere.post(LOGIN, {"login": "+33611223344", "password": PASSWORD})

    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in elsewhere.session
