"""Proofs of address are stored re-encoded, named by what they are, downloaded, and audited.

A phone's photo of a bill carries the GPS position of the home in its EXIF: it is stored
without it. A file that is both a PNG and a web page, named ``.html``, is stored as the
PNG's pixels under ``.png``. Moderators download a proof (never rendered inline), and each
opening is recorded with who and when, a record that outlives the proof itself.
"""

import io
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from communities.models import ProofOfAddress
from moderation.models import ProofAccess
from tests.conftest import CADAUJAC_HOST
from tests.test_registration import NEW_EMAIL, SIGNUP, form_data

HTML = b"<html><body><script>alert(document.cookie)</script></body></html>"


def jpeg_with_gps() -> bytes:
    tags = Image.Exif()
    tags[0x010F] = "PhoneMaker"  # Make
    tags[0x8825] = {1: "N", 2: (44.0, 45.0, 12.0), 3: "W", 4: (0.0, 34.0, 5.0)}  # GPSInfo
    buffer = io.BytesIO()
    Image.new("RGB", (300, 200), "#ddeeff").save(buffer, "JPEG", exif=tags)
    return buffer.getvalue()


def png_html_polyglot() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "PNG")
    return buffer.getvalue() + HTML


def _sign_up_with(centre_bourg, upload):
    response = Client(HTTP_HOST=CADAUJAC_HOST).post(SIGNUP, form_data(centre_bourg, proof=upload))
    assert response.status_code == 302
    return ProofOfAddress.objects.get(membership__user__email=NEW_EMAIL)


def test_a_jpeg_proof_is_stored_without_its_exif(centre_bourg, private_storage):
    upload = SimpleUploadedFile("IMG_2041.JPG", jpeg_with_gps(), content_type="image/jpeg")
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif().get_ifd(0x8825)  # the check below can fail
    upload.seek(0)

    proof = _sign_up_with(centre_bourg, upload)

    assert proof.content_type == "image/jpeg"
    assert proof.file.name.endswith(".jpg")
    assert "IMG_2041" not in proof.file.name
    with Image.open(proof.file.path) as stored:
        assert stored.format == "JPEG"
        assert stored.size == (300, 200)
        assert not stored.getexif()
        assert "exif" not in stored.info
    assert proof.size == len(Path(proof.file.path).read_bytes())


def test_a_png_html_polyglot_is_stored_as_a_reencoded_png(centre_bourg, private_storage):
    upload = SimpleUploadedFile("facture.html", png_html_polyglot(), content_type="text/html")

    proof = _sign_up_with(centre_bourg, upload)

    assert proof.content_type == "image/png"
    assert proof.file.name.endswith(".png")
    assert not [p for p in private_storage.rglob("*") if p.suffix in (".html", ".htm")]
    content = Path(proof.file.path).read_bytes()
    assert b"<script" not in content
    assert b"<html" not in content
    with Image.open(proof.file.path) as stored:
        assert stored.format == "PNG"
        assert stored.size == (60, 40)


def test_a_pdf_proof_is_kept_as_sent_under_a_pdf_name(centre_bourg, private_storage):
    from tests.test_registration import pdf_bytes

    sent = pdf_bytes()
    upload = SimpleUploadedFile("facture.html", sent, content_type="text/html")

    proof = _sign_up_with(centre_bourg, upload)

    assert proof.content_type == "application/pdf"
    assert proof.file.name.endswith(".pdf")
    assert Path(proof.file.path).read_bytes() == sent


@pytest.fixture
def pierre_membership(pierre_pending):
    return pierre_pending.memberships.get()


def _proof_url(membership):
    return f"/moderation/inscriptions/{membership.pk}/justificatif/"


def test_a_proof_is_a_private_download(sign_in, pierre_membership, marc_moderator):
    client = sign_in(Client(), marc_moderator)

    response = client.get(_proof_url(pierre_membership))

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="justificatif-{pierre_membership.pk}.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_each_opening_of_a_proof_is_recorded_and_outlives_the_proof(
    sign_in, pierre_membership, marc_moderator, rene_referent
):
    proof_id = pierre_membership.proof.pk
    marc = sign_in(Client(), marc_moderator)
    rene = sign_in(Client(), rene_referent)

    for client in (marc, marc, rene):
        assert client.get(_proof_url(pierre_membership)).status_code == 200
    marc.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/valider/",
        {"approve-reason": "Facture au bon nom"},
    )

    assert not ProofOfAddress.objects.filter(pk=proof_id).exists()
    openings = list(ProofAccess.objects.order_by("pk"))
    assert [row.viewer for row in openings] == [marc_moderator, marc_moderator, rene_referent]
    assert {(row.membership_id, row.proof_id) for row in openings} == {
        (pierre_membership.pk, proof_id)
    }
    assert all(row.opened_at for row in openings)
    assert {row.commune_id for row in openings} == {pierre_membership.community.commune_id}


def test_a_refused_opening_records_nothing(sign_in, pierre_membership, diane_moderator):
    client = sign_in(Client(), diane_moderator)

    assert client.get(_proof_url(pierre_membership)).status_code == 404
    assert not ProofAccess.objects.exists()


def test_the_platform_team_reads_the_proof_openings_in_the_admin(
    sign_in, pierre_membership, marc_moderator, platform_admin
):
    sign_in(Client(), marc_moderator).get(_proof_url(pierre_membership))
    marc_name = get_user_model().objects.get(pk=marc_moderator.pk).get_full_name()

    listing = sign_in(Client(), platform_admin).get("/admin/proof_access/")
    refused = sign_in(Client(), marc_moderator).get("/admin/proof_access/")

    assert listing.status_code == 200
    assert marc_name in listing.content.decode()
    assert refused.status_code in (302, 403)
