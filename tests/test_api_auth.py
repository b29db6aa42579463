"""Apps sign in through allauth's headless mode and call the API with their session token.

The same door as the site's (adapters, lockouts, TOTP for staff), and a token that stops
working when its device signs out, when the password changes, when the member revokes it
from *Mon compte → Appareils connectés*, and when the account is erased.
"""

import json
import time
from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client
from django.utils import timezone

from accounts.gdpr import account_erase
from accounts.services import totp_authenticator_ensure
from api.models import AppSession
from tests.conftest import CADAUJAC_HOST, PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = "/_allauth/app/v1/auth/login"
SESSION = "/_allauth/app/v1/auth/session"
ME = "/api/v1/me/"
DEVICES = "/compte/appareils/"
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PHONE_APP = "VoisinageApp/1.0 (Android 14; Pixel 7)"
TABLET_APP = "VoisinageApp/1.0 (iPadOS 18)"


def app(user_agent=PHONE_APP, address="203.0.113.7") -> Client:
    return Client(headers={"host": CADAUJAC_HOST, "user-agent": user_agent}, REMOTE_ADDR=address)


def post_json(client, url, data, token=None):
    headers = {"X-Session-Token": token} if token else {}
    return client.post(url, json.dumps(data), content_type="application/json", headers=headers)


def sign_in(client, login="jeanne@cadaujac.test", password=PASSWORD, field="email"):
    return post_json(client, LOGIN, {field: login, "password": password})


def token_of(response) -> str:
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def me(client, token):
    return client.get(ME, headers={"X-Session-Token": token})


def totp_code(offset: int = 0) -> str:
    return format_hotp_value(hotp_value(SECRET, int(time.time()) // 30 + offset))


@pytest.fixture
def jeanne(jeanne_resident):
    jeanne_resident.email_verified_at = jeanne_resident.phone_verified_at = timezone.now()
    jeanne_resident.save()
    return jeanne_resident


@pytest.fixture
def marc(marc_moderator):
    marc_moderator.email_verified_at = timezone.now()
    marc_moderator.save()
    totp_authenticator_ensure(user=marc_moderator, secret=SECRET)
    return marc_moderator


# --- Signing in ----------------------------------------------------------------------------------


def test_app_signs_in_by_email_and_reads_the_member_with_its_token(jeanne):
    phone = app()
    token = token_of(sign_in(phone))

    response = me(phone, token)

    assert response.status_code == 200
    assert response.json()["first_name"] == "Jeanne"
    assert response.json()["membership"]["community"] == "Centre-bourg"
    # The app's session never comes back as a cookie: the token is its only key.
    assert "sessionid" not in response.cookies
    device = AppSession.objects.get(session_key=token)
    assert (device.user, device.user_agent) == (jeanne, PHONE_APP)


def test_app_signs_in_by_mobile_number_in_international_format(jeanne):
    token = token_of(sign_in(app(), login="+33611223344", field="phone"))

    assert me(app(), token).json()["id"] == jeanne.pk


def test_wrong_password_says_the_site_s_sentence_and_no_token_reads_the_api(jeanne):
    response = sign_in(app(), password="pas-le-bon-mot-de-passe")

    assert response.status_code == 400
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()
    assert not AppSession.objects.filter(user=jeanne).exists()


def test_five_failures_lock_the_login_even_with_the_right_password_then(jeanne):
    phone = app()
    for _ in range(5):
        sign_in(phone, password="pas-le-bon-mot-de-passe")

    locked = sign_in(phone)

    assert locked.status_code == 429
    assert "Trop de tentatives de connexion" in locked.json()["errors"][0]["message"]
    assert not AppSession.objects.filter(user=jeanne).exists()
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert sign_in(phone).status_code == 200


def test_staff_with_totp_gets_no_working_token_before_giving_the_code(marc):
    phone = app()
    pending = sign_in(phone, login="marc@cadaujac.test")
    assert pending.status_code == 401
    flows = {flow["id"]: flow for flow in pending.json()["data"]["flows"]}
    assert flows["mfa_authenticate"]["is_pending"]
    token = pending.json()["meta"]["session_token"]
    assert me(phone, token).status_code == 401

    done = post_json(phone, "/_allauth/app/v1/auth/2fa/authenticate", {"code": totp_code()}, token)

    assert done.status_code == 200
    token = done.json()["meta"]["session_token"]
    assert me(phone, token).status_code == 200
    # One device, one row: the token of the unfinished sign-in is gone.
    assert list(AppSession.objects.values_list("session_key", flat=True)) == [token]


def test_staff_token_ends_after_thirty_idle_minutes_like_a_staff_session(marc):
    phone = app()
    pending = sign_in(phone, login="marc@cadaujac.test")
    token = post_json(
        phone,
        "/_allauth/app/v1/auth/2fa/authenticate",
        {"code": totp_code()},
        pending.json()["meta"]["session_token"],
    ).json()["meta"]["session_token"]
    assert me(phone, token).status_code == 200

    with time_machine.travel(timezone.now() + timedelta(minutes=40)):
        assert me(phone, token).status_code == 401
    assert not AppSession.objects.filter(session_key=token).exists()


def test_apps_cannot_register_around_the_commune_s_registration_form(db, cadaujac):
    response = post_json(
        app(), "/_allauth/app/v1/auth/signup", {"email": "x@exemple.test", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert not AppSession.objects.filter(user__isnull=False).exists()


# --- Tokens that stop working --------------------------------------------------------------------


def test_token_stops_working_after_sign_out_of_that_device_only(jeanne):
    phone, tablet = app(), app(TABLET_APP)
    phone_token, tablet_token = token_of(sign_in(phone)), token_of(sign_in(tablet))

    phone.delete(SESSION, headers={"X-Session-Token": phone_token})

    assert me(phone, phone_token).status_code == 401
    assert me(tablet, tablet_token).status_code == 200
    assert list(AppSession.objects.filter(user=jeanne).values_list("user_agent", flat=True)) == [
        TABLET_APP
    ]


def test_password_changed_from_an_app_signs_every_other_app_out(jeanne):
    phone, tablet = app(), app(TABLET_APP)
    phone_token, tablet_token = token_of(sign_in(phone)), token_of(sign_in(tablet))

    changed = post_json(
        phone,
        "/_allauth/app/v1/account/password/change",
        {"current_password": PASSWORD, "new_password": "un-nouveau-mot-de-passe-2026"},
        phone_token,
    )

    assert changed.status_code == 200, changed.content
    # The app that changed it stays signed in, under the new token allauth hands it back.
    renewed = changed.json()["meta"]["session_token"]
    assert me(phone, renewed).status_code == 200
    assert me(phone, phone_token).status_code == 401
    assert me(tablet, tablet_token).status_code == 401
    assert AppSession.objects.filter(user=jeanne).count() == 1


def test_password_changed_on_the_site_signs_every_app_out(jeanne):
    phone_token = token_of(sign_in(app()))
    browser = Client(headers={"host": CADAUJAC_HOST})
    browser.force_login(jeanne)

    browser.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "un-nouveau-mot-de-passe-2026",
            "password2": "un-nouveau-mot-de-passe-2026",
        },
    )

    jeanne.refresh_from_db()
    assert jeanne.check_password("un-nouveau-mot-de-passe-2026")
    assert me(app(), phone_token).status_code == 401
    assert browser.get(ME).status_code == 200  # the browser that changed it stays signed in


def test_erasure_revokes_every_token(jeanne):
    phone_token = token_of(sign_in(app()))

    account_erase(user=jeanne)

    assert me(app(), phone_token).status_code == 401
    assert not AppSession.objects.exists()


# --- Appareils connectés -------------------------------------------------------------------------


def test_member_lists_her_apps_and_revokes_one(jeanne, paul_neighbour):
    phone_token, tablet_token = token_of(sign_in(app())), token_of(sign_in(app(TABLET_APP)))
    browser = Client(headers={"host": CADAUJAC_HOST})
    browser.force_login(jeanne)

    page = browser.get(DEVICES)

    assert page.status_code == 200
    html = page.content.decode()
    assert "Appareils connectés" in html
    assert PHONE_APP in html
    assert TABLET_APP in html
    phone = AppSession.objects.get(session_key=phone_token)

    response = browser.post(f"{DEVICES}{phone.pk}/deconnecter/")

    assert response.status_code == 302
    assert me(app(), phone_token).status_code == 401
    assert me(app(), tablet_token).status_code == 200
    assert PHONE_APP not in browser.get(DEVICES).content.decode()


def test_another_member_cannot_see_nor_revoke_her_apps(jeanne, paul_neighbour):
    token = token_of(sign_in(app()))
    device = AppSession.objects.get(session_key=token)
    browser = Client(headers={"host": CADAUJAC_HOST})
    browser.force_login(paul_neighbour)

    assert PHONE_APP not in browser.get(DEVICES).content.decode()
    assert browser.post(f"{DEVICES}{device.pk}/deconnecter/").status_code == 404
    assert me(app(), token).status_code == 200


def test_devices_page_asks_for_sign_in(db, cadaujac):
    response = Client(headers={"host": CADAUJAC_HOST}).get(DEVICES)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- The site's own pages: session and CSRF ------------------------------------------------------


def test_browser_session_reads_the_api_and_writes_only_with_its_csrf_token(jeanne):
    browser = Client(headers={"host": CADAUJAC_HOST}, enforce_csrf_checks=True)
    browser.force_login(jeanne)
    alert = {"category": "scouting", "text": "Une camionnette tourne rue des Vignes depuis 14 h."}

    assert browser.get(ME).status_code == 200
    refused = post_json(browser, "/api/v1/alerts/", alert)
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"

    browser.get("/compte/")  # any page with a form sets the CSRF cookie
    csrf = browser.cookies["csrftoken"].value
    accepted = browser.post(
        "/api/v1/alerts/",
        json.dumps(alert),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["source"] == "api"
