"""After setting up two-factor authentication, staff go on to the page they were going to.

The new recovery codes are shown first (once noted, "continuer" leads on); the page they
asked for is kept through the password confirmation and the activation form. A ``next``
to another site is ignored.
"""

import html
import re
import time

import pytest
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.test import Client
from django.utils import timezone

from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"


def totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def marion(make_user, cadaujac):
    """Marion moderates Cadaujac; she has no authenticator yet."""
    user = make_user("marion@cadaujac.test", first_name="Marion", email_verified_at=timezone.now())
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.MODERATOR)
    return user


@pytest.fixture
def visitor():
    return Client(headers={"host": CADAUJAC_HOST})


def _to_activation_form(visitor, wanted: str) -> str:
    """Sign in, ask for ``wanted``, confirm the password; return the activation form."""
    visitor.post("/accounts/login/", {"login": "marion@cadaujac.test", "password": PASSWORD})
    to_activate = visitor.get(wanted)["Location"]
    assert to_activate.startswith(TOTP_ACTIVATE)
    reauth = visitor.get(to_activate)["Location"]
    form = visitor.post(reauth, {"password": PASSWORD}, follow=True)
    assert form.status_code == 200
    return form.content.decode()


def test_staff_land_on_the_page_they_were_going_to_after_noting_their_codes(visitor, marion):
    form = _to_activation_form(visitor, "/admin/")
    hidden_next = re.search(r'<input type="hidden" name="next" value="([^"]+)"', form).group(1)
    assert hidden_next == "/admin/"
    secret = visitor.session[SECRET_SESSION_KEY]

    done = visitor.post(TOTP_ACTIVATE, {"code": totp_code(secret), "next": hidden_next})

    assert done.status_code == 302
    assert done["Location"] == "/accounts/2fa/recovery-codes/?next=%2Fadmin%2F"
    codes = html.unescape(visitor.get(done["Location"]).content.decode())
    assert "Codes de secours" in codes
    shown = re.search(r'<textarea id="recovery_codes"[^>]*>([^<]*)</textarea>', codes).group(1)
    assert len(shown.split()) == 10
    go_on = re.search(r'<a class="button" href="([^"]+)">J\'ai noté mes codes : continuer', codes)
    assert go_on.group(1) == "/admin/"
    assert visitor.get(go_on.group(1)).status_code == 200


def test_a_next_to_another_site_is_ignored(visitor, marion):
    _to_activation_form(visitor, "/admin/")
    secret = visitor.session[SECRET_SESSION_KEY]

    done = visitor.post(
        TOTP_ACTIVATE, {"code": totp_code(secret), "next": "https://ailleurs.example/piege"}
    )

    assert done["Location"] == "/accounts/2fa/recovery-codes/"
    codes = visitor.get(done["Location"]).content.decode()
    assert "ailleurs.example" not in codes
    assert "continuer" not in codes
