"""Every door that can open a session leads to allauth's sign-in and its code step.

A mairie or police account with TOTP reaches no staff screen (admin, moderation, police
feed, an alert's identifying details and call list, broadcast, alert moderation) until
*this session* gave its code: Wagtail's own sign-in forms send to allauth's, and a session
opened any other way (a view calling ``login()`` itself) is signed out on its first request.
"""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.utils import timezone
from wagtail.models import Page, PageViewRestriction

from accounts.services import totp_authenticator_ensure
from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
MFA_AUTHENTICATE = "/accounts/2fa/authenticate/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PLATE = "AB-123-CD"

ROLES = [
    StaffRole.EDITOR,
    StaffRole.ADMINISTRATOR,
    StaffRole.MODERATOR,
    StaffRole.BROADCASTER,
    StaffRole.POLICE,
    "platform",
]

# Which role reaches which screen once the code is given; before it, nobody reaches any.
ALLOWED = {
    "admin": {"editor", "administrator", "moderator", "broadcaster", "platform"},
    "registrations": {"moderator", "platform"},
    "police_feed": {"police", "platform"},
    "alert_details": {"administrator", "moderator", "broadcaster", "police", "platform"},
    "call_list": {"administrator", "moderator", "broadcaster", "police", "platform"},
    "broadcast": {"broadcaster", "platform"},
    "alert_moderation": {"moderator", "platform"},
}


def totp_code() -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30))


@pytest.fixture
def alert(jeanne_resident):
    return alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette qui photographie les entrées",
        identifying_details=PLATE,
    )


@pytest.fixture
def staff(make_user, cadaujac, django_user_model):
    """One account per staff role of Cadaujac, and the platform team; each with TOTP."""
    people = {}
    for role in ROLES:
        if role == "platform":
            user = django_user_model.objects.create_superuser(
                email="equipe@voisinage.test",
                password=PASSWORD,
                first_name="Équipe",
                last_name="Plateforme",
            )
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
        else:
            user = make_user(f"{role}@cadaujac.test", email_verified_at=timezone.now())
            staff_role_grant(user=user, commune=cadaujac, role=role)
        totp_authenticator_ensure(user=user, secret=SECRET)
        people[str(role)] = user
    return people


def staff_screens(alert) -> dict[str, str]:
    return {
        "admin": "/admin/",
        "registrations": "/moderation/inscriptions/",
        "police_feed": "/alertes/police/",
        "alert_details": f"/alertes/{alert.pk}/",
        "call_list": f"/alertes/{alert.pk}/injoignables/",
        "broadcast": "/admin/alerter/",
        "alert_moderation": "/admin/moderation-alertes/",
    }


def assert_refused(client, url: str, who: str) -> None:
    response = client.get(url)
    body = response.content.decode()
    assert PLATE not in body, f"{who} saw the identifying details on {url}"
    if response.status_code == 302:
        # To the sign-in form or the code step, never into the screen itself.
        target = response["Location"]
        assert target.startswith((LOGIN, MFA_AUTHENTICATE)), f"{who}: {url} → {target}"
    else:
        assert response.status_code in (403, 404), f"{who}: {url} answered {response.status_code}"


def assert_allowed(client, url: str, who: str, *, details: bool) -> None:
    response = client.get(url)
    assert response.status_code == 200, f"{who}: {url} answered {response.status_code}"
    if details:
        assert PLATE in response.content.decode(), f"{who} did not see the details on {url}"


def sign_in_with_password(client, user) -> None:
    response = client.post(LOGIN, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == MFA_AUTHENTICATE
    assert "_auth_user_id" not in client.session


def give_the_code(client, user) -> None:
    response = client.post(MFA_AUTHENTICATE, {"code": totp_code()})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


# Each door: what a person (or an attacker with the password) does there. Afterwards the
# client holds whatever session that door gave.


def door_allauth(client, user) -> None:
    sign_in_with_password(client, user)


def door_wagtail_private_pages(client, user, prefix="") -> None:
    path = f"{prefix}/_util/login/"
    page = client.get(f"{path}?next=/admin/")
    form = client.post(
        f"{path}?next=/admin/", {"username": user.email, "password": PASSWORD, "next": "/admin/"}
    )
    for response in (page, form):
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=%2Fadmin%2F"
    assert "_auth_user_id" not in client.session


def door_wagtail_private_pages_in_english(client, user) -> None:
    door_wagtail_private_pages(client, user, prefix="/en")


def door_wagtail_admin(client, user) -> None:
    page = client.get("/admin/login/")
    form = client.post("/admin/login/", {"username": user.email, "password": PASSWORD})
    for response in (page, form):
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def door_view_calling_login_itself(client, user) -> None:
    # What any view that checks a password and calls django.contrib.auth.login() gives.
    client.force_login(user)


DOORS = {
    "allauth_sign_in": door_allauth,
    "wagtail_private_pages_sign_in": door_wagtail_private_pages,
    "wagtail_private_pages_sign_in_en": door_wagtail_private_pages_in_english,
    "wagtail_admin_sign_in": door_wagtail_admin,
    "view_calling_login_itself": door_view_calling_login_itself,
}


@pytest.mark.parametrize("door", DOORS)
def test_staff_with_totp_reach_no_staff_screen_until_this_session_gave_the_code(door, staff, alert):
    screens = staff_screens(alert)
    for role, user in staff.items():
        client = Client(headers={"host": CADAUJAC_HOST})
        DOORS[door](client, user)

        for url in screens.values():
            assert_refused(client, url, f"{role} through {door}")
        assert "_auth_user_id" not in client.session, f"{role} kept a session from {door}"

        if door != "allauth_sign_in":
            sign_in_with_password(client, user)
        give_the_code(client, user)

        for name, url in screens.items():
            if role in ALLOWED[name]:
                details = name in ("alert_details", "police_feed")
                assert_allowed(client, url, f"{role} after the code", details=details)
            else:
                assert_refused(client, url, f"{role} (no such right) after the code")


def test_session_opened_before_totp_was_set_up_elsewhere_must_give_the_code(
    make_user, cadaujac, alert
):
    officer = make_user("agent@cadaujac.test", email_verified_at=timezone.now())
    staff_role_grant(user=officer, commune=cadaujac, role=StaffRole.POLICE)
    old_device = Client(headers={"host": CADAUJAC_HOST})
    old_device.post(LOGIN, {"login": officer.email, "password": PASSWORD})
    assert old_device.session["_auth_user_id"] == str(officer.pk)

    totp_authenticator_ensure(user=officer, secret=SECRET)  # on the officer's new phone
    response = old_device.get(f"/alertes/{alert.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in old_device.session
    assert PLATE not in old_device.get("/alertes/police/").content.decode()


def test_resident_with_totp_signed_in_without_the_code_is_signed_out(make_user, cadaujac):
    resident = make_user("rene@exemple.test", email_verified_at=timezone.now())
    totp_authenticator_ensure(user=resident, secret=SECRET)
    client = Client(headers={"host": CADAUJAC_HOST})
    client.force_login(resident)

    response = client.get("/compte/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=%2Fcompte%2F"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "reconnectez-vous" in page.content.decode()


def test_private_page_sends_visitors_to_the_sign_in_with_the_code_step(cadaujac):
    home = Page.objects.get(pk=cadaujac.site.root_page_id)
    PageViewRestriction.objects.create(page=home, restriction_type=PageViewRestriction.LOGIN)

    response = Client(headers={"host": CADAUJAC_HOST}).get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/"
