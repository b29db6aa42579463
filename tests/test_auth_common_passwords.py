"""The passwords people in France try first are refused wherever a password is chosen.

Sign-up, change and reset (by e-mail or SMS code) refuse ``motdepasse123`` and its kind —
a common French password, alone or padded with digits — with a French message saying why;
a passphrase goes through.
"""

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from accounts.password_validation import FrenchCommonPasswordValidator
from notifications.models import OutboundSms
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

COMMON = ["motdepasse123", "azerty123456", "soleil123456", "Mot de passe 2026", "123456789012"]
PASSPHRASE = "lavande et tuiles rouges du lavoir"
MESSAGE = "Ce mot de passe est trop courant."
EXPLANATION = "même avec des chiffres ajoutés"


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


def refused_in_french(response) -> bool:
    html = response.content.decode().replace("&#x27;", "'")
    return response.status_code == 200 and MESSAGE in html and EXPLANATION in html


def can_sign_in(password: str) -> bool:
    client = Client(headers={"host": CADAUJAC_HOST})
    client.post("/accounts/login/", {"login": "jeanne@exemple.test", "password": password})
    return "_auth_user_id" in client.session


def sign_up(client, community, password):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PDF")
    return client.post(
        "/accounts/signup/",
        {
            "first_name": "Nadia",
            "last_name": "Roussel",
            "email": "nadia@exemple.test",
            "phone": "06 12 34 56 78",
            "password1": password,
            "address": "12 chemin des Vignes",
            "community": str(community.pk),
            "proof": SimpleUploadedFile("facture.pdf", buffer.getvalue(), "application/pdf"),
            "consent_terms": "on",
        },
    )


@pytest.mark.parametrize("password", COMMON)
def test_sign_up_refuses_a_common_french_password(visitor, centre_bourg, password):
    response = sign_up(visitor, centre_bourg, password)

    assert refused_in_french(response)
    assert not get_user_model().objects.filter(email="nadia@exemple.test").exists()


def test_sign_up_accepts_a_passphrase(visitor, centre_bourg):
    response = sign_up(visitor, centre_bourg, PASSPHRASE)

    assert response.status_code == 302
    assert get_user_model().objects.filter(email="nadia@exemple.test").exists()


@pytest.mark.parametrize("password", [*COMMON, PASSPHRASE])
def test_password_change_refuses_common_french_passwords(visitor, jeanne, password):
    visitor.post("/accounts/login/", {"login": "jeanne@exemple.test", "password": PASSWORD})

    response = visitor.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": password, "password2": password},
    )

    if password == PASSPHRASE:
        assert response.status_code == 302
        assert can_sign_in(PASSPHRASE)
    else:
        assert refused_in_french(response)
        assert can_sign_in(PASSWORD)


@pytest.mark.parametrize("password", ["motdepasse123", PASSPHRASE])
def test_password_reset_by_email_refuses_common_french_passwords(visitor, jeanne, password):
    visitor.post("/accounts/password/reset/", {"email": "jeanne@exemple.test"})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M).group(1)
    visitor.post("/accounts/password/reset/confirm/", {"code": code})

    response = visitor.post(
        "/accounts/password/reset/complete/", {"password1": password, "password2": password}
    )

    if password == PASSPHRASE:
        assert response.status_code == 302
        assert can_sign_in(PASSPHRASE)
    else:
        assert refused_in_french(response)
        assert can_sign_in(PASSWORD)


@pytest.mark.parametrize("password", ["soleil123456", PASSPHRASE])
def test_password_reset_by_sms_refuses_common_french_passwords(visitor, jeanne, password):
    visitor.post("/accounts/password/reset/sms/", {"phone": "06 11 22 33 44"})
    sms = OutboundSms.objects.filter(to="+33611223344").latest("pk")
    visitor.post("/accounts/password/reset/sms/code/", {"code": re.search(r"\d{6}", sms.body)[0]})

    response = visitor.post(
        "/accounts/password/reset/sms/new/", {"password1": password, "password2": password}
    )

    if password == PASSPHRASE:
        assert response.status_code == 302
        assert can_sign_in(PASSPHRASE)
    else:
        assert refused_in_french(response)
        assert can_sign_in(PASSWORD)


@pytest.mark.parametrize(
    "password",
    ["azerty", "AZERTY123456", "marseille13013", "jetaime!!2026", "Écureuil2026!", "password1234"],
)
def test_common_passwords_are_recognised_with_case_accents_and_padding(password):
    assert FrenchCommonPasswordValidator().is_common(password)


@pytest.mark.parametrize(
    "password",
    [PASSPHRASE, "correct-horse-battery-staple-2026", "Garonne, 14 juillet, pluie", "583920174653"],
)
def test_uncommon_passwords_pass(password):
    assert not FrenchCommonPasswordValidator().is_common(password)
