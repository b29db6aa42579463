"""SMS backends: one class per way of sending, behind one tiny interface.

``SmsBackend.send(sms)`` hands one ``OutboundSms`` to a provider, sets
``sms.provider_message_id`` when the provider gives one, and raises ``SmsError`` when it
refuses. It never writes the row: ``notifications.sms.service`` does, before and after.
``settings.SMS_BACKEND`` names the backend: ``console``, ``outbox``, ``twilio`` or the
dotted path of any ``SmsBackend`` subclass.
"""

from __future__ import annotations

import logging
import sys
import threading
import uuid
from functools import lru_cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from notifications.channels.base import ChannelError

if TYPE_CHECKING:
    from notifications.models import OutboundSms

logger = logging.getLogger(__name__)

BUILTIN_BACKENDS = {
    "console": "notifications.sms.backends.ConsoleSmsBackend",
    "outbox": "notifications.sms.backends.OutboxSmsBackend",
    "twilio": "notifications.sms.backends.TwilioSmsBackend",
}

DEFAULT_TWILIO_API_BASE_URL = "https://api.twilio.com"
DEFAULT_TWILIO_HTTP_TIMEOUT = 10.0  # seconds; an alert fan-out must not hang on one call
TWILIO_MAX_VALIDITY_PERIOD = 36000  # seconds (10 h), Twilio's maximum and default

# Twilio error codes (https://www.twilio.com/docs/api/errors).
# Sent with a 4xx status, yet retrying later may succeed.
TWILIO_TRANSIENT_CODES = frozenset(
    {
        "14107",  # SMS send rate limit exceeded
        "20003",  # authentication failed: credentials being rotated or misconfigured
        "20429",  # too many requests
        "21611",  # sender's queue is full
    }
)
# About the recipient or the text: the same message to the same number fails again.
TWILIO_PERMANENT_CODES = frozenset(
    {
        "21211",  # invalid 'To' number
        "21408",  # destination region not enabled
        "21610",  # recipient unsubscribed (answered STOP)
        "21612",  # cannot route to this number
        "21614",  # 'To' is not a mobile number
        "21617",  # body too long
        "30004",  # message blocked
        "30005",  # unknown destination handset
        "30006",  # landline or unreachable carrier
        "30007",  # filtered as spam by the carrier
    }
)


class SmsError(ChannelError):
    """A provider refused or could not take a message (see ``ChannelError``)."""


class SmsBackend:
    """Base class: subclasses implement ``send`` and keep no per-message state."""

    def send(self, sms: OutboundSms) -> None:
        raise NotImplementedError


def _local_message_id() -> str:
    # Local backends still give an id, so status webhooks can be tried in the demo.
    return f"local-{uuid.uuid4().hex}"


class OutboxSmsBackend(SmsBackend):
    """Sends nothing: the outbox row, visible in the admin, is the whole record (tests, demo)."""

    def send(self, sms: OutboundSms) -> None:
        sms.provider_message_id = _local_message_id()


class ConsoleSmsBackend(SmsBackend):
    """Prints each message on standard output (the demo), like Django's console e-mail."""

    _lock = threading.Lock()

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, sms: OutboundSms) -> None:
        sms.provider_message_id = _local_message_id()
        sender = sms.sender or "default sender"
        text = (
            f"--- SMS #{sms.pk} to {sms.to} from {sender} "
            f"[{sms.purpose}, {sms.encoding}, {sms.segments} segment(s)] ---\n"
            f"{sms.body}\n"
            f"---\n"
        )
        stream = self.stream or sys.stdout
        with self._lock:
            stream.write(text)
            stream.flush()


def twilio_error_is_permanent(*, status: int | None, code: str | None) -> bool:
    """Transient: timeouts, 429, 5xx and the few 4xx codes that a later try may pass.
    Permanent: every other 4xx (invalid number, STOP, not a mobile, body refused...)."""
    if code in TWILIO_PERMANENT_CODES:
        return True
    if code in TWILIO_TRANSIENT_CODES:
        return False
    if status is None or status == 429 or status >= 500:
        return False
    if status in (401, 403):  # our credentials, not this message
        return False
    return 400 <= status < 500


_clients = threading.local()


def _twilio_client(*, account_sid: str, auth_token: str, base_url: str, timeout: float):
    """A Twilio client whose every request goes to ``base_url``, one per thread and config.

    The client's ``api`` domain carries the base URL (``Domain.base_url``, used by
    ``absolute_url`` for every request of the 2010-04-01 API). Its edge and region are
    cleared: read from ``TWILIO_EDGE``/``TWILIO_REGION``, they would rewrite the host name.
    The HTTP client (``twilio_http``) never retries: a repeated POST could send twice.
    """
    from twilio.rest import Client

    from .twilio_http import PooledTwilioHttpClient

    key = (account_sid, auth_token, base_url, timeout)
    cache = getattr(_clients, "by_config", None)
    if cache is None:
        cache = _clients.by_config = {}
    client = cache.get(key)
    if client is None:
        http_client = PooledTwilioHttpClient(base_url=base_url, timeout=timeout)
        client = Client(account_sid, auth_token, http_client=http_client)
        client.edge = None
        client.region = None
        client.api.base_url = base_url.rstrip("/")
        if len(cache) >= 4:  # settings changed (tests): drop the old clients
            cache.clear()
        cache[key] = client
    return client


class TwilioSmsBackend(SmsBackend):
    """Twilio's Messages API through the official client, at ``TWILIO_API_BASE_URL``.

    Sends from the messaging service (``TWILIO_MESSAGING_SERVICE_SID``) and/or from the
    message's sender, else ``TWILIO_FROM_NUMBER``. Asks for status callbacks at
    ``PUBLIC_BASE_URL/sms/status/`` when the public origin is known.
    """

    def send(self, sms: OutboundSms) -> None:
        from twilio.base.exceptions import TwilioRestException, TwilioServiceException

        from .twilio_http import ProviderTimeoutError, ProviderUnreachableError

        account_sid = getattr(settings, "TWILIO_ACCOUNT_SID", "")
        auth_token = getattr(settings, "TWILIO_AUTH_TOKEN", "")
        if not account_sid or not auth_token:
            raise SmsError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are required", code="config")
        params = self.message_params(sms)
        client = _twilio_client(
            account_sid=account_sid,
            auth_token=auth_token,
            base_url=getattr(settings, "TWILIO_API_BASE_URL", "") or DEFAULT_TWILIO_API_BASE_URL,
            timeout=float(getattr(settings, "TWILIO_HTTP_TIMEOUT", DEFAULT_TWILIO_HTTP_TIMEOUT)),
        )
        try:
            message = client.api.v2010.account.messages.create(**params)
        except TwilioRestException as error:
            code = str(error.code) if error.code is not None else None
            raise SmsError(
                f"Twilio HTTP {error.status}: {error.msg}",
                permanent=twilio_error_is_permanent(status=error.status, code=code),
                code=code or str(error.status),
            ) from error
        except TwilioServiceException as error:
            code = str(error.code) if error.code is not None else None
            raise SmsError(
                f"Twilio HTTP {error.status}: {error.title} {error.detail or ''}".strip(),
                permanent=twilio_error_is_permanent(status=error.status, code=code),
                code=code or str(error.status),
            ) from error
        except ProviderTimeoutError as error:
            # A read timeout is ambiguous: Twilio may have queued the message anyway.
            raise SmsError(f"Twilio timed out: {error}", code="timeout") from error
        except ProviderUnreachableError as error:
            raise SmsError(f"Twilio unreachable: {error}", code="connection") from error
        sms.provider_message_id = message.sid

    def message_params(self, sms: OutboundSms) -> dict:
        service_sid = getattr(settings, "TWILIO_MESSAGING_SERVICE_SID", "")
        sender = sms.sender or getattr(settings, "TWILIO_FROM_NUMBER", "")
        if not service_sid and not sender:
            raise SmsError(
                "set TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER (or give a sender)",
                code="config",
            )
        params: dict = {"to": sms.to, "body": sms.body}
        if service_sid:
            params["messaging_service_sid"] = service_sid
        if sender:
            params["from_"] = sender
        public_base_url = (getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
        if public_base_url:
            params["status_callback"] = f"{public_base_url}/sms/status/"
        if sms.validity_period:
            params["validity_period"] = min(sms.validity_period, TWILIO_MAX_VALIDITY_PERIOD)
        return params


@lru_cache(maxsize=8)
def _backend_class(path: str) -> type[SmsBackend]:
    try:
        backend_class = import_string(path)
    except ImportError as error:
        raise ImproperlyConfigured(f"SMS_BACKEND {path!r} cannot be imported") from error
    if not (isinstance(backend_class, type) and issubclass(backend_class, SmsBackend)):
        raise ImproperlyConfigured(f"SMS_BACKEND {path!r} is not an SmsBackend subclass")
    return backend_class


def sms_backend_name() -> str:
    return getattr(settings, "SMS_BACKEND", "") or "console"


def sms_backend() -> SmsBackend:
    """The backend ``settings.SMS_BACKEND`` names, read at each call (tests override it)."""
    name = sms_backend_name()
    path = BUILTIN_BACKENDS.get(name, name)
    if "." not in path:
        raise ImproperlyConfigured(
            f"SMS_BACKEND must be one of {sorted(BUILTIN_BACKENDS)} or a dotted path, not {name!r}"
        )
    return _backend_class(path)()
