"""Sending web push to members' devices with pywebpush (keys: ``push_keys``; devices:
``push_subscriptions``).

Encryption (aes128gcm, RFC 8291) and the VAPID signature (RFC 8292) are pywebpush's and
py-vapid's: we only choose what to send, to which devices, and what each answer means.
A push service answers 201/202 when it accepted a message, 404/410 when the subscription is
gone for good (the row is deleted then), 429 or 5xx when it wants us to come back later.

Network calls run in a small thread pool and never touch the database; every database write
(deleting gone subscriptions, noting the last success) happens afterwards, in the caller's
thread and transaction.
"""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pywebpush import WebPushException, webpush

from .channels.base import ChannelError
from .models import PushSubscription
from .push_keys import push_available, push_service_origin, vapid_authorization, vapid_signer

logger = logging.getLogger(__name__)

# Push services refuse payloads above 4 kB once encrypted; 3 kB of JSON leaves room for the
# encryption overhead and the margin some services keep.
MAX_PAYLOAD_BYTES = 3000
# Beyond this, a push service keeps a message no longer anyway (four weeks).
MAX_TTL_SECONDS = 28 * 24 * 3600
# A push service asking for more patience than this is treated as an outage: the retry is
# not pushed further out than that.
MAX_RETRY_AFTER_SECONDS = 15 * 60

ACCEPTED = frozenset({200, 201, 202})
GONE = frozenset({404, 410})


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

    vapid = vapid_signer()
    authorizations = {}
    for job in sendable:
        for subscription in job.subscriptions:
            audience = push_service_origin(subscription.endpoint)
            if audience not in authorizations:
                authorizations[audience] = vapid_authorization(vapid, audience)
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
                        authorization=authorizations[push_service_origin(call[1].endpoint)],
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
