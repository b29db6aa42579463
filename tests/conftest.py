"""Shared personas: two communes, and in each a resident, staff and police; plus outsiders.

Cadaujac (33080) and Didenheim (68074) are built by the same service as production
(``commune_create``); every test gets fresh ones in its own transaction.
"""

import pytest
from django.core.cache import cache

from communities.models import Community, StaffRole
from communities.services import commune_create, staff_role_grant

pytest_plugins = ["tests.fakes.fixtures"]

PASSWORD = "correct-horse-battery-staple-2026"
CADAUJAC_HOST = "cadaujac.localhost"
DIDENHEIM_HOST = "didenheim.localhost"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Give database access to every test that has no database marker of its own.

    Runs before pytest-django orders the tests: a test reaching the database only through
    fixtures chosen at run time (``request.getfixturevalue``) would otherwise run after the
    transactional tests have emptied the database, migrations' rows (locales, root page)
    included.
    """
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cadaujac(db):
    return commune_create(name="Cadaujac", insee_code="33080", hostname=CADAUJAC_HOST).commune


@pytest.fixture
def didenheim(db):
    return commune_create(name="Didenheim", insee_code="68074", hostname=DIDENHEIM_HOST).commune


@pytest.fixture
def centre_bourg(cadaujac):
    return Community.objects.create(commune=cadaujac, name="Centre-bourg", slug="centre-bourg")


@pytest.fixture
def make_user(django_user_model):
    def make(email, *, first_name="Test", last_name="Persona", **fields):
        return django_user_model.objects.create_user(
            email=email, password=PASSWORD, first_name=first_name, last_name=last_name, **fields
        )

    return make


def _staff(make_user, commune, email, *roles):
    user = make_user(email, first_name="Staff")
    for role in roles:
        staff_role_grant(user=user, commune=commune, role=role)
    return user


@pytest.fixture
def alice_editor(make_user, cadaujac):
    """Alice edits Cadaujac's site."""
    return _staff(make_user, cadaujac, "alice@cadaujac.test", StaffRole.EDITOR)


@pytest.fixture
def arnaud_admin(make_user, cadaujac):
    """Arnaud administers the mairie of Cadaujac (communities, branding)."""
    return _staff(make_user, cadaujac, "arnaud@cadaujac.test", StaffRole.ADMINISTRATOR)


@pytest.fixture
def bob_editor(make_user, didenheim):
    """Bob edits Didenheim's site: the other commune."""
    return _staff(make_user, didenheim, "bob@didenheim.test", StaffRole.EDITOR)


@pytest.fixture
def bertrand_admin(make_user, didenheim):
    return _staff(make_user, didenheim, "bertrand@didenheim.test", StaffRole.ADMINISTRATOR)


@pytest.fixture
def charlie_outsider(make_user):
    """Charlie has an account and no role anywhere: he must see nothing private."""
    return make_user("charlie@outsider.test", first_name="Charlie")


@pytest.fixture
def platform_admin(django_user_model):
    return django_user_model.objects.create_superuser(
        email="platform@voisinage.test", password=PASSWORD, first_name="Plate", last_name="Forme"
    )


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo data, loaded once per test module and rolled back after it.

    Each test still runs in its own savepoint (through ``db``), so tests stay independent.
    """
    from django.db import transaction

    from demo.loader import demo_load

    with django_db_blocker.unblock(), transaction.atomic():
        communes = demo_load()
        yield communes
        transaction.set_rollback(True)


# --- Residents of communities, their moderators and the directory -----------------------------
# Cadaujac has two communities (Centre-bourg, Les Tuileries), Didenheim one (Village).
# Jeanne and Paul are verified neighbours in Centre-bourg, Lucie lives in Les Tuileries,
# Dieter in Didenheim; Pierre waits for verification in Centre-bourg; René is Centre-bourg's
# referent; Marc moderates Cadaujac, Diane moderates Didenheim.


@pytest.fixture
def private_storage(tmp_path, monkeypatch):
    """Proofs and photos written to a per-test folder, so tests can look at the disk."""
    from accounts.models import Profile
    from communities.models import ProofOfAddress

    root = tmp_path / "private"
    root.mkdir()
    fields = [Profile._meta.get_field("photo"), ProofOfAddress._meta.get_field("file")]
    for storage in {id(f.storage): f.storage for f in fields}.values():
        monkeypatch.setattr(storage, "_location", str(root))
        monkeypatch.setitem(storage.__dict__, "base_location", str(root))
        monkeypatch.setitem(storage.__dict__, "location", str(root))
    return root


def pdf_upload(name="justificatif.pdf"):
    """A small, real PDF, as a browser would upload it."""
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PDF")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/pdf")


@pytest.fixture
def tuileries(cadaujac):
    return Community.objects.create(commune=cadaujac, name="Les Tuileries", slug="tuileries")


@pytest.fixture
def village(didenheim):
    return Community.objects.create(commune=didenheim, name="Village", slug="village")


@pytest.fixture
def make_member(make_user):
    """A resident with a membership of ``community``: verified unless told otherwise."""
    from django.utils import timezone

    from communities.models import CommunityRole, Membership, MembershipStatus

    def make(
        email,
        community,
        *,
        first_name,
        last_name,
        address="1 rue de la Paix",
        phone=None,
        status=MembershipStatus.VERIFIED,
        role=CommunityRole.RESIDENT,
    ):
        user = make_user(email, first_name=first_name, last_name=last_name, phone=phone)
        decided = status != MembershipStatus.PENDING
        Membership.objects.create(
            user=user,
            community=community,
            address=address,
            status=status,
            role=role,
            decided_at=timezone.now() if decided else None,
        )
        return user

    return make


@pytest.fixture
def jeanne_resident(make_member, centre_bourg):
    """Jeanne, verified in Centre-bourg, lends her ladder; default visibilities."""
    from accounts.models import Profile

    jeanne = make_member(
        "jeanne@cadaujac.test",
        centre_bourg,
        first_name="Jeanne",
        last_name="Lafargue",
        address="12 chemin des Vignes",
        phone="+33611223344",
    )
    Profile.objects.create(
        user=jeanne,
        interests="Jardinage ; je peux prêter une échelle",
        bio="Infirmière à la retraite.",
    )
    return jeanne


@pytest.fixture
def paul_neighbour(make_member, centre_bourg):
    """Paul, Jeanne's verified neighbour in Centre-bourg."""
    return make_member("paul@cadaujac.test", centre_bourg, first_name="Paul", last_name="Darrigade")


@pytest.fixture
def lucie_tuileries(make_member, tuileries):
    """Lucie, verified in Les Tuileries: same commune as Jeanne, another community."""
    return make_member("lucie@cadaujac.test", tuileries, first_name="Lucie", last_name="Barbe")


@pytest.fixture
def dieter_didenheim(make_member, village):
    """Dieter, verified in Didenheim's Village: another commune."""
    return make_member("dieter@didenheim.test", village, first_name="Dieter", last_name="Schwartz")


@pytest.fixture
def pierre_pending(make_user, centre_bourg, private_storage):
    """Pierre asked to join Centre-bourg with a proof of address; nobody has decided yet."""
    from communities.memberships import membership_request

    pierre = make_user(
        "pierre@cadaujac.test", first_name="Pierre", last_name="Castaing", phone="+33622334455"
    )
    membership_request(
        user=pierre,
        community=centre_bourg,
        address="4 allée des Peupliers",
        proof_file=pdf_upload(),
    )
    return pierre


@pytest.fixture
def rene_referent(make_member, centre_bourg):
    """René, Centre-bourg's referent: decides his own community's registrations."""
    from communities.models import CommunityRole

    return make_member(
        "rene@cadaujac.test",
        centre_bourg,
        first_name="René",
        last_name="Duprat",
        role=CommunityRole.REFERENT,
    )


@pytest.fixture
def marc_moderator(make_user, cadaujac):
    """Marc moderates Cadaujac at the mairie."""
    return _staff(make_user, cadaujac, "marc@cadaujac.test", StaffRole.MODERATOR)


@pytest.fixture
def diane_moderator(make_user, didenheim):
    """Diane moderates Didenheim: she must never reach Cadaujac's residents."""
    return _staff(make_user, didenheim, "diane@didenheim.test", StaffRole.MODERATOR)


@pytest.fixture
def sign_in():
    """Sign a persona in on a test client, as far as the screens they use require.

    Staff (mairie roles, platform team) get an activated TOTP authenticator, as they must
    have one before any admin or moderation screen; whoever has one gets the session record
    of allauth's code step, as a real sign-in leaves it (a session without it is signed out).
    """
    from django.apps import apps

    def do(client, user):
        totp = None
        if apps.is_installed("allauth.mfa"):
            from allauth.mfa.models import Authenticator
            from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

            from accounts.permissions import is_staff_member

            totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
            if is_staff_member(user=user) and totp is None:
                totp = TOTP.activate(user, generate_totp_secret()).instance
        client.force_login(user)
        if totp is not None:
            from allauth.account.internal.flows.login import record_authentication
            from django.http import HttpRequest

            request = HttpRequest()
            request.session = client.session
            record_authentication(request, user, "mfa", id=totp.pk, type=totp.type)
            request.session.save()
        return client

    return do


@pytest.fixture
def member_client(sign_in):
    """A separate browser (its own cookies) signed in as ``user`` on Cadaujac's site."""
    from django.test import Client

    def open_as(user, **options):
        return sign_in(Client(HTTP_HOST=CADAUJAC_HOST, **options), user)

    return open_as


@pytest.fixture
def staff_everywhere(make_user, cadaujac, didenheim, jeanne_resident, platform_admin):
    """The access matrix's people: one account per mairie role in Cadaujac and in Didenheim
    ("other …"), Jeanne a resident of Cadaujac, the platform team, and no one signed in."""
    people = {"platform": platform_admin, "resident": jeanne_resident, "anonymous": None}
    roles = {
        "administrator": StaffRole.ADMINISTRATOR,
        "moderator": StaffRole.MODERATOR,
        "broadcaster": StaffRole.BROADCASTER,
        "editor": StaffRole.EDITOR,
        "police": StaffRole.POLICE,
    }
    for name, role in roles.items():
        for commune, prefix in ((cadaujac, ""), (didenheim, "other ")):
            user = make_user(f"{prefix.strip() or 'own'}-{name}@staff.test", first_name="Agent")
            staff_role_grant(user=user, commune=commune, role=role)
            people[f"{prefix}{name}"] = user
    return people
