"""Documents of a restricted collection: nothing for those without rights, private for others.

A visitor a restriction refuses learns nothing (404, as for a document that does not
exist: no sign-in page saying there is something behind it); an authorised download is a
private attachment, never kept by a shared cache nor opened inline. Public documents are
served as before.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from wagtail.documents import get_document_model
from wagtail.models import Collection, CollectionViewRestriction

from communities.models import StaffRole

Document = get_document_model()
MINUTES = b"%PDF-1.4 compte rendu du conseil"
PAYROLL = b"%PDF-1.4 grille des salaires des agents"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _collection(commune, name, restriction_type=None, groups=()):
    collection = commune.collection.add_child(instance=Collection(name=name))
    if restriction_type is not None:
        restriction = CollectionViewRestriction.objects.create(
            collection=collection, restriction_type=restriction_type
        )
        restriction.groups.set(groups)
    return collection


def _document(collection, title, content, name):
    return Document.objects.create(
        title=title, file=ContentFile(content, name=name), collection=collection
    )


@pytest.fixture
def public_minutes(cadaujac):
    return _document(cadaujac.collection, "Compte rendu", MINUTES, "compte-rendu.pdf")


@pytest.fixture
def members_only(cadaujac):
    collection = _collection(cadaujac, "Réservé aux inscrits", CollectionViewRestriction.LOGIN)
    return _document(collection, "Plan de sauvegarde", PAYROLL, "plan-sauvegarde.pdf")


@pytest.fixture
def editors_only(cadaujac):
    editors = cadaujac.staff_groups.get(role=StaffRole.EDITOR).group
    collection = _collection(
        cadaujac, "Service RH", CollectionViewRestriction.GROUPS, groups=[editors]
    )
    return _document(collection, "Salaires", PAYROLL, "salaires.pdf")


def _download(client, document):
    response = client.get(document.url)
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return response, content


def test_anonymous_visitor_gets_404_for_a_members_only_document(client, members_only):
    response, content = _download(client, members_only)

    assert response.status_code == 404
    assert "Location" not in response
    assert PAYROLL not in content


def test_member_downloads_a_members_only_document_as_a_private_attachment(
    jeanne_resident, members_only
):
    client = Client()
    client.force_login(jeanne_resident)

    response, content = _download(client, members_only)

    assert response.status_code == 200
    assert content == PAYROLL
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")
    assert "plan-sauvegarde.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("persona", ["jeanne_resident", "bob_editor", "marc_moderator"])
def test_signed_in_people_outside_the_groups_get_404(request, sign_in, editors_only, persona):
    client = sign_in(Client(), request.getfixturevalue(persona))

    response, content = _download(client, editors_only)

    assert response.status_code == 404
    assert PAYROLL not in content


def test_a_member_of_the_group_downloads_the_document_privately(
    sign_in, alice_editor, editors_only
):
    client = sign_in(Client(), alice_editor)

    response, content = _download(client, editors_only)

    assert response.status_code == 200
    assert content == PAYROLL
    assert "private" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment")


def test_public_documents_are_still_served_to_anyone(client, public_minutes):
    response, content = _download(client, public_minutes)

    assert response.status_code == 200
    assert content == MINUTES
    assert "private" not in response.get("Cache-Control", "")


def test_a_wrong_file_name_is_still_404(client, public_minutes):
    response = client.get(f"/documents/{public_minutes.pk}/autre-nom.pdf")

    assert response.status_code == 404
