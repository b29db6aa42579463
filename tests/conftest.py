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
