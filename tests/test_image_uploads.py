"""Every door that takes an image: a pixel flood gets the form's error, never a 500.

A 74-byte PNG can declare 50,000 × 50,000 pixels; decoding it would take gigabytes.
Posted through the real forms (sign-up proof, change of community, profile photo,
gazette photo), it is refused with the form's French message and nothing is stored.
"""

import io
import struct
import zlib

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Profile
from communities.models import Membership, ProofOfAddress
from gazette.models import GazettePhoto, GazettePost
from tests.conftest import CADAUJAC_HOST
from tests.test_gazette_publishing import _form as gazette_form
from tests.test_registration import SIGNUP, form_data

TOO_BIG = "Cette image est trop grande."


def pixel_flood_png(width: int = 50_000, height: int = 50_000) -> bytes:
    """A valid PNG header declaring ``width`` × ``height`` pixels, with next to no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00"))
        + chunk(b"IEND", b"")
    )


def _flood(name="justificatif.png"):
    return SimpleUploadedFile(name, pixel_flood_png(), content_type="image/png")


def _stored_files(root):
    return [path for path in root.rglob("*") if path.is_file()]


def test_the_pixel_flood_is_a_tiny_file():
    content = pixel_flood_png()

    assert len(content) <= 80
    from PIL import Image

    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(content))


def test_a_pixel_flood_as_sign_up_proof_gets_the_forms_error(centre_bourg, private_storage):
    users = get_user_model().objects.count()

    response = Client(HTTP_HOST=CADAUJAC_HOST).post(SIGNUP, form_data(centre_bourg, proof=_flood()))

    assert response.status_code == 200
    html = response.content.decode()
    assert TOO_BIG in html
    assert 'aria-invalid="true"' in html
    assert get_user_model().objects.count() == users
    assert not ProofOfAddress.objects.exists()
    assert _stored_files(private_storage) == []


def test_a_pixel_flood_as_new_community_proof_gets_the_forms_error(
    sign_in, jeanne_resident, tuileries, private_storage
):
    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), jeanne_resident)

    response = client.post(
        "/compte/communaute/",
        {"community": tuileries.pk, "address": "3 rue des Tuileries", "proof": _flood()},
    )

    assert response.status_code == 400
    assert TOO_BIG in response.content.decode()
    assert list(Membership.objects.filter(user=jeanne_resident).values_list("status")) == [
        ("verified",)
    ]
    assert not ProofOfAddress.objects.exists()
    assert _stored_files(private_storage) == []


def test_a_pixel_flood_as_profile_photo_gets_the_forms_error(
    sign_in, jeanne_resident, private_storage
):
    from tests.test_account_settings import _profile_post

    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), jeanne_resident)

    response = client.post("/compte/", _profile_post(photo_upload=_flood("moi.png")))

    assert response.status_code == 400
    assert TOO_BIG in response.content.decode()
    assert not Profile.objects.get(user=jeanne_resident).photo
    assert _stored_files(private_storage) == []


def test_a_pixel_flood_as_gazette_photo_gets_the_forms_error(
    sign_in, jeanne_resident, private_storage
):
    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), jeanne_resident)

    response = client.post("/publier/", gazette_form(photo_1=_flood("chat.png")))

    assert response.status_code == 400
    assert TOO_BIG in response.content.decode()
    assert not GazettePost.objects.exists()
    assert not GazettePhoto.objects.exists()
    assert _stored_files(private_storage) == []


def test_an_image_too_wide_under_the_pixel_budget_is_refused(
    sign_in, jeanne_resident, private_storage
):
    from tests.test_account_settings import _profile_post

    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), jeanne_resident)
    banner = SimpleUploadedFile("bandeau.png", pixel_flood_png(width=20_000, height=100))

    response = client.post("/compte/", _profile_post(photo_upload=banner))

    assert response.status_code == 400
    assert TOO_BIG in response.content.decode()
    assert not Profile.objects.get(user=jeanne_resident).photo


def _admin_post_with_photo(client, cadaujac, upload):
    from django.urls import reverse
    from wagtail.test.utils.form_data import querydict_from_html

    from gazette.models import GazetteIndexPage

    index = GazetteIndexPage.objects.descendant_of(cadaujac.site.root_page).get()
    add_url = reverse("wagtailadmin_pages:add", args=["gazette", "gazettepost", index.pk])
    data = querydict_from_html(client.get(add_url).content.decode(), form_id="page-edit-form")
    data.update({"title": "Travaux rue des Vignes", "slug": "travaux", "category": "mairie"})
    data["body"] = "La rue est fermée lundi."
    data["action-publish"] = "publish"
    data["photos-TOTAL_FORMS"] = "1"
    data.update({"photos-0-alt_text": "La rue", "photos-0-ORDER": "1", "photos-0-id": ""})
    payload = dict(data.lists())
    payload["photos-0-file"] = upload
    return client.post(add_url, payload)


def test_a_photo_added_in_the_admin_is_stored_without_its_metadata(
    sign_in, alice_editor, cadaujac, private_storage
):
    from tests.test_gazette_publishing import jpeg_upload

    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), alice_editor)

    response = _admin_post_with_photo(client, cadaujac, jpeg_upload(size=(2400, 1800)))

    assert response.status_code == 302
    photo = GazettePhoto.objects.get()
    assert photo.file.name.endswith(".jpg")
    assert (photo.width, photo.height) == (1600, 1200)
    from PIL import Image

    with Image.open(photo.file.path) as stored:
        assert max(stored.size) == 1600
        assert not stored.getexif()


def test_an_oversized_photo_added_in_the_admin_gets_the_forms_error(
    sign_in, alice_editor, cadaujac, private_storage
):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("1", (8000, 6000)).save(buffer, "PNG")  # a few kB, 48 megapixels decoded
    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), alice_editor)

    response = _admin_post_with_photo(
        client, cadaujac, SimpleUploadedFile("plan.png", buffer.getvalue())
    )

    assert response.status_code == 200
    assert TOO_BIG in response.content.decode()
    assert not GazettePost.objects.exists()
    assert _stored_files(private_storage) == []


def test_a_pixel_flood_in_the_admin_image_library_gets_wagtails_form_error(
    sign_in, alice_editor, cadaujac
):
    from django.urls import reverse
    from wagtail.images import get_image_model
    from wagtail.models import Collection

    client = sign_in(Client(HTTP_HOST=CADAUJAC_HOST), alice_editor)
    collection = Collection.objects.exclude(depth=1).first() or Collection.get_first_root_node()

    response = client.post(
        reverse("wagtailimages:add"),
        {"title": "Plan", "file": _flood("plan.png"), "collection": collection.pk},
    )

    assert response.status_code == 200
    assert "Ce fichier a un trop grand nombre de pixels" in response.content.decode()
    assert get_image_model().objects.count() == 0
