"""Signing up with a taken e-mail or phone does a new account's work and gets its answer.

Timing told whether an account existed (~0.06 s against ~0.22 s): the new account's
password was hashed, the taken one's was not. Both paths now hash the password once and
send one message, and the visitor sees the same pages. Counted through a real password
hasher configured for these tests, not with a clock.
"""

import io
import re

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from notifications.models import OutboundSms
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
NEW_EMAIL = "nadia@exemple.test"
# Another new address for the genuine sign-up: allauth lets one code e-mail a few minutes
# go to an address, and the pretend path counts as one.
OTHER_NEW_EMAIL = "nouvelle@exemple.test"
NEW_PHONE = "06 12 34 56 78"
TAKEN_EMAIL = "marie@exemple.test"
TAKEN_PHONE = "06 11 00 00 02"


class CountingHasher(MD5PasswordHasher):
    """Django's MD5 hasher (the tests' one), counting how many passwords it hashes."""

    algorithm = "counting_md5"
    encodings = 0

    def encode(self, password, salt):
        type(self).encodings += 1
        return super().encode(password, salt)


@pytest.fixture(autouse=True)
def counting_hasher(settings):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    return CountingHasher


@pytest.fixture
def marie(make_user, counting_hasher):
    return make_user(
        TAKEN_EMAIL,
        first_name="Marie",
        phone="+33611000002",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def proof():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PDF")
    return SimpleUploadedFile("facture.pdf", buffer.getvalue(), "application/pdf")


def sign_up(community, *, email, phone):
    """Post the sign-up form as a visitor; what it cost and what the visitor saw."""
    CountingHasher.encodings = 0
    mail.outbox.clear()
    sms_before = OutboundSms.objects.count()
    visitor = Client(headers={"host": CADAUJAC_HOST})
    response = visitor.post(
        SIGNUP,
        {
            "first_name": "Nadia",
            "last_name": "Roussel",
            "email": email,
            "phone": phone,
            "password1": "un-long-mot-de-passe-2026",
            "address": "12 chemin des Vignes",
            "community": str(community.pk),
            "proof": proof(),
            "consent_terms": "on",
        },
    )
    work = {
        "passwords_hashed": CountingHasher.encodings,
        "messages_sent": len(mail.outbox) + OutboundSms.objects.count() - sms_before,
    }
    next_page = visitor.get(response["Location"]) if response.status_code == 302 else None
    return work, response, next_page


def as_seen(response, typed_email: str) -> str:
    """A page as the visitor reads it: without per-request tokens, with their own address."""
    html = response.content.decode()
    html = re.sub(r'(name="csrfmiddlewaretoken" value=")[^"]+', r"\1", html)
    html = re.sub(r'nonce="[^"]*"', "", html)
    return html.replace(typed_email, "ADDRESS")


@pytest.mark.parametrize(
    ("email", "phone"),
    [(TAKEN_EMAIL, NEW_PHONE), (NEW_EMAIL, TAKEN_PHONE), (TAKEN_EMAIL, TAKEN_PHONE)],
    ids=["taken_email", "taken_phone", "both_taken"],
)
def test_signing_up_with_a_taken_identifier_does_the_same_work_as_a_new_account(
    centre_bourg, marie, email, phone
):
    taken_work, taken, taken_next = sign_up(centre_bourg, email=email, phone=phone)
    new_work, new, new_next = sign_up(centre_bourg, email=OTHER_NEW_EMAIL, phone=NEW_PHONE)

    assert new_work == {"passwords_hashed": 1, "messages_sent": 1}
    assert taken_work == new_work
    assert (taken.status_code, taken["Location"]) == (new.status_code, new["Location"])
    assert taken_next.status_code == new_next.status_code == 200
    assert as_seen(taken_next, email) == as_seen(new_next, OTHER_NEW_EMAIL)
