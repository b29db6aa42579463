"""The web push channel: members' browser subscriptions and sending to them with pywebpush.

Encryption (aes128gcm, RFC 8291) and the VAPID signature (RFC 8292) are pywebpush's and
py-vapid's: we only choose what to send, to which devices, and what each answer means.
A push service answers 201/202 when it accepted a message, 404/410 when the subscription is
gone for good (the row is deleted then), 429 or 5xx when it wants us to come back later.

Network calls run in a small thread pool and never touch the database; every database write
(deleting gone subscriptions, noting the last success) happens afterwards, in the caller's
thread and transaction.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

from .channels.base import ChannelError
from .models import PushSubscription

logger = logging.getLogger(__name__)

# Push services refuse payloads above 4 kB once encrypted; 3 kB of JSON leaves room for the
# encryption overhead and the margin some services keep.
MAX_PAYLOAD_BYTES = 3000
# A P-256 public key as browsers send it (uncompressed point) and the auth secret.
P256DH_BYTES = 65
AUTH_BYTES = 16
# Devices kept per member: enough for a phone, a tablet and a few computers.
MAX_DEVICES_PER_MEMBER = 10
# Beyond this, a push service keeps a message no longer anyway (four weeks).
MAX_TTL_SECONDS = 28 * 24 * 3600
# A push service asking for more patience than this is treated as an outage: the retry is
# not pushed further out than that.
MAX_RETRY_AFTER_SECONDS = 15 * 60

ACCEPTED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})


# --- Keys ------------------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    """Decode base64url with or without padding; refuse anything else."""
    if not isinstance(text, str) or not text:
        raise ValueError("empty")
    cleaned = text.strip().rstrip("=")
    if any(c not in _B64URL_ALPHABET for c in cleaned):
        # Some browsers' older polyfills send standard base64: accept it, it is unambiguous.
        cleaned = cleaned.replace("+", "-").replace("/", "_")
        if any(c not in _B64URL_ALPHABET for c in cleaned):
            raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError) as error:
        raise ValueError("not base64url") from error


_B64URL_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def vapid_keys_generate() -> tuple[str, str]:
    """A new VAPID key pair: (public, private), both base64url without padding.

    The public key is the uncompressed P-256 point that ``pushManager.subscribe``
    expects as ``applicationServerKey``; the private key is the raw 32-byte scalar that
    py-vapid (and so pywebpush) reads from a string.
    """
    private_key = ec.generate_private_key(ec.SECP256R1())
    private_raw = private_key.private_numbers().private_value.to_bytes(32, "big")
    public_raw = private_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return _b64url(public_raw), _b64url(private_raw)


def push_available() -> bool:
    """Whether this installation can send web push (both VAPID keys configured)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@lru_cache(maxsize=4)
def _vapid_for(private_key: str) -> Vapid:
    return Vapid.from_string(private_key=private_key)


def _vapid() -> Vapid:
    return _vapid_for(settings.VAPID_PRIVATE_KEY)


# A VAPID signature is valid for up to 24 h; ours are made per batch and live 12 h.
VAPID_LIFETIME_SECONDS = 12 * 3600


def _audience(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def _vapid_authorization(vapid: Vapid, audience: str) -> dict[str, str]:
    """The ``Authorization: vapid t=…,k=…`` header for one push service (RFC 8292).

    Signed once per push service and batch by py-vapid, rather than for every message as
    ``webpush(vapid_claims=…)`` would: the signature depends only on the service's origin.
    """
    return vapid.sign(
        {
            "sub": settings.VAPID_SUBJECT,
            "aud": audience,
            "exp": int(timezone.now().timestamp()) + VAPID_LIFETIME_SECONDS,
        }
    )


# --- Subscriptions -----------------------------------------------------------------------------


def _host_allowed(host: str) -> bool:
    """Whether our workers may POST to ``host``: a push service, never an internal address.

    The endpoint comes from the browser, that is from whoever calls the API: without this,
    a member could make the workers send requests to any machine they reach (SSRF).
    """
    host = host.lower().rstrip(".")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return False  # push services are reached by name
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return False
    allowed = [h.lower().lstrip(".") for h in getattr(settings, "PUSH_SERVICE_HOSTS", [])]
    return not allowed or any(host == h or host.endswith("." + h) for h in allowed)


def _endpoint_allowed(endpoint: str) -> bool:
    parts = urlsplit(endpoint)
    return parts.scheme == "https" and bool(parts.hostname) and _host_allowed(parts.hostname)


def push_subscription_clean(*, data) -> dict:
    """Check a browser's ``PushSubscription.toJSON()``; return the fields to store.

    Refuses (``ValidationError`` with one message per field) anything that is not an https
    endpoint with a 65-byte P-256 key and a 16-byte auth secret in base64url: such a row
    could never be sent to and would only fail at every alert.
    """
    if not isinstance(data, dict):
        raise ValidationError({"subscription": _("Abonnement illisible.")})
    errors: dict[str, str] = {}
    endpoint = data.get("endpoint")
    max_length = PushSubscription._meta.get_field("endpoint").max_length
    if not isinstance(endpoint, str) or not endpoint.strip():
        errors["endpoint"] = _("L'adresse du service de notification manque.")
    else:
        endpoint = endpoint.strip()
        if len(endpoint) > max_length:
            errors["endpoint"] = _("L'adresse du service de notification est trop longue.")
        elif not _endpoint_allowed(endpoint):
            errors["endpoint"] = _(
                "L'adresse doit être celle d'un service de notification connu, en https://."
            )
    keys = data.get("keys")
    if not isinstance(keys, dict):
        keys = {}
    cleaned_keys = {}
    for name, size, message in (
        ("p256dh", P256DH_BYTES, _("La clé de chiffrement du navigateur est invalide.")),
        ("auth", AUTH_BYTES, _("Le secret d'authentification du navigateur est invalide.")),
    ):
        value = keys.get(name)
        try:
            raw = _b64url_decode(value)
        except ValueError:
            errors[name] = message
            continue
        if len(raw) != size or (name == "p256dh" and raw[0] != 0x04):
            errors[name] = message
            continue
        if name == "p256dh":
            try:
                ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
            except ValueError:
                errors[name] = message
                continue
        cleaned_keys[name] = _b64url(raw)
    if errors:
        raise ValidationError(errors)
    return {"endpoint": endpoint, **cleaned_keys}


@transaction.atomic
def push_subscription_save(*, user, data, user_agent: str = "") -> tuple[PushSubscription, bool]:
    """Store this browser's subscription for ``user``; return (row, created).

    An endpoint belongs to one browser profile, hence to one member: the last one who
    signed in on it and enabled notifications. Re-subscribing the same endpoint moves it to
    that member (the previous one stops receiving on that device) and refreshes its keys.
    """
    fields = push_subscription_clean(data=data)
    subscription, created = PushSubscription.objects.select_for_update().update_or_create(
        endpoint=fields["endpoint"],
        defaults={
            "user": user,
            "p256dh": fields["p256dh"],
            "auth": fields["auth"],
            "user_agent": (user_agent or "")[:200],
        },
    )
    # A member has a handful of devices; beyond that, the oldest ones are forgotten, so
    # that nobody can make every alert fan out to thousands of endpoints.
    stale = (
        PushSubscription.objects.filter(user=user)
        .order_by("-created_at", "-pk")
        .values_list("pk", flat=True)[MAX_DEVICES_PER_MEMBER:]
    )
    PushSubscription.objects.filter(pk__in=list(stale)).exclude(pk=subscription.pk).delete()
    return subscription, created


def push_subscription_delete(*, user, endpoint: str) -> bool:
    """Remove ``user``'s own subscription for ``endpoint``; another member's is left alone."""
    if not isinstance(endpoint, str) or not endpoint:
        return False
    deleted, _detail = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    return bool(deleted)


# The endpoint this browser enabled during the session, so that signing out can forget it.
SESSION_ENDPOINT_KEY = "push_endpoint"


def push_subscription_forget_on_logout(sender, request, user, **kwargs) -> None:
    """Signing out stops this browser receiving the member's alerts.

    A shared computer must not keep showing someone's alerts (a mairie agent's carry
    identifying details) once they have left. Signing in again on it enables it again
    (the page re-sends the browser's subscription). Wired to ``user_logged_out``.
    """
    if request is None or user is None or not hasattr(request, "session"):
        return
    endpoint = request.session.get(SESSION_ENDPOINT_KEY)
    if endpoint:
        push_subscription_delete(user=user, endpoint=endpoint)


# --- Sending -----------------------------------------------------------------------------------


class PushError(ChannelError):
    """A push that no device accepted.

    ``permanent`` says whether sending again could ever succeed (no device left, a request
    the service will always refuse); ``retry_after`` is the delay, in seconds, a service
    asked for with a 429 or 503.
    """

    def __init__(
        self,
        message: str,
        *,
        permanent: bool = False,
        code: str | None = None,
        retry_after: int | None = None,
    ):
        super().__init__(message, permanent, code, retry_after=retry_after)


@dataclass(frozen=True)
class PushNotification:
    """What the service worker shows: see templates/pwa/service-worker.js."""

    title: str
    body: str
    url: str
    tag: str
    urgent: bool = False

    def payload(self) -> bytes:
        """The JSON sent, its body shortened if needed to stay under ``MAX_PAYLOAD_BYTES``."""
        body = self.body
        while True:
            data = json.dumps(
                {
                    "title": self.title,
                    "body": body,
                    "url": self.url,
                    "tag": self.tag,
                    "urgent": self.urgent,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            excess = len(data) - MAX_PAYLOAD_BYTES
            if excess <= 0 or not body:
                return data
            # Each character is at most 6 bytes once JSON-escaped: cut enough in one go.
            body = body[: max(0, len(body) - 1 - max(1, excess // 6))].rstrip() + "…"
            if len(body) <= 1:
                body = ""


@dataclass
class PushJob:
    """One notification to every device of one member; ``key`` is the caller's (a delivery)."""

    key: object
    subscriptions: list[PushSubscription]
    notification: PushNotification
    ttl: int = 0
    error: PushError | None = None
    accepted: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class _DeviceAnswer:
    subscription_id: int
    status: int | None  # None: no answer (timeout, connection refused)
    retry_after: int | None = None
    detail: str = ""


def _retry_after_seconds(value: str | None) -> int | None:
    """Retry-After as seconds, from either of its two forms; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = int(value)
    else:
        try:
            when: datetime = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when is None:
            return None
        seconds = int((when - timezone.now()).total_seconds())
    return max(0, min(seconds, MAX_RETRY_AFTER_SECONDS))


def _send_to_device(
    subscription: PushSubscription,
    data: bytes,
    *,
    ttl: int,
    urgency: str,
    session: requests.Session,
    authorization: dict[str, str],
    timeout: float,
) -> _DeviceAnswer:
    info = {
        "endpoint": subscription.endpoint,
        "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
    }
    try:
        response = webpush(
            subscription_info=info,
            data=data,
            ttl=ttl,
            timeout=timeout,
            headers={**authorization, "Urgency": urgency},
            requests_session=session,
        )
    except WebPushException as error:
        response = error.response
        if response is None:
            return _DeviceAnswer(subscription.pk, None, detail=str(error.message)[:200])
        return _DeviceAnswer(
            subscription.pk,
            response.status_code,
            retry_after=_retry_after_seconds(response.headers.get("Retry-After")),
            detail=(response.text or "")[:200],
        )
    except requests.RequestException as error:  # timeout, refused, reset
        return _DeviceAnswer(subscription.pk, None, detail=f"{type(error).__name__}: {error}")
    return _DeviceAnswer(subscription.pk, response.status_code)


def _no_device_left() -> PushError:
    return PushError(
        _("Plus aucun appareil abonné aux notifications."), permanent=True, code="gone"
    )


def _settle(job: PushJob, answers: list[_DeviceAnswer]) -> None:
    """One outcome per member: sent if any device accepted, else the most hopeful failure."""
    job.accepted = [a.subscription_id for a in answers if a.status in ACCEPTED]
    job.gone = [a.subscription_id for a in answers if a.status in GONE]
    if job.accepted:
        job.error = None
        return
    transient = [a for a in answers if a.status is None or a.status == 429 or a.status >= 500]
    if transient:
        delays = [a.retry_after for a in transient if a.retry_after is not None]
        first = transient[0]
        job.error = PushError(
            first.detail or f"HTTP {first.status}",
            code="timeout" if first.status is None else str(first.status),
            retry_after=max(delays) if delays else None,
        )
        return
    if len(job.gone) == len(job.subscriptions):
        job.error = _no_device_left()
        return
    refused = next((a for a in answers if a.status not in GONE), answers[0])
    job.error = PushError(
        refused.detail or f"HTTP {refused.status}", permanent=True, code=str(refused.status)
    )


def push_jobs_send(*, jobs: list[PushJob]) -> list[PushJob]:
    """Send every job to all its devices, concurrently; record what the services answered.

    Sets ``error`` on each job (None when at least one device accepted), deletes the
    subscriptions the services declared gone and stamps ``last_success_at`` on the others.
    A member with no subscription left fails permanently with the code ``gone``.
    """
    for job in jobs:
        if not job.subscriptions:
            job.error = _no_device_left()
    sendable = [job for job in jobs if job.subscriptions]
    if not sendable:
        return jobs
    if not push_available():
        for job in sendable:
            job.error = PushError(
                _("Les notifications ne sont pas configurées (clés VAPID)."),
                permanent=True,
                code="not_configured",
            )
        return jobs

    vapid = _vapid()
    authorizations = {}
    for job in sendable:
        for subscription in job.subscriptions:
            audience = _audience(subscription.endpoint)
            if audience not in authorizations:
                authorizations[audience] = _vapid_authorization(vapid, audience)
    timeout = float(getattr(settings, "PUSH_HTTP_TIMEOUT", 10.0))
    workers = max(1, int(getattr(settings, "PUSH_SEND_CONCURRENCY", 16)))
    # One payload per member, shared by all their devices (shortening it can take a few passes).
    payloads = {id(job): job.notification.payload() for job in sendable}
    calls = [
        (job, subscription, payloads[id(job)])
        for job in sendable
        for subscription in job.subscriptions
    ]
    with requests.Session() as session:
        adapter = requests.adapters.HTTPAdapter(pool_connections=workers, pool_maxsize=workers)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        with ThreadPoolExecutor(max_workers=min(workers, len(calls))) as pool:
            answers = list(
                pool.map(
                    lambda call: _send_to_device(
                        call[1],
                        call[2],
                        ttl=max(0, min(int(call[0].ttl), MAX_TTL_SECONDS)),
                        urgency="high" if call[0].notification.urgent else "normal",
                        session=session,
                        authorization=authorizations[_audience(call[1].endpoint)],
                        timeout=timeout,
                    ),
                    calls,
                )
            )

    by_job: dict[int, list[_DeviceAnswer]] = {}
    for (job, _subscription, _data), answer in zip(calls, answers, strict=True):
        by_job.setdefault(id(job), []).append(answer)
    accepted, gone = [], []
    for job in sendable:
        _settle(job, by_job[id(job)])
        accepted += job.accepted
        gone += job.gone
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    if accepted:
        PushSubscription.objects.filter(pk__in=accepted).update(last_success_at=timezone.now())
    return jobs
