"""A proof of address chosen at a failed attempt is kept for the corrected one.

The resident does not choose the file again after a mistyped field: the form says which
file it received, registers with it, and may replace it. The kept copy is private (the
private storage, under a name only the session knows), and is deleted once the
registration completes, and a day after it was sent at the latest.
"""

import html
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from accounts.registration_proofs import FOLDER, registration_proofs_purge
from accounts.tasks import registration_proofs_purge_task
from communities.models import Membership
from tests.conftest import CADAUJAC_HOST
from tests.test_registration import NEW_EMAIL, SIGNUP, form_data, png_bytes, proof

pytestmark = pytest.mark.django_db


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


def kept_files(root: Path) -> list[Path]:
    folder = root / FOLDER
    return [p for p in folder.iterdir() if p.is_file()] if folder.exists() else []


def page_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_mistyped_phone_keeps_the_proof_and_the_form_says_so(
    visitor, centre_bourg, private_storage, django_capture_on_commit_callbacks
):
    first = visitor.post(SIGNUP, form_data(centre_bourg, phone="12"))

    page = page_of(first)
    assert first.status_code == 200
    assert "Justificatif déjà reçu : facture.pdf" in page
    assert "remplacer" in page
    assert len(kept_files(private_storage)) == 1
    assert not Membership.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        second = visitor.post(SIGNUP, form_data(centre_bourg, proof=None))

    assert second.status_code == 302
    membership = Membership.objects.get(user__email=NEW_EMAIL)
    assert Path(membership.proof.file.path).read_bytes().startswith(b"%PDF")
    assert kept_files(private_storage) == []  # the membership's copy is the only one
    assert "registration_proof" not in visitor.session


def test_without_a_kept_proof_the_proof_is_still_required(visitor, centre_bourg, private_storage):
    response = visitor.post(SIGNUP, form_data(centre_bourg, proof=None))

    assert "Joignez un justificatif de domicile." in page_of(response)
    assert "déjà reçu" not in page_of(response)
    assert not Membership.objects.exists()


def test_a_new_file_replaces_the_kept_one(
    visitor, centre_bourg, private_storage, django_capture_on_commit_callbacks
):
    visitor.post(SIGNUP, form_data(centre_bourg, phone="12"))
    picture = proof(png_bytes(), name="quittance.png", content_type="image/png")

    again = visitor.post(SIGNUP, form_data(centre_bourg, phone="12", proof=picture))

    assert "Justificatif déjà reçu : quittance.png" in page_of(again)
    assert "facture.pdf" not in page_of(again)
    assert len(kept_files(private_storage)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        visitor.post(SIGNUP, form_data(centre_bourg, proof=None))

    membership = Membership.objects.get(user__email=NEW_EMAIL)
    assert membership.proof.content_type == "image/png"
    assert kept_files(private_storage) == []


def test_another_visitor_never_gets_someone_elses_kept_proof(
    visitor, centre_bourg, private_storage
):
    visitor.post(SIGNUP, form_data(centre_bourg, phone="12"))
    stranger = Client(headers={"host": CADAUJAC_HOST})

    response = stranger.post(SIGNUP, form_data(centre_bourg, proof=None))

    assert "déjà reçu" not in page_of(response)
    assert "Joignez un justificatif de domicile." in page_of(response)
    assert not Membership.objects.exists()


def test_a_refused_file_is_not_kept(visitor, centre_bourg, private_storage):
    fake = proof(b"<html>pas un justificatif</html>", name="facture.pdf")

    response = visitor.post(SIGNUP, form_data(centre_bourg, phone="12", proof=fake))

    assert "déjà reçu" not in page_of(response)
    assert kept_files(private_storage) == []


def test_kept_proofs_of_abandoned_forms_are_deleted_after_a_day(
    visitor, centre_bourg, private_storage
):
    visitor.post(SIGNUP, form_data(centre_bourg, phone="12"))
    assert len(kept_files(private_storage)) == 1

    assert registration_proofs_purge() == 0  # still fresh
    with time_machine.travel(timezone.now() + timedelta(days=1, minutes=1)):
        assert registration_proofs_purge_task() == 1

    assert kept_files(private_storage) == []
    later = visitor.post(SIGNUP, form_data(centre_bourg, proof=None))
    assert "Joignez un justificatif de domicile." in page_of(later)
