"""A member enables and disables push on a browser through ``/api/v1/push/``.

Only signed-in active members, only with the CSRF token, only well-formed subscriptions;
an endpoint belongs to the last member who enabled it; nobody removes another's.
"""

import json

import pytest
from django.test import Client

from notifications.models import PushSubscription
from tests.fakes.push_server import BrowserSubscription

URL = "/api/v1/push/subscriptions/"
KEY_URL = "/api/v1/push/vapid-public-key/"


@pytest.fixture
def push_keys(settings):
    from notifications.push_keys import vapid_keys_generate

    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_keys_generate()
    return settings.VAPID_PUBLIC_KEY


def browser(name="abc"):
    return BrowserSubscription(
        endpoint=f"https://updates.push.services.mozilla.com/wpush/v2/{name}"
    )


def post(client, data, **extra):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(URL, body, content_type="application/json", **extra)


def delete(client, data, **extra):
    return client.delete(URL, json.dumps(data), content_type="application/json", **extra)


def test_member_enables_push_on_this_browser(client, sign_in, paul_neighbour, push_keys):
    sign_in(client, paul_neighbour)
    device = browser()

    response = post(client, device.to_json(), HTTP_USER_AGENT="Firefox Android")

    assert response.status_code == 201
    assert response.json() == {"endpoint": device.endpoint, "created": True}
    row = PushSubscription.objects.get()
    assert (row.user, row.endpoint, row.p256dh, row.auth, row.user_agent) == (
        paul_neighbour,
        device.endpoint,
        device.p256dh,
        device.auth,
        "Firefox Android",
    )


def test_enabling_the_same_browser_again_keeps_one_row_with_fresh_keys(
    client, sign_in, paul_neighbour, push_keys
):
    sign_in(client, paul_neighbour)
    device = browser()
    post(client, device.to_json())
    renewed = BrowserSubscription(endpoint=device.endpoint)  # new keys, same endpoint

    response = post(client, renewed.to_json())

    assert response.status_code == 200
    assert response.json()["created"] is False
    row = PushSubscription.objects.get()
    assert (row.p256dh, row.auth) == (renewed.p256dh, renewed.auth)


def test_a_browser_belongs_to_the_last_member_who_enabled_it(
    client, sign_in, paul_neighbour, jeanne_resident, push_keys
):
    device = browser()
    post(sign_in(client, paul_neighbour), device.to_json())

    other = Client()
    response = post(sign_in(other, jeanne_resident), device.to_json())

    assert response.status_code == 200
    assert list(PushSubscription.objects.values_list("user", flat=True)) == [jeanne_resident.pk]


def test_anonymous_visitor_cannot_subscribe(client, push_keys):
    response = post(client, browser().to_json())

    assert response.status_code == 403
    assert "Connectez-vous" in response.json()["error"]
    assert not PushSubscription.objects.exists()


def test_deactivated_account_cannot_subscribe(client, paul_neighbour, push_keys):
    paul_neighbour.is_active = False
    paul_neighbour.save()
    client.force_login(paul_neighbour)

    response = post(client, browser().to_json())

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_subscribing_without_the_csrf_token_is_refused(paul_neighbour, push_keys):
    client = Client(enforce_csrf_checks=True)
    client.force_login(paul_neighbour)

    response = post(client, browser().to_json())

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_subscribing_with_the_pages_csrf_token_works(paul_neighbour, push_keys):
    client = Client(enforce_csrf_checks=True)
    client.force_login(paul_neighbour)
    page = client.get("/compte/notifications/")
    token = client.cookies["csrftoken"].value
    assert page.status_code == 200

    response = post(client, browser().to_json(), HTTP_X_CSRFTOKEN=token)

    assert response.status_code == 201
    assert PushSubscription.objects.filter(user=paul_neighbour).count() == 1


def _valid():
    return browser().to_json()


def _with(**changes):
    data = _valid()
    for name, value in changes.items():
        if name in ("p256dh", "auth"):
            data["keys"][name] = value
        else:
            data[name] = value
    return data


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("{not json", None),
        ("[1, 2]", None),
        (b"\xff\xfe", None),
        (_with(endpoint="http://updates.push.services.mozilla.com/wpush/v2/abc"), "endpoint"),
        (_with(endpoint="javascript:alert(1)"), "endpoint"),
        # Only push services: never an address inside our network (SSRF) nor any other site.
        (_with(endpoint="https://10.0.0.5/admin"), "endpoint"),
        (_with(endpoint="https://[::1]/x"), "endpoint"),
        (_with(endpoint="https://localhost/x"), "endpoint"),
        (_with(endpoint="https://redis.internal/x"), "endpoint"),
        (_with(endpoint="https://example.org/x"), "endpoint"),
        (_with(endpoint="https://fcm.googleapis.com.evil.test/x"), "endpoint"),
        (_with(endpoint=""), "endpoint"),
        (_with(endpoint="https://fcm.googleapis.com/fcm/send/" + "a" * 1000), "endpoint"),
        (_with(p256dh="AAAA"), "p256dh"),
        (_with(p256dh="BP" + "A" * 85), "p256dh"),  # 65 bytes, but not a point on the curve
        (_with(p256dh="not base64!"), "p256dh"),
        (_with(auth="c2hvcnQ"), "auth"),
        (_with(auth=None), "auth"),
        ({"endpoint": "https://fcm.googleapis.com/fcm/send/x"}, "p256dh"),
    ],
)
def test_malformed_subscription_is_refused_with_a_clear_message_and_nothing_stored(
    client, sign_in, paul_neighbour, push_keys, body, field
):
    sign_in(client, paul_neighbour)

    response = post(client, body)

    assert response.status_code == 400
    payload = response.json()
    assert payload["error"]
    if field:
        assert field in payload["fields"]
    assert not PushSubscription.objects.exists()


def test_member_disables_push_on_this_browser(client, sign_in, paul_neighbour, push_keys):
    sign_in(client, paul_neighbour)
    device = browser()
    post(client, device.to_json())

    response = delete(client, {"endpoint": device.endpoint})

    assert response.status_code == 204
    assert not PushSubscription.objects.exists()


def test_nobody_removes_another_members_browser(
    client, sign_in, paul_neighbour, jeanne_resident, push_keys
):
    device = browser()
    post(sign_in(Client(), jeanne_resident), device.to_json())
    sign_in(client, paul_neighbour)

    response = delete(client, {"endpoint": device.endpoint})

    assert response.status_code == 404
    assert PushSubscription.objects.get().user == jeanne_resident


def test_anonymous_visitor_cannot_remove_a_browser(client, sign_in, jeanne_resident, push_keys):
    device = browser()
    post(sign_in(Client(), jeanne_resident), device.to_json())

    response = delete(client, {"endpoint": device.endpoint})

    assert response.status_code == 403
    assert PushSubscription.objects.count() == 1


def test_other_methods_are_not_allowed(client, sign_in, paul_neighbour, push_keys):
    sign_in(client, paul_neighbour)

    assert client.get(URL).status_code == 405
    assert client.put(URL, "{}", content_type="application/json").status_code == 405


def test_public_key_is_given_to_the_page(client, push_keys):
    response = client.get(KEY_URL)

    assert response.status_code == 200
    assert response.json() == {"public_key": push_keys}


def test_without_keys_push_is_unavailable_and_says_so(client, sign_in, paul_neighbour, settings):
    settings.VAPID_PUBLIC_KEY = settings.VAPID_PRIVATE_KEY = ""
    sign_in(client, paul_neighbour)

    assert client.get(KEY_URL).status_code == 503
    response = post(client, browser().to_json())
    assert response.status_code == 503
    assert "pas disponibles" in response.json()["error"]
    assert not PushSubscription.objects.exists()
    page = client.get("/compte/notifications/")
    assert "Les notifications ne sont pas disponibles sur ce site" in page.content.decode()
    assert "data-push-control" not in page.content.decode()


def test_settings_page_offers_to_enable_push_on_this_device(
    client, sign_in, paul_neighbour, push_keys
):
    sign_in(client, paul_neighbour)

    page = client.get("/compte/notifications/").content.decode()

    assert "data-push-control" in page
    assert "Activer les notifications sur cet appareil" in page
    assert "bloquées par votre navigateur" in page  # the blocked state is explained
    assert 'role="status"' in page
    assert "js/push.js" in page


def test_signing_out_stops_this_browser_receiving_the_members_alerts(
    client, sign_in, paul_neighbour, push_keys
):
    from notifications.push_subscriptions import push_subscription_save

    sign_in(client, paul_neighbour)
    this_browser = browser("this-one")
    post(client, this_browser.to_json())
    phone = browser("phone")  # enabled earlier on another device
    push_subscription_save(user=paul_neighbour, data=phone.to_json())

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert list(PushSubscription.objects.values_list("endpoint", flat=True)) == [phone.endpoint]


def test_signing_in_again_on_the_browser_enables_it_again(
    client, sign_in, paul_neighbour, push_keys
):
    device = browser()
    sign_in(client, paul_neighbour)
    post(client, device.to_json())
    client.post("/accounts/logout/")

    sign_in(client, paul_neighbour)
    response = post(client, device.to_json())  # what the page's script does after sign-in

    assert response.status_code == 201
    assert PushSubscription.objects.get().user == paul_neighbour


def test_the_browsers_push_services_are_accepted(client, sign_in, paul_neighbour, push_keys):
    sign_in(client, paul_neighbour)
    endpoints = [
        "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91b",  # Chrome, Samsung, Opera…
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABm",  # Firefox
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD",  # Edge
        "https://web.push.apple.com/QGuQyavXutnMH",  # Safari
    ]

    statuses = [
        post(client, BrowserSubscription(endpoint=e).to_json()).status_code for e in endpoints
    ]

    assert statuses == [201, 201, 201, 201]


def test_a_member_keeps_a_handful_of_devices_and_the_oldest_are_forgotten(
    client, sign_in, paul_neighbour, push_keys
):
    from notifications.push_subscriptions import MAX_DEVICES_PER_MEMBER

    sign_in(client, paul_neighbour)
    devices = [browser(f"device-{n}") for n in range(MAX_DEVICES_PER_MEMBER + 3)]
    for device in devices:
        assert post(client, device.to_json()).status_code == 201

    kept = set(PushSubscription.objects.values_list("endpoint", flat=True))
    assert kept == {d.endpoint for d in devices[-MAX_DEVICES_PER_MEMBER:]}
