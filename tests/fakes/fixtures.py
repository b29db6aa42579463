"""Pytest fixtures for the fake providers (loaded by ``pytest_plugins`` in tests/conftest.py)."""

import pytest

from .twilio_server import FakeTwilioServer, new_sid


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
