"""A member's own settings: profile and photo, who sees what, alerts, language, community."""

import os
import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import ConsentRecord, Profile, Visibility
from communities.models import Membership, MembershipStatus, ProofOfAddress

from .conftest import pdf_upload

GPS_IFD = 0x8825


@pytest.fixture(autouse=True)
def _files(private_storage):
    return private_storage


def jpeg_with_gps(size=(2000, 1500)):
    """A camera-like JPEG whose EXIF block gives the position of the member's home."""
    image = Image.new("RGB", size, "#6b8e23")
    exif = Image.Exif()
    exif[0x010F] = "Appareil du voisin"  # Make
    exif[0x0110] = "Modèle 12"  # Model
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (44.0, 44.0, 12.5), 3: "W", 4: (0.0, 32.0, 1.2)})
    buffer = BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    with Image.open(BytesIO(data)) as check:
        assert check.getexif().get_ifd(GPS_IFD), "the test image must carry GPS data"
    return SimpleUploadedFile("IMG_2041.jpg", data, content_type="image/jpeg")


def _profile_post(**overrides):
    data = {
        "interests": "Jardinage ; je peux prêter une échelle",
        "bio": "Infirmière à la retraite.",
        "photo_visibility": "mairie",
        "address_visibility": "mairie",
        "phone_visibility": "mairie",
        "email_visibility": "mairie",
        "interests_visibility": "neighbours",
        "bio_visibility": "mairie",
    }
    data.update(overrides)
    return data


def test_settings_need_a_signed_in_member(client):
    for url in ("/compte/", "/compte/notifications/", "/compte/langue/", "/compte/communaute/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_privacy_page_is_public_and_says_what_is_kept_and_for_how_long(client, db):
    response = client.get("/compte/confidentialite/")

    html = response.content.decode()
    assert response.status_code == 200
    for fact in (
        "Supprimé dès la décision du modérateur, ou au bout de 30 jours",
        "12 mois",
        "supprimé après 2 ans sans activité",
        "Qui voit quoi",
        "téléchargez vos données",
        "supprimez votre compte",
        "CNIL",
    ):
        assert fact in html, fact


def test_profile_page_groups_each_visibility_choice_in_a_fieldset(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    html = client.get("/compte/").content.decode()

    assert html.count("<fieldset") >= 7
    assert "<legend>Qui voit mon téléphone</legend>" in html
    assert 'type="radio" name="phone_visibility" value="nobody"' in html
    assert 'enctype="multipart/form-data"' in html


def test_member_saves_profile_and_visibility(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    response = client.post(
        "/compte/",
        _profile_post(interests="Vélo, informatique", phone_visibility="neighbours"),
        follow=True,
    )

    profile = Profile.objects.get(user=jeanne_resident)
    assert profile.interests == "Vélo, informatique"
    assert profile.phone_visibility == Visibility.NEIGHBOURS
    assert "Votre profil est enregistré." in response.content.decode()


def test_invalid_visibility_is_refused_with_an_accessible_error(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    response = client.post("/compte/", _profile_post(phone_visibility="everyone"))

    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="id_phone_visibility_error"' in html
    assert 'role="alert"' in html
    assert Profile.objects.get(user=jeanne_resident).phone_visibility == Visibility.MAIRIE


def test_photo_is_resized_and_stripped_of_exif_gps(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    client.post("/compte/", _profile_post(photo_upload=jpeg_with_gps()))

    photo = Profile.objects.get(user=jeanne_resident).photo
    assert photo.name.startswith("photos/")
    assert "IMG_2041" not in photo.name
    with Image.open(photo.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (512, 384)
        assert not stored.getexif()
        assert "exif" not in stored.info
    with open(photo.path, "rb") as raw:
        content = raw.read()
    assert b"Exif" not in content
    assert b"Appareil du voisin" not in content


def test_transparent_png_becomes_a_jpeg_on_white(client, sign_in, jeanne_resident):
    buffer = BytesIO()
    Image.new("RGBA", (300, 600), (255, 0, 0, 0)).save(buffer, "PNG")
    sign_in(client, jeanne_resident)

    client.post(
        "/compte/",
        _profile_post(photo_upload=SimpleUploadedFile("moi.png", buffer.getvalue())),
    )

    with Image.open(Profile.objects.get(user=jeanne_resident).photo.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (256, 512)
        assert stored.getpixel((10, 10)) == (255, 255, 255)


def test_a_file_that_is_not_an_image_is_refused_in_french(
    client, sign_in, jeanne_resident, private_storage
):
    sign_in(client, jeanne_resident)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")

    response = client.post("/compte/", _profile_post(photo_upload=fake))

    assert response.status_code == 400
    assert "Cette image est illisible." in response.content.decode()
    assert not Profile.objects.get(user=jeanne_resident).photo
    assert not (private_storage / "photos").exists()


def test_a_new_photo_replaces_the_old_file_on_disk(
    client, sign_in, jeanne_resident, django_capture_on_commit_callbacks
):
    sign_in(client, jeanne_resident)
    client.post("/compte/", _profile_post(photo_upload=jpeg_with_gps()))
    first = Profile.objects.get(user=jeanne_resident).photo.path

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/", _profile_post(photo_upload=jpeg_with_gps((600, 600))))

    assert not os.path.exists(first)
    assert os.path.exists(Profile.objects.get(user=jeanne_resident).photo.path)


def test_member_removes_their_photo(
    client, sign_in, jeanne_resident, django_capture_on_commit_callbacks
):
    sign_in(client, jeanne_resident)
    client.post("/compte/", _profile_post(photo_upload=jpeg_with_gps()))
    path = Profile.objects.get(user=jeanne_resident).photo.path

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/compte/", _profile_post(remove_photo="on"))

    assert not Profile.objects.get(user=jeanne_resident).photo
    assert not os.path.exists(path)


def test_own_photo_is_served_to_its_owner_even_while_pending(client, sign_in, pierre_pending):
    sign_in(client, pierre_pending)
    client.post("/compte/", _profile_post(photo_upload=jpeg_with_gps()))

    response = client.get("/compte/photo/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")


# --- Alerts, news and consents -------------------------------------------------------------------


def _notifications(**values):
    data = {
        "alerts_by_sms": "on",
        "alerts_by_email": "on",
        "alerts_by_push": "on",
        "news_by_email": "on",
    }
    data.update(values)
    return {key: value for key, value in data.items() if value}


def test_consent_changes_are_logged_with_their_time(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    client.post("/compte/notifications/", _notifications(alerts_by_sms=None))
    client.post("/compte/notifications/", _notifications(alerts_by_sms=None))  # no change
    client.post("/compte/notifications/", _notifications(news_by_email=None))

    records = list(
        ConsentRecord.objects.filter(user=jeanne_resident)
        .order_by("recorded_at", "pk")
        .values_list("kind", "granted")
    )
    assert records == [
        (ConsentRecord.Kind.SMS_ALERTS, False),
        (ConsentRecord.Kind.SMS_ALERTS, True),
        (ConsentRecord.Kind.EMAIL_NEWS, False),
    ]
    assert all(r.recorded_at for r in ConsentRecord.objects.filter(user=jeanne_resident))
    profile = Profile.objects.get(user=jeanne_resident)
    assert profile.alerts_by_sms is True
    assert profile.news_by_email is False
    assert profile.news_by_push is False


def test_channel_choices_that_are_not_consents_are_saved_without_a_record(
    client, sign_in, jeanne_resident
):
    sign_in(client, jeanne_resident)

    client.post("/compte/notifications/", _notifications(alerts_by_push=None, news_by_push="on"))

    profile = Profile.objects.get(user=jeanne_resident)
    assert profile.alerts_by_push is False
    assert profile.news_by_push is True
    assert not ConsentRecord.objects.filter(user=jeanne_resident).exists()


def test_consent_history_is_shown_to_the_member(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)
    client.post("/compte/notifications/", _notifications(alerts_by_sms=None))

    html = client.get("/compte/notifications/").content.decode()

    assert "Historique de mes consentements" in html
    assert "Alertes par SMS" in html
    assert "Retiré" in html


# --- Language ------------------------------------------------------------------------------------


def test_language_is_saved_and_used_at_once(client, sign_in, jeanne_resident, settings):
    sign_in(client, jeanne_resident)

    response = client.post("/compte/langue/", {"language": "en"}, follow=True)

    jeanne_resident.refresh_from_db()
    assert jeanne_resident.language == "en"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response.wsgi_request.LANGUAGE_CODE == "en"
    html = response.content.decode()
    assert "Immediate danger: dial 17 (or 112)." in re.sub(r"<[^>]+>", "", html)
    assert 'href="tel:17"' in html


def test_unknown_language_is_refused(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    response = client.post("/compte/langue/", {"language": "de"})

    assert response.status_code == 400
    jeanne_resident.refresh_from_db()
    assert jeanne_resident.language == "fr"


# --- Community: change or leave ------------------------------------------------------------------


def test_moving_to_another_community_goes_back_through_verification(
    client, sign_in, jeanne_resident, tuileries, paul_neighbour
):
    sign_in(client, jeanne_resident)

    response = client.post(
        "/compte/communaute/",
        {"community": tuileries.pk, "address": "5 rue des Tuiles", "proof": pdf_upload()},
        follow=True,
    )

    memberships = {m.community.slug: m for m in jeanne_resident.memberships.all()}
    assert memberships["centre-bourg"].status == MembershipStatus.LEFT
    assert memberships["tuileries"].status == MembershipStatus.PENDING
    assert memberships["tuileries"].address == "5 rue des Tuiles"
    assert ProofOfAddress.objects.filter(membership=memberships["tuileries"]).exists()
    assert "Un modérateur va vérifier votre nouvelle adresse" in response.content.decode()
    # Pending again: the directory is closed until a moderator decides.
    assert client.get("/annuaire/").status_code == 404
    sign_in(client, paul_neighbour)
    assert "Lafargue" not in client.get("/annuaire/").content.decode()


def test_community_of_another_commune_is_refused(
    client, sign_in, jeanne_resident, tuileries, village
):
    sign_in(client, jeanne_resident)

    response = client.post(
        "/compte/communaute/",
        {"community": village.pk, "address": "1 rue du Rhin", "proof": pdf_upload()},
    )

    assert response.status_code == 400
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert list(jeanne_resident.memberships.values_list("status", flat=True)) == ["verified"]


def test_a_proof_that_is_not_a_pdf_or_image_changes_nothing(
    client, sign_in, jeanne_resident, tuileries
):
    sign_in(client, jeanne_resident)
    fake = SimpleUploadedFile("facture.pdf", b"MZ\x90\x00 not a pdf at all" * 10)

    response = client.post(
        "/compte/communaute/",
        {"community": tuileries.pk, "address": "5 rue des Tuiles", "proof": fake},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "n&#x27;est pas un PDF, un JPEG ou un PNG" in html
    assert 'aria-describedby="id_proof_help id_proof_error"' in html
    assert list(jeanne_resident.memberships.values_list("status", flat=True)) == ["verified"]


def test_community_page_lists_past_requests_and_their_decisions(client, sign_in, jeanne_resident):
    Membership.objects.filter(user=jeanne_resident).update(decision_reason="Facture conforme")
    sign_in(client, jeanne_resident)

    html = client.get("/compte/communaute/").content.decode()

    assert "Centre-bourg (Cadaujac)" in html
    assert "Vérifiée" in html
    assert "Facture conforme" in html


def test_leaving_asks_for_confirmation_first(client, sign_in, jeanne_resident):
    sign_in(client, jeanne_resident)

    page = client.get("/compte/communaute/quitter/")

    assert "Oui, quitter la communauté" in page.content.decode()
    assert jeanne_resident.memberships.get().status == MembershipStatus.VERIFIED

    client.post("/compte/communaute/quitter/")

    assert jeanne_resident.memberships.get().status == MembershipStatus.LEFT
    assert client.get("/annuaire/").status_code == 404
    assert client.get(f"/annuaire/{jeanne_resident.pk}/").status_code == 404


def test_leaving_without_a_community_says_so(client, sign_in, charlie_outsider):
    sign_in(client, charlie_outsider)

    response = client.post("/compte/communaute/quitter/", follow=True)

    assert "Vous n&#x27;êtes membre d&#x27;aucune communauté." in response.content.decode()


def test_an_image_of_absurd_dimensions_is_refused_before_decoding(client, sign_in, jeanne_resident):
    buffer = BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # a few kB on disk, 48 Mpx decoded
    sign_in(client, jeanne_resident)

    response = client.post(
        "/compte/",
        _profile_post(photo_upload=SimpleUploadedFile("immense.png", buffer.getvalue())),
    )

    assert response.status_code == 400
    assert "Cette image est trop grande." in response.content.decode()
    assert not Profile.objects.get(user=jeanne_resident).photo


def test_members_pages_follow_the_members_language(client, sign_in, jeanne_resident):
    jeanne_resident.language = "en"
    jeanne_resident.save(update_fields=["language"])
    sign_in(client, jeanne_resident)

    directory = client.get("/annuaire/")
    settings_page = client.get("/compte/")

    assert directory["Content-Language"] == "en"
    assert '<html lang="en">' in directory.content.decode()
    assert "Neighbour directory" in directory.content.decode()
    assert "Who sees what?" in settings_page.content.decode()
    assert "Delete my account" in settings_page.content.decode()
