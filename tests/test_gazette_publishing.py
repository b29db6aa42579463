"""Residents publish, edit and delete their own gazette posts from the front end.

Every refused input shows a clear message and stores nothing (no page, no photo file).
"""

import io
import os
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from gazette.models import GazetteCategory, GazettePhoto, GazettePost

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


def jpeg_upload(name="chat.jpg", size=(2400, 1800), exif=True):
    image = Image.new("RGB", size, "orange")
    buffer = io.BytesIO()
    if exif:
        tags = Image.Exif()
        tags[0x010F] = "PhoneMaker"  # Make
        tags[0x8825] = {2: (44.0, 45.0, 0.0)}  # GPSInfo: where the home is
        image.save(buffer, "JPEG", exif=tags)
    else:
        image.save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _client(user):
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def _form(**overrides):
    data = {
        "category": GazetteCategory.LOST_FOUND,
        "title": "Chat tigré perdu",
        "body": "Mon chat Pilou a disparu rue des Vignes.\nMerci de regarder vos garages.",
        "audience": "community",
        "expires_on": "",
    }
    data.update(overrides)
    return data


def _photo_files(root):
    return [p for p in root.rglob("*") if p.is_file() and "gazette" in p.parts]


def test_a_resident_publishes_a_post_with_a_photo_stripped_of_its_metadata(
    jeanne_resident, paul_neighbour, centre_bourg, private_storage
):
    response = _client(jeanne_resident).post(
        "/publier/", _form(photo_1=jpeg_upload(), alt_1="Chat tigré aux yeux verts")
    )

    post = GazettePost.objects.get()
    assert response.status_code == 302
    assert response["Location"] == post.get_url(current_site=post.get_site())
    assert post.live
    assert post.author == jeanne_resident
    assert list(post.communities.all()) == [centre_bourg]
    assert post.revisions.count() == 1
    photo = GazettePhoto.objects.get(post=post)
    assert photo.alt_text == "Chat tigré aux yeux verts"
    with Image.open(photo.file.path) as stored:
        assert stored.format == "JPEG"
        assert max(stored.size) == 1600
        assert not stored.getexif()
    page = _client(paul_neighbour).get(post.url).content.decode()
    assert "Chat tigré perdu" in page
    assert f"/gazette-fichiers/photos/{photo.pk}/" in page
    assert 'alt="Chat tigré aux yeux verts"' in page
    assert "Centre-bourg" in page


def test_classified_ads_expire_after_thirty_days_unless_told_otherwise(jeanne_resident):
    _client(jeanne_resident).post(
        "/publier/", _form(category=GazetteCategory.CLASSIFIED, title="Vends vélo enfant")
    )

    post = GazettePost.objects.get()
    assert post.expires_at - timezone.now() > timedelta(days=29, hours=23)
    assert post.expires_at - timezone.now() <= timedelta(days=30)


def _pdf():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return SimpleUploadedFile("chat.jpg", buffer.getvalue(), content_type="image/jpeg")


BAD_INPUTS = {
    "empty title": (_form(title="  "), "Donnez un titre"),
    "empty text": (_form(body=""), "Écrivez le texte"),
    "text too long": (_form(body="a" * 5001), "dépasse 5000 caractères"),
    "mairie category": (_form(category=GazetteCategory.MAIRIE), "Sélectionnez un choix valide"),
    "unknown category": (_form(category="politics"), "Sélectionnez un choix valide"),
    "another community": (_form(audience="17"), "Sélectionnez un choix valide"),
    "past expiry": (_form(expires_on="2020-01-01"), "dans le futur"),
    "absence dates": (
        _form(body="Nous partons en vacances du 3 au 17 août, surveillez la maison."),
        "inoccupé",
    ),
    "not a photo": (_form(photo_1="pdf"), "n&#x27;est pas une photo"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_and_nothing_is_stored(
    case, jeanne_resident, private_storage
):
    data, message = BAD_INPUTS[case]
    if data.get("photo_1") == "pdf":
        data = {**data, "photo_1": _pdf()}

    response = _client(jeanne_resident).post("/publier/", data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not GazettePost.objects.exists()
    assert not GazettePhoto.objects.exists()
    assert _photo_files(private_storage) == []


def test_more_than_four_photos_are_refused_by_the_service(jeanne_resident, private_storage):
    from django.core.exceptions import ValidationError

    from gazette.services import PhotoUpload, gazette_post_create

    with pytest.raises(ValidationError) as refused:
        gazette_post_create(
            author=jeanne_resident,
            category=GazetteCategory.OTHER,
            title="Photos du quartier",
            body="Quelques photos.",
            photos=[PhotoUpload(file=jpeg_upload(size=(40, 30))) for _ in range(5)],
        )

    assert "4 photos au plus" in str(refused.value)
    assert not GazettePost.objects.exists()
    assert _photo_files(private_storage) == []


def test_pending_members_and_outsiders_cannot_publish(pierre_pending, charlie_outsider):
    for user in (pierre_pending, charlie_outsider):
        response = _client(user).post("/publier/", _form())
        assert response.status_code == 403
        assert "Seuls les habitants vérifiés" in response.content.decode()
    assert not GazettePost.objects.exists()


def test_a_member_of_another_commune_cannot_publish_on_this_communes_site(
    cadaujac, dieter_didenheim
):
    response = _client(dieter_didenheim).post("/publier/", _form())

    assert response.status_code == 403
    assert not GazettePost.objects.exists()


@pytest.fixture
def jeannes_post(jeanne_resident, private_storage):
    from gazette.services import PhotoUpload, gazette_post_create

    return gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title="Je prête mon échelle",
        body="Échelle de 4 m, à venir chercher.",
        photos=[PhotoUpload(file=jpeg_upload(size=(80, 60)), alt_text="Une échelle")],
    )


def test_the_author_edits_their_post_and_removes_a_photo(jeannes_post, jeanne_resident):
    photo = jeannes_post.photos.get()
    path = photo.file.path

    response = _client(jeanne_resident).post(
        f"/publier/{jeannes_post.pk}/modifier/",
        _form(
            category=GazetteCategory.LOAN,
            title="Je prête mon échelle (4 m)",
            body="Toujours disponible.",
            audience="commune",
            remove_photos=[str(photo.pk)],
        ),
    )

    assert response.status_code == 302
    jeannes_post.refresh_from_db()
    assert jeannes_post.title == "Je prête mon échelle (4 m)"
    assert not jeannes_post.communities.exists()
    assert not jeannes_post.photos.exists()
    assert jeannes_post.revisions.count() == 2
    assert os.path.exists(path)  # the file goes after commit only; this test never commits


def test_nobody_edits_or_deletes_someone_elses_post(
    jeannes_post, paul_neighbour, marc_moderator, sign_in
):
    for user in (paul_neighbour, marc_moderator):
        client = sign_in(Client(HTTP_HOST=HOST), user)
        edit = client.post(f"/publier/{jeannes_post.pk}/modifier/", _form(title="Piraté"))
        delete = client.post(f"/publier/{jeannes_post.pk}/supprimer/")
        assert edit.status_code == 404
        assert delete.status_code == 404
    jeannes_post.refresh_from_db()
    assert jeannes_post.title == "Je prête mon échelle"


def test_the_author_deletes_their_post_with_its_photo_files(
    jeannes_post, jeanne_resident, django_capture_on_commit_callbacks, private_storage
):
    assert len(_photo_files(private_storage)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = _client(jeanne_resident).post(f"/publier/{jeannes_post.pk}/supprimer/")

    assert response.status_code == 302
    assert not GazettePost.objects.exists()
    assert _photo_files(private_storage) == []


def test_my_posts_lists_the_authors_posts_only(jeannes_post, jeanne_resident, paul_neighbour):
    mine = _client(jeanne_resident).get("/publier/mes-publications/").content.decode()
    theirs = _client(paul_neighbour).get("/publier/mes-publications/").content.decode()

    assert "Je prête mon échelle" in mine
    assert "En ligne" in mine
    assert "Je prête mon échelle" not in theirs
