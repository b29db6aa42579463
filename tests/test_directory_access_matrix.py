"""Who reaches which members' page: every directory, profile, photo, proof, moderation and
GDPR endpoint × every persona, and on the pages they reach, which fields show and which stay
hidden.

Jeanne (Centre-bourg, Cadaujac) shows her photo and interests to neighbours, her address,
phone and presentation to the mairie only, and her e-mail to nobody. Pierre waits for
verification in Centre-bourg with a proof of address.
"""

import io
import os
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Profile, Visibility
from accounts.profiles import profile_fields_visible_to, profile_photo_prepare, profile_update
from communities.memberships import membership_leave
from communities.models import MembershipStatus, StaffRole
from communities.roles import staff_role_revoke

LOGIN = "login"
OK = "ok"
NOT_FOUND = "404"

# Read-only endpoints first; "approve" changes the registration, so it comes last.
ENDPOINTS = [
    "directory",
    "profile",
    "photo",
    "queue",
    "registration",
    "proof",
    "export",
    "erase",
    "approve",
]


def _row(directory, profile, photo, moderation, gdpr=OK):
    """One persona's expected outcomes; ``moderation`` covers the queue, a registration,
    its proof and its approval, except where a persona's queue differs from its reach."""
    queue, registration = moderation if isinstance(moderation, tuple) else (moderation,) * 2
    return dict(
        zip(
            ENDPOINTS,
            [
                directory,
                profile,
                photo,
                queue,
                registration,
                registration,
                gdpr,
                gdpr,
                registration,
            ],
            strict=True,
        )
    )


# Everyone signed in may download or erase their own data, and only their own.
MATRIX = {
    "anonymous": _row(LOGIN, LOGIN, LOGIN, LOGIN, gdpr=LOGIN),
    "pierre_pending": _row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "charlie_outsider": _row(NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "jeanne_resident": _row(OK, OK, OK, NOT_FOUND),
    "paul_neighbour": _row(OK, OK, OK, NOT_FOUND),
    "lucie_tuileries": _row(OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "dieter_didenheim": _row(OK, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "rene_referent": _row(OK, OK, OK, OK),
    "marc_moderator": _row(OK, OK, OK, OK),
    "diane_moderator": _row(OK, NOT_FOUND, NOT_FOUND, (OK, NOT_FOUND)),
    "alice_editor": _row(OK, OK, OK, NOT_FOUND),
    "platform_admin": _row(OK, OK, OK, OK),
}


def jpeg_upload(size=(800, 600), colour="#3a7d44", exif=None, name="photo.jpg"):
    buffer = BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG", **({"exif": exif} if exif else {}))
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture(autouse=True)
def _files(private_storage):
    return private_storage


@pytest.fixture
def world(
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    rene_referent,
    marc_moderator,
    diane_moderator,
    alice_editor,
    platform_admin,
    charlie_outsider,
):
    profile_update(
        user=jeanne_resident,
        photo=profile_photo_prepare(jpeg_upload()),
        photo_visibility=Visibility.NEIGHBOURS,
        email_visibility=Visibility.NOBODY,
    )
    return {
        "jeanne": jeanne_resident,
        "pierre_membership": pierre_pending.memberships.get(),
    }


def _persona(request, name):
    return None if name == "anonymous" else request.getfixturevalue(name)


def _urls(world):
    jeanne = world["jeanne"]
    membership = world["pierre_membership"]
    return {
        "directory": "/annuaire/",
        "profile": f"/annuaire/{jeanne.pk}/",
        "photo": f"/annuaire/{jeanne.pk}/photo/",
        "queue": "/moderation/inscriptions/",
        "registration": f"/moderation/inscriptions/{membership.pk}/",
        "proof": f"/moderation/inscriptions/{membership.pk}/justificatif/",
        "export": "/compte/donnees/",
        "erase": "/compte/supprimer/",
        "approve": f"/moderation/inscriptions/{membership.pk}/valider/",
    }


def _outcome(response, endpoint):
    if response.status_code == 404:
        return NOT_FOUND
    if response.status_code == 302 and response["Location"].startswith("/accounts/login/"):
        return LOGIN
    if endpoint == "approve" and response.status_code == 302:
        return OK if response["Location"] == "/moderation/inscriptions/" else "302"
    return OK if response.status_code == 200 else str(response.status_code)


@pytest.mark.parametrize("persona", list(MATRIX))
def test_access_matrix(request, client, sign_in, world, persona):
    """Each persona against every endpoint; a failure lists every cell that differs."""
    user = _persona(request, persona)
    if user is not None:
        sign_in(client, user)
    membership = world["pierre_membership"]
    proof_path = membership.proof.file.path
    urls = _urls(world)

    outcomes = {}
    for endpoint in ENDPOINTS:
        if endpoint == "approve":
            response = client.post(urls[endpoint], {"approve-reason": ""})
        else:
            response = client.get(urls[endpoint])
        outcomes[endpoint] = _outcome(response, endpoint)
        if endpoint == "export" and outcomes[endpoint] == OK:
            data = zipfile.ZipFile(io.BytesIO(response.content)).read("data.json").decode()
            assert user.email in data
            assert (user == world["jeanne"]) == ("jeanne@cadaujac.test" in data)
            assert ("Castaing" in data) == (user.last_name == "Castaing")

    assert outcomes == MATRIX[persona]
    membership.refresh_from_db()
    if MATRIX[persona]["approve"] == OK:
        assert membership.status == MembershipStatus.VERIFIED
        assert membership.decided_by == user
        assert not os.path.exists(proof_path)
    else:
        # Nobody else changed anything, and the proof is still there for the moderators.
        assert membership.status == MembershipStatus.PENDING
        assert membership.decided_by is None
        assert os.path.exists(proof_path)
    if user is not None:
        assert type(user).objects.filter(pk=user.pk).exists()  # the erase page only asks

    # A member id that does not exist answers exactly like one the viewer may not see.
    for url in ("/annuaire/999999/", "/annuaire/999999/photo/"):
        assert client.get(url).status_code == (302 if user is None else 404)


# --- What each viewer sees of Jeanne -------------------------------------------------------------

JEANNE_VALUES = {
    "photo": "photo/",  # the permission-checked photo URL, completed below
    "address": "12 chemin des Vignes",
    "phone": "06 11 22 33 44",
    "email": "jeanne@cadaujac.test",
    "interests": "je peux prêter une échelle",
    "bio": "Infirmière à la retraite.",
}
EVERYTHING = set(JEANNE_VALUES)
MAIRIE_SEES = {"photo", "address", "phone", "interests", "bio"}
NEIGHBOURS_SEE = {"photo", "interests"}

FIELDS_SEEN = {
    "jeanne_resident": EVERYTHING,
    "paul_neighbour": NEIGHBOURS_SEE,
    "rene_referent": NEIGHBOURS_SEE,
    "marc_moderator": MAIRIE_SEES,
    "alice_editor": MAIRIE_SEES,
    "platform_admin": MAIRIE_SEES,
}


@pytest.mark.parametrize(("persona", "seen"), list(FIELDS_SEEN.items()))
def test_profile_page_shows_exactly_the_fields_the_viewer_may_see(
    request, client, sign_in, world, persona, seen
):
    jeanne = world["jeanne"]
    sign_in(client, request.getfixturevalue(persona))

    html = client.get(f"/annuaire/{jeanne.pk}/").content.decode()

    assert "Jeanne Lafargue" in html  # no anonymity
    for field, value in JEANNE_VALUES.items():
        if field == "photo":
            value = f"/annuaire/{jeanne.pk}/photo/"
        if field in seen:
            assert value in html, f"{persona} should see {field}"
        else:
            assert value not in html, f"{persona} must not see {field}"


@pytest.mark.parametrize(("persona", "seen"), list(FIELDS_SEEN.items()))
def test_profile_fields_visible_to_is_the_one_rule(request, world, persona, seen):
    viewer = request.getfixturevalue(persona)

    fields = profile_fields_visible_to(viewer=viewer, member=world["jeanne"])

    assert fields["name"] == "Jeanne Lafargue"
    assert set(fields) - {"name", "sms_only"} == seen


@pytest.mark.parametrize(
    "persona",
    [
        "pierre_pending",
        "lucie_tuileries",
        "dieter_didenheim",
        "diane_moderator",
        "charlie_outsider",
    ],
)
def test_profile_fields_visible_to_outsiders_is_empty(request, world, persona):
    viewer = request.getfixturevalue(persona)
    assert profile_fields_visible_to(viewer=viewer, member=world["jeanne"]) == {}


def test_a_field_set_to_nobody_is_seen_by_the_member_alone(
    client, sign_in, world, marc_moderator, paul_neighbour
):
    jeanne = world["jeanne"]
    profile_update(user=jeanne, bio_visibility=Visibility.NOBODY, photo_visibility="nobody")

    for viewer in (marc_moderator, paul_neighbour):
        sign_in(client, viewer)
        html = client.get(f"/annuaire/{jeanne.pk}/").content.decode()
        assert "Infirmière à la retraite." not in html
        assert client.get(f"/annuaire/{jeanne.pk}/photo/").status_code == 404

    sign_in(client, jeanne)
    assert "Infirmière à la retraite." in client.get(f"/annuaire/{jeanne.pk}/").content.decode()


def test_mairie_only_fields_become_visible_to_neighbours_when_the_member_says_so(
    client, sign_in, world, paul_neighbour
):
    jeanne = world["jeanne"]
    sign_in(client, paul_neighbour)
    assert "06 11 22 33 44" not in client.get(f"/annuaire/{jeanne.pk}/").content.decode()

    profile_update(user=jeanne, phone_visibility=Visibility.NEIGHBOURS)

    assert "06 11 22 33 44" in client.get(f"/annuaire/{jeanne.pk}/").content.decode()


# --- Who is listed -------------------------------------------------------------------------------

LISTED = {
    "paul_neighbour": {"Lafargue", "Darrigade", "Duprat"},
    "rene_referent": {"Lafargue", "Darrigade", "Duprat"},
    "lucie_tuileries": {"Barbe"},
    "dieter_didenheim": {"Schwartz"},
    "marc_moderator": {"Lafargue", "Darrigade", "Duprat", "Barbe"},
    "alice_editor": {"Lafargue", "Darrigade", "Duprat", "Barbe"},
    "diane_moderator": {"Schwartz"},
    "platform_admin": {"Lafargue", "Darrigade", "Duprat", "Barbe", "Schwartz"},
}
EVERY_RESIDENT = {"Lafargue", "Darrigade", "Duprat", "Barbe", "Schwartz", "Castaing"}


@pytest.mark.parametrize(("persona", "listed"), list(LISTED.items()))
def test_directory_lists_verified_members_within_the_viewers_reach(
    request, client, sign_in, world, persona, listed
):
    sign_in(client, request.getfixturevalue(persona))

    html = client.get("/annuaire/").content.decode()

    for last_name in EVERY_RESIDENT:
        assert (last_name in html) == (last_name in listed), last_name


def test_pending_member_is_told_why_the_directory_is_closed(client, sign_in, world, pierre_pending):
    sign_in(client, pierre_pending)

    response = client.get("/annuaire/")

    assert response.status_code == 404
    assert "en attente de validation" in response.content.decode()
    assert "Lafargue" not in response.content.decode()


def test_photo_is_served_privately_and_never_from_a_public_url(
    client, sign_in, world, paul_neighbour, settings
):
    jeanne = world["jeanne"]
    sign_in(client, paul_neighbour)

    response = client.get(f"/annuaire/{jeanne.pk}/photo/")

    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    stored = Profile.objects.get(user=jeanne).photo
    assert settings.MEDIA_URL not in client.get(f"/annuaire/{jeanne.pk}/").content.decode()
    assert not str(stored.path).startswith(str(settings.MEDIA_ROOT))


def test_sms_only_member_is_shown_as_reachable_by_sms_without_email(
    client, sign_in, world, paul_neighbour, django_user_model, centre_bourg
):
    from communities.models import Membership

    odette = django_user_model.objects.create_user(
        email=None, phone="+33633445566", first_name="Odette", last_name="Marsan"
    )
    Membership.objects.create(
        user=odette, community=centre_bourg, address="2 place de l'Église", status="verified"
    )
    sign_in(client, paul_neighbour)

    listing = client.get("/annuaire/").content.decode()
    profile = client.get(f"/annuaire/{odette.pk}/").content.decode()

    assert "Marsan" in listing
    assert "Participe par SMS, sans e-mail" in listing
    assert "Participe par SMS, sans e-mail" in profile
    assert "n'a pas d'adresse e-mail" in profile


def test_a_member_who_leaves_loses_the_directory_at_their_next_page(
    client, sign_in, world, paul_neighbour
):
    sign_in(client, paul_neighbour)
    assert "Lafargue" in client.get("/annuaire/").content.decode()  # who Paul is, now cached

    membership_leave(membership=paul_neighbour.memberships.get())

    response = client.get("/annuaire/")
    assert response.status_code == 404
    assert "Lafargue" not in response.content.decode()


def test_a_moderator_whose_role_is_revoked_no_longer_reads_the_communes_directory(
    client, sign_in, world, marc_moderator, platform_admin, cadaujac
):
    sign_in(client, marc_moderator)
    assert "Lafargue" in client.get("/annuaire/").content.decode()

    staff_role_revoke(
        user=marc_moderator, commune=cadaujac, role=StaffRole.MODERATOR, by=platform_admin
    )

    response = client.get("/annuaire/")
    assert response.status_code == 404
    assert "Lafargue" not in response.content.decode()
