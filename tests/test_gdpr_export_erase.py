"""GDPR: the member downloads everything held about them, then erases it all at once.

Eulalie has every kind of personal data the platform keeps: a profile with a photo, a past
verified membership, a pending request with its proof, consents, a neighbour she
registered, SMS sent to her number, login attempts, a session, an admin log entry.
After erasure, no text column of any table holds her name, e-mail, phone or address.
"""

import io
import json
import os
import zipfile
from io import BytesIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from PIL import Image

from accounts.gdpr import account_erase, account_export_data
from accounts.models import ConsentRecord, Profile
from accounts.profiles import notification_preferences_update, profile_photo_prepare, profile_update
from communities.memberships import membership_change_community, neighbour_register
from communities.models import Membership, MembershipStatus, ProofOfAddress
from notifications.models import Notice
from tests.conftest import PASSWORD, pdf_upload

FIRST_NAME = "Eulalie"
LAST_NAME = "Quintardeau"
EMAIL = "eulalie.quintardeau@example.test"
PHONE = "+33698765432"
OLD_ADDRESS = "17 impasse des Glycines-Tordues"
NEW_ADDRESS = "3 chemin du Pigeonnier-Bleu"
# Every form in which her values could have been stored (national and international phone).
PERSONAL_VALUES = [
    FIRST_NAME,
    LAST_NAME,
    EMAIL,
    "698765432",
    "98 76 54 32",
    "Glycines-Tordues",
    "Pigeonnier-Bleu",
]


@pytest.fixture(autouse=True)
def _files(private_storage):
    return private_storage


def _jpeg():
    buffer = BytesIO()
    Image.new("RGB", (640, 480), "#884422").save(buffer, "JPEG")
    return SimpleUploadedFile("moi.jpg", buffer.getvalue())


@pytest.fixture
def eulalie(
    make_member, centre_bourg, tuileries, marc_moderator, django_capture_on_commit_callbacks
):
    eulalie = make_member(
        EMAIL,
        centre_bourg,
        first_name=FIRST_NAME,
        last_name=LAST_NAME,
        phone=PHONE,
        address=OLD_ADDRESS,
    )
    Membership.objects.filter(user=eulalie).update(
        decided_by=marc_moderator, decision_reason="Quittance de loyer conforme"
    )
    profile_update(
        user=eulalie,
        photo=profile_photo_prepare(_jpeg()),
        interests="Apiculture urbaine",
        bio="Ancienne garde forestière, je connais tous les sentiers.",
        phone_visibility="neighbours",
    )
    notification_preferences_update(user=eulalie, alerts_by_sms=False, news_by_email=False)
    ConsentRecord.objects.create(user=eulalie, kind=ConsentRecord.Kind.TERMS, granted=True)
    with django_capture_on_commit_callbacks(execute=True):
        # The invitation SMS to the neighbour names her: it must not outlive her either.
        neighbour_register(
            sponsor=eulalie,
            first_name="Firmin",
            last_name="Lacoste",
            phone="06 55 44 33 22",
            address="21 rue Basse",
        )
    membership_change_community(
        user=eulalie, community=tuileries, address=NEW_ADDRESS, proof_file=pdf_upload()
    )
    return eulalie


@pytest.fixture
def traces(eulalie):
    """What other parts of the platform keep about her, when they are installed."""
    made = {}
    outbound_sms = (
        apps.get_model("notifications", "OutboundSms")
        if _has("notifications", "OutboundSms")
        else None
    )
    if outbound_sms is not None:
        made["sms"] = outbound_sms.objects.create(
            to=PHONE,
            body=f"Bonjour {FIRST_NAME}, votre code est 123456.",
            purpose="account",
        )
    if apps.is_installed("axes"):
        from axes.models import AccessAttempt, AccessFailureLog

        for username in (EMAIL, "06 98 76 54 32"):
            AccessAttempt.objects.create(
                username=username,
                user_agent="Firefox",
                ip_address="192.0.2.10",
                http_accept="*/*",
                path_info="/accounts/login/",
                get_data="",
                post_data=f"login={username}",
                failures_since_start=1,
            )
            AccessFailureLog.objects.create(
                username=username,
                user_agent="Firefox",
                ip_address="192.0.2.10",
                http_accept="*/*",
                path_info="/accounts/login/",
            )
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=eulalie, email=EMAIL, verified=True, primary=True)
    from wagtail.log_actions import log

    log(instance=eulalie, action="wagtail.edit", user=None)
    made["alert"] = _alert_posted_by(eulalie)
    return made


def _alert_posted_by(user):
    from datetime import timedelta

    from django.utils import timezone

    from alerts.models import Alert, AlertCategory
    from communities.models import Community
    from moderation.models import Report
    from notifications.models import PushSubscription

    community = Community.objects.get(slug="centre-bourg")
    alert = Alert.objects.create(
        commune=community.commune,
        community=community,
        author=user,
        source="web",
        category=AlertCategory.LOST_ANIMAL,
        text="Chat tigré perdu près du lavoir",
        expires_at=timezone.now() + timedelta(hours=24),
    )
    Report.objects.create(
        commune=community.commune, content=alert, reporter=user, reason="Doublon de ma part"
    )
    PushSubscription.objects.create(
        user=user,
        endpoint="https://push.example.test/abc",
        p256dh="k" * 87,
        auth="a" * 22,
        user_agent="Firefox Android",
    )
    return alert


def _has(app_label, model_name):
    try:
        apps.get_model(app_label, model_name)
    except LookupError:
        return False
    return True


def _personal_values_in_database(values):
    """Every (table, column, value) where a text, char, e-mail or JSON column holds a value."""
    hits = []
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed or model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.JSONField):
                rows = model._base_manager.annotate(_text=Cast(field.name, models.TextField()))
                column = "_text"
            elif isinstance(field, models.CharField | models.TextField):
                rows = model._base_manager.all()
                column = field.name
            else:
                continue
            for value in values:
                if rows.filter(**{f"{column}__icontains": value}).exists():
                    hits.append((model._meta.db_table, field.name, value))
    return hits


def _export(client):
    response = client.get("/compte/donnees/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return response, archive, json.loads(archive.read("data.json"))


# --- Export --------------------------------------------------------------------------------------


def test_export_is_a_private_zip_download(client, sign_in, eulalie):
    sign_in(client, eulalie)

    response, archive, _data = _export(client)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="voisinage-mes-')
    assert "no-store" in response["Cache-Control"]
    assert "data.json" in archive.namelist()


def test_export_contains_every_personal_field(client, sign_in, eulalie, traces):
    sign_in(client, eulalie)

    _response, archive, data = _export(client)
    text = json.dumps(data, ensure_ascii=False)

    user = data["user"]
    assert (user["first_name"], user["last_name"], user["email"], user["phone"]) == (
        FIRST_NAME,
        LAST_NAME,
        EMAIL,
        PHONE,
    )
    assert user["language"] == "fr"
    assert "password" not in user
    assert data["profile"]["interests"] == "Apiculture urbaine"
    assert data["profile"]["bio"].startswith("Ancienne garde forestière")
    assert data["profile"]["phone_visibility"] == "neighbours"
    assert data["profile"]["alerts_by_sms"] is False

    memberships = {m["community"]: m for m in data["memberships"]}
    assert memberships["Centre-bourg"]["address"] == OLD_ADDRESS
    assert memberships["Centre-bourg"]["status"] == MembershipStatus.LEFT
    assert memberships["Centre-bourg"]["decision_reason"] == "Quittance de loyer conforme"
    assert memberships["Centre-bourg"]["decided_at"]
    assert memberships["Les Tuileries"]["address"] == NEW_ADDRESS
    assert memberships["Les Tuileries"]["status"] == MembershipStatus.PENDING
    assert memberships["Les Tuileries"]["commune"] == "Cadaujac"

    consents = [(c["kind"], c["granted"]) for c in data["consents"]]
    assert ("sms_alerts", False) in consents
    assert ("email_news", False) in consents
    assert ("terms", True) in consents
    assert all(c["recorded_at"] for c in data["consents"])
    assert data["neighbours_registered"][0]["name"] == "Firmin Lacoste"

    if "sms" in traces:
        assert [sms["to"] for sms in data["sms_sent_to_you"]] == [PHONE]
        assert f"Bonjour {FIRST_NAME}" in data["sms_sent_to_you"][0]["body"]
    if apps.is_installed("allauth.account"):
        assert [row["email"] for row in data["email_addresses"]] == [EMAIL]
    if apps.is_installed("axes"):
        assert data["sign_in_attempts"]["AccessAttempt"]
    assert [a["text"] for a in data["alerts_posted"]] == ["Chat tigré perdu près du lavoir"]
    assert data["alerts_posted"][0]["community"] == "Centre-bourg"
    assert [r["reason"] for r in data["reports_made"]] == ["Doublon de ma part"]
    assert [d["user_agent"] for d in data["push_devices"]] == ["Firefox Android"]

    # Her own files, byte for byte.
    photo = Profile.objects.get(user=eulalie).photo
    proof = ProofOfAddress.objects.get(membership__user=eulalie).file
    assert archive.read(data["profile"]["photo"]) == photo.read()
    proof_name = memberships["Les Tuileries"]["proof"]["file"]
    assert proof_name.endswith(".pdf")
    assert archive.read(proof_name) == proof.read()
    for value in (FIRST_NAME, LAST_NAME, EMAIL, PHONE, OLD_ADDRESS, NEW_ADDRESS):
        assert value in text


def test_export_holds_nothing_about_other_members(
    client, sign_in, eulalie, paul_neighbour, marc_moderator
):
    sign_in(client, eulalie)

    _response, _archive, data = _export(client)
    text = json.dumps(data, ensure_ascii=False)

    assert "paul@cadaujac.test" not in text
    assert "marc@cadaujac.test" not in text
    assert "+33655443322" not in text  # the neighbour she registered: name only


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def test_export_data_never_holds_secrets(eulalie):
    from accounts.services import totp_authenticator_ensure

    totp_authenticator_ensure(user=eulalie, secret=TOTP_SECRET)  # a second factor to leave out

    data = account_export_data(user=eulalie)

    assert "password" not in data["user"]
    assert data["second_factors"]
    assert "second_factors" not in data or all(
        set(row) == {"type", "created_at"} for row in data["second_factors"]
    )
    assert TOTP_SECRET not in json.dumps(data)


# --- Erasure -------------------------------------------------------------------------------------


def test_erasure_needs_confirmation_and_password(client, sign_in, eulalie):
    sign_in(client, eulalie)

    unconfirmed = client.post("/compte/supprimer/", {"password": PASSWORD})
    wrong_password = client.post("/compte/supprimer/", {"confirm": "on", "password": "nope"})

    assert unconfirmed.status_code == 400
    assert wrong_password.status_code == 400
    assert "Mot de passe incorrect." in wrong_password.content.decode()
    assert get_user_model().objects.filter(pk=eulalie.pk).exists()


def test_erasure_leaves_no_personal_value_anywhere(client, sign_in, eulalie, traces):
    photo_path = Profile.objects.get(user=eulalie).photo.path
    proof_path = ProofOfAddress.objects.get(membership__user=eulalie).file.path
    other_device = sign_in(Client(), eulalie)
    sign_in(client, eulalie)
    neighbour_membership = Membership.objects.get(sponsor=eulalie)
    # The search can fail: before erasure, it finds her everywhere.
    before = {hit[0] for hit in _personal_values_in_database(PERSONAL_VALUES)}
    assert {"accounts_user", "communities_membership"} <= before

    response = client.post("/compte/supprimer/", {"confirm": "on", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not get_user_model().objects.filter(pk=eulalie.pk).exists()
    assert _personal_values_in_database(PERSONAL_VALUES) == []
    assert not os.path.exists(photo_path)
    assert not os.path.exists(proof_path)
    assert not Membership.objects.filter(user_id=eulalie.pk).exists()
    assert not ConsentRecord.objects.filter(user_id=eulalie.pk).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(eulalie.pk)
    ]
    assert other_device.get("/compte/").status_code == 302  # signed out everywhere
    # What others need stays, without her: the neighbour she registered, the SMS counts.
    neighbour_membership.refresh_from_db()
    assert neighbour_membership.sponsor is None
    if "sms" in traces:
        traces["sms"].refresh_from_db()
        assert (traces["sms"].to, traces["sms"].body) == ("", "")
        assert traces["sms"].purpose == "account"
    # The invitation to the neighbour she registered keeps its sense, not her name.
    invitation = Notice.objects.get(recipient__phone="+33655443322")
    assert invitation.text.startswith("ancien membre vous inscrit")


def test_erasure_keeps_the_decisions_a_moderator_made_without_naming_them(eulalie, marc_moderator):
    decided = Membership.objects.get(user=eulalie, community__slug="centre-bourg")

    account_erase(user=marc_moderator)

    decided.refresh_from_db()
    assert decided.decided_by is None
    assert decided.decision_reason == "Quittance de loyer conforme"
    assert decided.decided_at is not None


def test_erasure_of_an_sms_only_member(db, django_user_model, centre_bourg):
    odette = django_user_model.objects.create_user(
        email=None, phone="+33633445566", first_name="Odette", last_name="Marsanne"
    )
    Membership.objects.create(
        user=odette, community=centre_bourg, address="2 place Saint-Orens", status="verified"
    )

    account_erase(user=odette)

    assert _personal_values_in_database(["Odette", "Marsanne", "633445566", "Saint-Orens"]) == []


def test_platform_team_accounts_are_not_erased_from_the_settings(client, sign_in, platform_admin):
    sign_in(client, platform_admin)

    page = client.get("/compte/supprimer/")
    refused = client.post("/compte/supprimer/", {"confirm": "on", "password": PASSWORD})

    assert "supprimés par un autre membre de l'équipe" in page.content.decode()
    assert refused.status_code == 403
    assert get_user_model().objects.filter(pk=platform_admin.pk).exists()
