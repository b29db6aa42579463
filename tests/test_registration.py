"""A resident registers on their commune's site, confirms e-mail and phone, then waits.

Bad input of every kind gets a French message and leaves nothing behind: no account, no
membership, no proof row, no file.
"""

import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from pypdf import PdfWriter

from accounts.models import ConsentRecord, Profile
from accounts.registration_proofs import FOLDER as KEPT_FOLDER
from communities.models import Community, Membership, MembershipStatus, ProofOfAddress
from notifications.models import OutboundSms
from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST

pytestmark = pytest.mark.django_db

SIGNUP = "/accounts/signup/"
NEW_EMAIL = "nadia@exemple.test"
NEW_PHONE = "+33612345678"


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def proof(content: bytes | None = None, name: str = "facture.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, pdf_bytes() if content is None else content, content_type)


def proof_files() -> set[Path]:
    root = Path(ProofOfAddress._meta.get_field("file").storage.location)
    return set(root.rglob("*")) if root.exists() else set()


@pytest.fixture(autouse=True)
def _remove_new_proof_files():
    before = proof_files()
    yield
    for path in proof_files() - before:
        if path.is_file():
            path.unlink()


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


@pytest.fixture
def bourg_nord(cadaujac):
    return Community.objects.create(commune=cadaujac, name="Bourg nord", slug="bourg-nord")


@pytest.fixture
def didenheim_quartier(didenheim):
    return Community.objects.create(commune=didenheim, name="Village", slug="village")


def form_data(chosen, **changes):
    data = {
        "first_name": "Nadia",
        "last_name": "Roussel",
        "email": NEW_EMAIL,
        "phone": "06 12 34 56 78",
        "password1": "un-long-mot-de-passe-2026",
        "address": "12 chemin des Vignes",
        "community": str(chosen.pk),
        "proof": proof(),
        "consent_terms": "on",
        "consent_sms": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    return {
        "users": get_user_model().objects.count(),
        "memberships": Membership.objects.count(),
        "proofs": ProofOfAddress.objects.count(),
        "consents": ConsentRecord.objects.count(),
        # A proof kept for the corrected attempt is no stored proof (its own tests:
        # test_registration_proof_kept.py).
        "files": len([p for p in proof_files() if p.is_file() and KEPT_FOLDER not in p.parts]),
    }


def email_code() -> str:
    body = mail.outbox[-1].body
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", body, re.MULTILINE).group(1)


def sms_code(phone: str = NEW_PHONE) -> str:
    sms = OutboundSms.objects.filter(to=phone, purpose="verification_code").latest("pk")
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


# --- The form ------------------------------------------------------------------------------------


def test_signup_form_lists_only_this_communes_communities_and_sends_files(
    visitor, centre_bourg, didenheim_quartier
):
    html = visitor.get(SIGNUP).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert "Centre-bourg" in html
    assert "Village" not in html
    for name in ("first_name", "last_name", "email", "phone", "password1", "address", "proof"):
        assert f'name="{name}"' in html
    assert 'autocomplete="new-password"' in html
    assert 'autocomplete="tel"' in html


def test_platform_site_asks_to_choose_a_commune_first(client, cadaujac, didenheim):
    html = client.get(SIGNUP, headers={"host": "127.0.0.1"}).content.decode()

    assert "Choisissez-la" in html
    assert f"http://{CADAUJAC_HOST}" in html
    assert f"http://{DIDENHEIM_HOST}" in html
    assert 'name="password1"' not in html


def test_commune_home_invites_visitors_to_join(visitor, cadaujac):
    html = visitor.get("/").content.decode()

    assert 'href="/accounts/signup/">Rejoindre mes voisins</a>' in html


def test_coordinates_inside_a_boundary_preselect_the_community(visitor, cadaujac, centre_bourg):
    centre_bourg.boundary = {
        "type": "Polygon",
        "coordinates": [[[-0.54, 44.74], [-0.52, 44.74], [-0.52, 44.76], [-0.54, 44.76]]],
    }
    centre_bourg.save()

    html = visitor.get(SIGNUP, {"latitude": "44.75", "longitude": "-0.53"}).content.decode()

    assert re.search(rf'<option value="{centre_bourg.pk}" selected>', html)


# --- The whole registration ------------------------------------------------------------------


def test_registration_creates_a_pending_member_then_verifies_email_and_phone(visitor, centre_bourg):
    response = visitor.post(SIGNUP, form_data(centre_bourg))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = get_user_model().objects.get(email=NEW_EMAIL)
    assert str(user.phone) == NEW_PHONE
    assert user.phone_verified_at is None
    assert user.email_verified_at is None
    membership = Membership.objects.get(user=user)
    assert membership.status == MembershipStatus.PENDING
    assert membership.community == centre_bourg
    assert membership.address == "12 chemin des Vignes"
    proof_row = membership.proof
    assert proof_row.content_type == "application/pdf"
    from django.conf import settings

    assert Path(proof_row.file.path).is_relative_to(Path(settings.PRIVATE_ROOT))
    assert not Path(proof_row.file.path).is_relative_to(Path(settings.MEDIA_ROOT))
    assert Path(proof_row.file.path).read_bytes().startswith(b"%PDF")
    assert "facture" not in proof_row.file.name
    consents = dict(ConsentRecord.objects.filter(user=user).values_list("kind", "granted"))
    assert consents == {"terms": True, "sms_alerts": True}
    assert Profile.objects.get(user=user).alerts_by_sms is True
    assert "_auth_user_id" not in visitor.session

    # E-mail first: a code in French.
    assert mail.outbox[-1].to == [NEW_EMAIL]
    response = visitor.post("/accounts/confirm-email/", {"code": email_code()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    user.refresh_from_db()
    assert user.email_verified_at is not None

    # Then the phone: a 6-digit code by SMS, through the outbox.
    sms = OutboundSms.objects.get(to=NEW_PHONE, purpose="verification_code")
    assert re.fullmatch(r".*\b\d{6}\b.*", sms.body)
    response = visitor.post("/accounts/phone/verify/", {"code": sms_code()})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/en-attente/"
    assert visitor.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.phone_verified_at is not None
    page = visitor.get("/accounts/en-attente/").content.decode()
    assert "Votre inscription est en attente de validation" in page
    assert "Centre-bourg" in page


def test_registration_accepts_a_png_proof_and_no_sms_consent(visitor, centre_bourg):
    data = form_data(
        centre_bourg,
        proof=proof(png_bytes(), "photo.png", "image/png"),
        consent_sms=None,
    )

    assert visitor.post(SIGNUP, data).status_code == 302

    user = get_user_model().objects.get(email=NEW_EMAIL)
    assert user.memberships.get().proof.content_type == "image/png"
    assert ConsentRecord.objects.get(user=user, kind="sms_alerts").granted is False
    assert Profile.objects.get(user=user).alerts_by_sms is False


# --- Bad input ----------------------------------------------------------------------------------


BAD_INPUT = {
    "proof_is_text_named_pdf": (
        {"proof": proof(b"Ceci n'est pas un PDF, juste du texte.", "facture.pdf")},
        "Ce fichier n'est pas un PDF, un JPEG ou un PNG.",
    ),
    "proof_is_a_script_named_png": (
        {"proof": proof(b"#!/bin/sh\necho hello\n", "photo.png", "image/png")},
        "Ce fichier n'est pas un PDF, un JPEG ou un PNG.",
    ),
    "proof_over_5_mb": (
        {"proof": proof(pdf_bytes() + b"0" * (5 * 1024 * 1024), "gros.pdf")},
        "Le fichier dépasse 5 Mo.",
    ),
    "proof_empty": ({"proof": proof(b"", "vide.pdf")}, "Le fichier est vide."),
    "proof_missing": ({"proof": None}, "Joignez un justificatif de domicile."),
    "phone_invalid": ({"phone": "12345"}, "Ce numéro de téléphone n'est pas valide."),
    "phone_landline": ({"phone": "05 56 00 00 80"}, "Ce numéro n'est pas un numéro de mobile"),
    "phone_foreign": ({"phone": "+44 7400 123456"}, "Indiquez un numéro de mobile français"),
    "terms_not_accepted": (
        {"consent_terms": None},
        "Vous devez accepter les conditions d'utilisation pour vous inscrire.",
    ),
    "password_too_short": ({"password1": "court"}, "Ce mot de passe est trop court."),
    "password_too_common": ({"password1": "password1234"}, "Ce mot de passe est trop courant."),
    "no_address": ({"address": ""}, "Indiquez votre adresse."),
    "no_name": ({"first_name": ""}, "Indiquez votre prénom."),
    "no_community": ({"community": ""}, "Choisissez votre communauté dans la liste."),
}


@pytest.mark.parametrize("case", BAD_INPUT, ids=list(BAD_INPUT))
def test_bad_input_is_refused_in_french_and_creates_nothing(visitor, centre_bourg, case):
    changes, message = BAD_INPUT[case]
    before = counts()

    response = visitor.post(SIGNUP, form_data(centre_bourg, **changes))

    assert response.status_code == 200
    html = response.content.decode()
    assert message.replace("'", "&#x27;") in html
    assert 'aria-invalid="true"' in html
    assert counts() == before
    assert OutboundSms.objects.count() == 0
    assert mail.outbox == []


def test_community_of_another_commune_is_refused(visitor, centre_bourg, didenheim_quartier):
    before = counts()

    response = visitor.post(SIGNUP, form_data(didenheim_quartier))

    assert response.status_code == 200
    assert "Choisissez une communauté de votre commune dans la liste." in response.content.decode()
    assert counts() == before


def test_registration_posted_to_the_platform_site_creates_nothing(client, centre_bourg):
    before = counts()

    response = client.post(SIGNUP, form_data(centre_bourg), headers={"host": "127.0.0.1"})

    assert response.status_code == 200
    assert counts() == before


# --- Existing accounts are not revealed --------------------------------------------------------


@pytest.fixture
def marie(make_user, centre_bourg):
    return make_user(
        "marie@exemple.test",
        first_name="Marie",
        phone="+33611000002",
        email_verified_at=timezone.now(),
        phone_verified_at=timezone.now(),
    )


def test_registering_with_a_taken_email_looks_the_same_and_warns_its_owner(
    visitor, centre_bourg, marie
):
    before = counts()

    response = visitor.post(SIGNUP, form_data(centre_bourg, email="Marie@Exemple.test"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert counts() == before
    assert [m.to for m in mail.outbox] == [["marie@exemple.test"]]
    # The page that follows is the same code page a new member gets.
    page = visitor.get("/accounts/confirm-email/")
    assert page.status_code == 200
    assert "Saisissez le code reçu par e-mail" in page.content.decode()


def test_registering_with_a_taken_phone_looks_the_same_and_warns_its_owner(
    visitor, centre_bourg, marie
):
    before = counts()

    response = visitor.post(SIGNUP, form_data(centre_bourg, phone="06 11 00 00 02"))

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert counts() == before
    notice = OutboundSms.objects.get()
    assert notice.to == "+33611000002"
    assert "déjà un compte" in notice.body
    # The stranger's new address is not told about somebody else's account.
    assert mail.outbox == []


# --- Codes: wrong, expired, replayed -----------------------------------------------------------


@pytest.fixture
def at_phone_step(visitor, centre_bourg):
    visitor.post(SIGNUP, form_data(centre_bourg))
    visitor.post("/accounts/confirm-email/", {"code": email_code()})
    return visitor


def test_wrong_sms_code_is_refused_then_the_sign_up_step_ends_after_three(at_phone_step):
    user = get_user_model().objects.get(email=NEW_EMAIL)
    wrong = "000000" if sms_code() != "000000" else "111111"

    first = at_phone_step.post("/accounts/phone/verify/", {"code": wrong})
    assert first.status_code == 200
    assert "Code incorrect" in first.content.decode()
    at_phone_step.post("/accounts/phone/verify/", {"code": wrong})
    third = at_phone_step.post("/accounts/phone/verify/", {"code": wrong})

    assert third.status_code == 302
    assert third["Location"] == "/accounts/login/"
    user.refresh_from_db()
    assert user.phone_verified_at is None
    assert "_auth_user_id" not in at_phone_step.session


def test_expired_sms_code_is_refused(at_phone_step):
    code = sms_code()

    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        response = at_phone_step.post("/accounts/phone/verify/", {"code": code})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert get_user_model().objects.get(email=NEW_EMAIL).phone_verified_at is None


def test_sms_code_cannot_be_replayed(at_phone_step):
    code = sms_code()
    assert at_phone_step.post("/accounts/phone/verify/", {"code": code}).status_code == 302
    at_phone_step.post("/accounts/logout/")

    replay = at_phone_step.post("/accounts/phone/verify/", {"code": code})

    assert replay.status_code == 302
    assert replay["Location"] == "/accounts/login/"
    assert "_auth_user_id" not in at_phone_step.session


def test_member_who_left_before_the_phone_step_is_asked_again_at_sign_in(
    at_phone_step, centre_bourg
):
    at_phone_step.post("/accounts/logout/")
    fresh = Client(headers={"host": CADAUJAC_HOST})

    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        response = fresh.post(
            "/accounts/login/", {"login": NEW_EMAIL, "password": "un-long-mot-de-passe-2026"}
        )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    assert "_auth_user_id" not in fresh.session
    assert OutboundSms.objects.filter(to=NEW_PHONE, purpose="verification_code").count() == 2
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified


def test_password_similar_to_the_users_own_details_is_welcome_when_long(visitor, centre_bourg):
    # Length and a common-password list, no character classes (CNIL 2022-100).
    data = form_data(centre_bourg, password1="tout en minuscules sans chiffres")

    assert visitor.post(SIGNUP, data).status_code == 302
