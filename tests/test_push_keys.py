"""``generate_vapid_keys`` prints keys that browsers and pywebpush accept as they are."""

import base64
import io

from django.core.management import call_command
from py_vapid import Vapid

from notifications.models import PushSubscription
from notifications.push import PushJob, PushNotification, push_jobs_send


def _generated() -> dict[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("generate_vapid_keys", stdout=out, stderr=err)
    lines = [line for line in out.getvalue().splitlines() if line]
    assert len(lines) == 2  # only what goes into the environment is on stdout
    assert "secrète" in err.getvalue()
    return dict(line.split("=", 1) for line in lines)


def _b64url_decode(text: str) -> bytes:
    assert not set(text) & set("=+/")  # base64url, unpadded
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_generated_public_key_is_what_push_manager_subscribe_expects():
    keys = _generated()

    raw = _b64url_decode(keys["VAPID_PUBLIC_KEY"])
    assert len(raw) == 65  # an uncompressed P-256 point…
    assert raw[0] == 0x04  # …marked as such


def test_each_run_prints_a_new_pair():
    assert _generated() != _generated()


def test_generated_keys_sign_pushes_the_service_accepts(settings, fake_push, make_user):
    keys = _generated()
    settings.VAPID_PUBLIC_KEY = keys["VAPID_PUBLIC_KEY"]
    settings.VAPID_PRIVATE_KEY = keys["VAPID_PRIVATE_KEY"]
    fake_push.vapid_public_key = keys["VAPID_PUBLIC_KEY"]
    # py-vapid reads the private key string and derives the very public key printed.
    vapid = Vapid.from_string(private_key=keys["VAPID_PRIVATE_KEY"])
    assert (
        vapid.public_key.public_numbers()
        == Vapid.from_raw_public(keys["VAPID_PUBLIC_KEY"].encode()).public_key.public_numbers()
    )

    browser = fake_push.browser()
    subscription = PushSubscription.objects.create(
        user=make_user("keys@voisinage.test"),
        endpoint=browser.endpoint,
        p256dh=browser.p256dh,
        auth=browser.auth,
    )
    job = PushJob(
        key="test",
        subscriptions=[subscription],
        notification=PushNotification(title="Essai", body="Bonjour", url="/", tag="t"),
        ttl=60,
    )
    push_jobs_send(jobs=[job])

    assert job.error is None
    (request,) = fake_push.requests
    assert request.status == 201
    assert request.vapid_key == keys["VAPID_PUBLIC_KEY"]
    assert browser.decrypt(request.body)["body"] == "Bonjour"
