"""Pytest fixtures for the fake providers (loaded by ``pytest_plugins`` in tests/conftest.py)."""

import pytest

from .celery_broker import in_memory_broker
from .twilio_server import FakeTwilioServer, new_sid


@pytest.fixture
def broker():
    """Tasks go to kombu's in-memory broker, not run eagerly: yields ``drain(queue)``, the
    messages a worker would receive (see ``tests.fakes.celery_broker``)."""
    with in_memory_broker() as drain:
        yield drain


@pytest.fixture
def fake_twilio(settings):
    """A running fake Twilio, and settings that send every SMS through it.

    SMS go out through a messaging service (as French A2P traffic must), without a
    ``From`` number; a test may set ``settings.TWILIO_FROM_NUMBER`` or a sender instead.
    """
    server = FakeTwilioServer().start()
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_API_BASE_URL = server.base_url
    settings.TWILIO_ACCOUNT_SID = server.account_sid
    settings.TWILIO_AUTH_TOKEN = server.auth_token
    settings.TWILIO_MESSAGING_SERVICE_SID = new_sid("MG")
    settings.TWILIO_FROM_NUMBER = ""
    settings.TWILIO_HTTP_TIMEOUT = 2.0
    settings.PUBLIC_BASE_URL = ""
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def fake_push(settings):
    """A running fake web push service, and fresh VAPID keys that it checks signatures with.

    ``fake_push.browser()`` makes a browser subscription at this service; store it with
    ``push_subscription_save`` or as a ``PushSubscription`` row (its endpoint is plain http
    on loopback, which the API would refuse but pywebpush sends to).
    """
    from notifications.push_keys import vapid_keys_generate

    from .push_server import FakePushService

    public_key, private_key = vapid_keys_generate()
    server = FakePushService(vapid_public_key=public_key).start()
    settings.VAPID_PUBLIC_KEY = public_key
    settings.VAPID_PRIVATE_KEY = private_key
    settings.VAPID_SUBJECT = "mailto:alertes@voisinage.test"
    settings.PUSH_HTTP_TIMEOUT = 2.0
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def push_device(fake_push):
    """Enable push for ``user`` on a new browser at the fake service; return that browser."""
    from notifications.models import PushSubscription

    def enable(user):
        browser = fake_push.browser()
        PushSubscription.objects.create(
            user=user, endpoint=browser.endpoint, p256dh=browser.p256dh, auth=browser.auth
        )
        return browser

    return enable


@pytest.fixture
def fake_brevo(settings):
    """A running fake Brevo API, and settings that send every e-mail through anymail's Brevo
    backend to it, with a webhook secret for the tracking webhook (``WEBHOOK_AUTH``)."""
    from .brevo_server import FakeBrevoServer

    server = FakeBrevoServer().start()
    settings.EMAIL_BACKEND = "anymail.backends.brevo.EmailBackend"
    settings.ANYMAIL = {
        "BREVO_API_KEY": server.api_key,
        "BREVO_API_URL": server.base_url,
        "WEBHOOK_SECRET": BREVO_WEBHOOK_SECRET,
    }
    try:
        yield server
    finally:
        server.stop()


BREVO_WEBHOOK_SECRET = "brevo-hook:6Jq2-secret-for-tests"
