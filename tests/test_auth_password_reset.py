"""Choosing a new password with a code sent by e-mail or by SMS to the verified mobile.

Neither way tells whether an account exists; codes live 10 minutes, allow a few tries,
work once; sending them is rate-limited per number and per address.
"""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from notifications.models import OutboundSms
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "une-toute-nouvelle-phrase-2026"
SMS_RESET = "/accounts/password/reset/sms/"
SMS_CODE = "/accounts/password/reset/sms/code/"
SMS_NEW = "/accounts/password/reset/sms/new/"


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


@pytest.fixture
def jeanne(make_user):
    return make_user(
        "jeanne@exemple.test",
        phone="+33611223344",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def can_sign_in(password: str) -> bool:
    client = Client(headers={"host": CADAUJAC_HOST})
    client.post("/accounts/login/", {"login": "jeanne@exemple.test", "password": password})
    return "_auth_user_id" in client.session


def sms_code() -> str:
    sms = OutboundSms.objects.filter(to="+33611223344").latest("pk")
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


# --- By e-mail ----------------------------------------------------------------------------------


def test_password_reset_by_email_code(visitor, jeanne):
    response = visitor.post("/accounts/password/reset/", {"email": "jeanne@exemple.test"})
    assert response["Location"] == "/accounts/password/reset/confirm/"
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)

    confirmed = visitor.post("/accounts/password/reset/confirm/", {"code": code})
    assert confirmed["Location"] == "/accounts/password/reset/complete/"
    done = visitor.post(
        "/accounts/password/reset/complete/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert done.status_code == 302
    assert can_sign_in(NEW_PASSWORD)
    assert not can_sign_in(PASSWORD)


def test_password_reset_by_email_does_not_reveal_unknown_addresses(visitor, jeanne):
    known = visitor.post("/accounts/password/reset/", {"email": "jeanne@exemple.test"})
    unknown = Client(headers={"host": CADAUJAC_HOST}).post(
        "/accounts/password/reset/", {"email": "personne@exemple.test"}
    )

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


# --- By SMS -------------------------------------------------------------------------------------


def test_password_reset_by_sms_code(visitor, jeanne):
    response = visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})
    assert response["Location"] == SMS_CODE
    sms = OutboundSms.objects.get(to="+33611223344")
    assert sms.purpose == "verification_code"
    assert re.search(r"\b\d{6}\b", sms.body)

    confirmed = visitor.post(SMS_CODE, {"code": sms_code()})
    assert confirmed["Location"] == SMS_NEW
    done = visitor.post(SMS_NEW, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    assert can_sign_in(NEW_PASSWORD)
    assert not can_sign_in(PASSWORD)


def test_unknown_number_gets_the_same_pages_and_no_sms(visitor, jeanne):
    response = visitor.post(SMS_RESET, {"phone": "06 99 88 77 66"})

    assert response["Location"] == SMS_CODE
    page = visitor.get(SMS_CODE)
    assert page.status_code == 200
    assert "Si ce numéro correspond à un compte" in page.content.decode()
    assert OutboundSms.objects.count() == 0
    assert visitor.post(SMS_CODE, {"code": "123456"}).status_code == 200


def test_unverified_number_gets_no_sms(visitor, make_user):
    make_user("paul@exemple.test", phone="+33655443322")

    visitor.post(SMS_RESET, {"phone": "06 55 44 33 22"})

    assert OutboundSms.objects.count() == 0


def test_landline_is_refused_in_french(visitor):
    response = visitor.post(SMS_RESET, {"phone": "05 56 00 00 80"})

    assert response.status_code == 200
    assert "n&#x27;est pas un numéro de mobile" in response.content.decode()


def test_wrong_sms_code_three_times_ends_the_reset(visitor, jeanne):
    visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})
    wrong = "000000" if sms_code() != "000000" else "111111"

    first = visitor.post(SMS_CODE, {"code": wrong})
    assert first.status_code == 200
    assert "Ce code est incorrect ou n&#x27;est plus valable." in first.content.decode()
    visitor.post(SMS_CODE, {"code": wrong})
    third = visitor.post(SMS_CODE, {"code": wrong})

    assert third["Location"] == SMS_RESET
    assert visitor.post(SMS_CODE, {"code": sms_code()})["Location"] == SMS_RESET
    assert visitor.get(SMS_NEW)["Location"] == SMS_RESET


def test_expired_sms_code_is_refused(visitor, jeanne):
    visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})
    code = sms_code()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = visitor.post(SMS_CODE, {"code": code})
        assert visitor.get(SMS_NEW)["Location"] == SMS_RESET

    assert response["Location"] == SMS_RESET
    assert can_sign_in(PASSWORD)


def test_sms_code_cannot_be_replayed(visitor, jeanne):
    visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})
    code = sms_code()
    visitor.post(SMS_CODE, {"code": code})
    visitor.post(SMS_NEW, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    replay = visitor.post(SMS_CODE, {"code": code})

    assert replay["Location"] == SMS_RESET
    assert visitor.post(SMS_NEW, {"password1": "x" * 20, "password2": "x" * 20})["Location"] == (
        SMS_RESET
    )
    assert can_sign_in(NEW_PASSWORD)


def test_sending_codes_is_rate_limited_per_number(visitor, jeanne):
    visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})

    again = Client(headers={"host": CADAUJAC_HOST}).post(SMS_RESET, {"phone": "+33611223344"})

    assert again.status_code == 200
    assert "Trop de demandes de code" in again.content.decode()
    assert OutboundSms.objects.count() == 1


def test_sending_codes_is_rate_limited_per_address(visitor, make_user):
    for n in range(10):
        visitor.post(SMS_RESET, {"phone": f"06 00 00 00 {n:02d}"})

    response = visitor.post(SMS_RESET, {"phone": "06 00 00 00 99"})

    assert "Trop de demandes de code" in response.content.decode()


def test_weak_new_password_is_refused(visitor, jeanne):
    visitor.post(SMS_RESET, {"phone": "06 11 22 33 44"})
    visitor.post(SMS_CODE, {"code": sms_code()})

    response = visitor.post(SMS_NEW, {"password1": "court", "password2": "court"})

    assert response.status_code == 200
    assert "trop court" in response.content.decode()
    assert can_sign_in(PASSWORD)
