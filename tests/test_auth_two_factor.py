"""Mairie staff and the platform team need TOTP to enter the admin or any moderation screen.

Without an authenticator they are sent to activate one; with one, they pass allauth's
code step at sign-in. Residents are never asked.
"""

import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client
from django.utils import timezone

from accounts.services import totp_authenticator_ensure
from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, offset: int = 0) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


@pytest.fixture
def agent(make_user, cadaujac):
    """Agathe edits Cadaujac's site; she has no authenticator yet."""
    user = make_user("agathe@cadaujac.test", first_name="Agathe", email_verified_at=timezone.now())
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.EDITOR)
    return user


@pytest.fixture
def agent_with_totp(agent):
    totp_authenticator_ensure(user=agent, secret=SECRET)
    return agent


@pytest.fixture
def resident(make_user):
    return make_user("rene@exemple.test", first_name="René", email_verified_at=timezone.now())


@pytest.mark.parametrize(
    "path", ["/admin/", "/admin/pages/", "/moderation/inscriptions/", "/en/moderation/"]
)
def test_staff_without_totp_is_sent_to_activate_it(visitor, agent, path):
    visitor.force_login(agent)

    response = visitor.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(f"{TOTP_ACTIVATE}?next=")


def test_platform_team_without_totp_is_sent_to_activate_it(visitor, platform_admin):
    visitor.force_login(platform_admin)

    response = visitor.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(TOTP_ACTIVATE)


def test_staff_without_totp_still_browses_the_public_site(visitor, agent):
    visitor.force_login(agent)

    assert visitor.get("/").status_code == 200


def test_resident_is_never_asked_for_two_factor(visitor, resident):
    visitor.post(LOGIN, {"login": "rene@exemple.test", "password": PASSWORD})
    assert visitor.session["_auth_user_id"] == str(resident.pk)

    admin = visitor.get("/admin/")
    home = visitor.get("/")

    assert not admin["Location"].startswith(TOTP_ACTIVATE)
    assert home.status_code == 200


def test_staff_with_totp_must_pass_the_code_step(visitor, agent_with_totp):
    response = visitor.post(LOGIN, {"login": "agathe@cadaujac.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    assert "_auth_user_id" not in visitor.session
    assert visitor.get("/admin/")["Location"].startswith(LOGIN)

    wrong = visitor.post(MFA_AUTHENTICATE, {"code": "000000"})
    assert wrong.status_code == 200
    assert "_auth_user_id" not in visitor.session

    right = visitor.post(MFA_AUTHENTICATE, {"code": totp_code(SECRET)})
    assert right.status_code == 302
    assert visitor.session["_auth_user_id"] == str(agent_with_totp.pk)
    assert visitor.get("/admin/").status_code == 200


def test_staff_with_totp_can_sign_in_with_a_recovery_code(visitor, agent_with_totp):
    recovery = RecoveryCodes.activate(agent_with_totp)
    code = recovery.get_unused_codes()[0]
    visitor.post(LOGIN, {"login": "agathe@cadaujac.test", "password": PASSWORD})

    response = visitor.post(MFA_AUTHENTICATE, {"code": code})

    assert response.status_code == 302
    assert visitor.session["_auth_user_id"] == str(agent_with_totp.pk)
    recovery.instance.refresh_from_db()
    assert code not in RecoveryCodes(recovery.instance).get_unused_codes()


def test_staff_activates_totp_and_gets_recovery_codes_then_enters_the_admin(visitor, agent):
    visitor.post(LOGIN, {"login": "agathe@cadaujac.test", "password": PASSWORD})
    redirect = visitor.get("/admin/")
    assert redirect["Location"].startswith(TOTP_ACTIVATE)

    # allauth asks for the password again before adding an authenticator.
    confirm = visitor.get(redirect["Location"])
    assert confirm["Location"].startswith("/accounts/reauthenticate/")
    page = visitor.post(confirm["Location"], {"password": PASSWORD}, follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Activer la double authentification" in html
    assert "data:image/svg+xml;base64," in html
    secret = visitor.session[SECRET_SESSION_KEY]

    response = visitor.post(TOTP_ACTIVATE, {"code": totp_code(secret)})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/recovery-codes/"
    types = set(Authenticator.objects.filter(user=agent).values_list("type", flat=True))
    assert types == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    assert visitor.get("/admin/").status_code == 200
