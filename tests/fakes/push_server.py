"""A fake web push service on 127.0.0.1, for the real ``pywebpush`` client to talk to.

It plays the part of the push services browsers subscribe to (FCM, Mozilla autopush,
Apple): each subscription is an endpoint URL ``{base_url}/push/<token>``; a message is a
``POST`` of the encrypted payload with the ``TTL``, ``Urgency``, ``Content-Encoding:
aes128gcm`` and ``Authorization: vapid t=<jwt>,k=<public key>`` headers. It answers 201
Created by default, 403 when the VAPID signature is missing or wrong (or signed by another
key than ``vapid_public_key`` when that is set), and per endpoint whatever a test scripts
with ``answer(endpoint, 410)`` or ``answer(endpoint, 429, 201, retry_after=30)``: scripted
statuses are used one per request, then 201 again.

``BrowserSubscription`` is the browser's side: a P-256 key pair and an auth secret, the
``PushSubscription.toJSON()`` a browser would send, and ``decrypt()`` to read a recorded
payload with the browser's private key, as the browser does before the service worker sees
it.

Every request is recorded in ``requests`` (``RecordedPush``), in arrival order.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """A browser's push subscription: what it sends us, and the keys only it holds."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return _b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return _b64url(self.auth_secret)

    def to_json(self) -> dict:
        """What ``PushSubscription.toJSON()`` gives in the browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": self.auth},
        }

    def decrypt(self, body: bytes) -> dict:
        """The JSON notification the service worker would receive."""
        plain = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return json.loads(plain.decode())


@dataclass
class RecordedPush:
    path: str
    headers: dict[str, str]
    body: bytes
    vapid_key: str | None  # the "k" of the Authorization header
    vapid_claims: dict | None  # the JWT's claims, when its signature is valid
    status: int = 0

    @property
    def endpoint_token(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def header(self, name: str) -> str | None:
        lowered = {key.lower(): value for key, value in self.headers.items()}
        return lowered.get(name.lower())


@dataclass
class FakePushService:
    vapid_public_key: str | None = None  # when set, other keys are refused (403)
    latency: float = 0.0

    def __post_init__(self):
        self.requests: list[RecordedPush] = []
        self._scripts: dict[str, list[tuple[int, int | None]]] = {}
        self._latency_by_token: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ---------------------------------------------------------------------------
    def start(self) -> FakePushService:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-push",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakePushService:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # --- set-up -------------------------------------------------------------------------------
    def new_endpoint(self) -> str:
        return f"{self.base_url}/push/{secrets.token_urlsafe(16)}"

    def browser(self) -> BrowserSubscription:
        """A new browser subscribed at this service."""
        return BrowserSubscription(endpoint=self.new_endpoint())

    def answer(self, endpoint: str, *statuses: int, retry_after: int | None = None) -> None:
        """Answer the next requests to ``endpoint`` with ``statuses``, in order, then 201."""
        token = endpoint.rsplit("/", 1)[-1]
        with self._lock:
            self._scripts.setdefault(token, []).extend((s, retry_after) for s in statuses)

    def delay(self, endpoint: str, seconds: float) -> None:
        """Answer requests to ``endpoint`` only after ``seconds``."""
        with self._lock:
            self._latency_by_token[endpoint.rsplit("/", 1)[-1]] = seconds

    # --- what happened ------------------------------------------------------------------------
    def requests_to(self, endpoint: str) -> list[RecordedPush]:
        token = endpoint.rsplit("/", 1)[-1]
        with self._lock:
            return [r for r in self.requests if r.endpoint_token == token]

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
            self._scripts.clear()
            self._latency_by_token.clear()

    # --- internals ----------------------------------------------------------------------------
    def _next_answer(self, token: str) -> tuple[int, int | None]:
        with self._lock:
            script = self._scripts.get(token)
            if script:
                return script.pop(0)
        return 201, None


def _vapid(header: str | None) -> tuple[str | None, dict | None]:
    """The public key and, if the JWT verifies against it, the claims of a VAPID header."""
    if not header or not header.lower().startswith("vapid "):
        return None, None
    params = dict(
        part.strip().split("=", 1) for part in header[6:].split(",") if "=" in part.strip()
    )
    key = params.get("k")
    token = params.get("t")
    if not key or not token:
        return key, None
    try:
        valid = Vapid02.verify(header)
    except Exception:  # any malformed token is simply not valid
        valid = False
    if not valid:
        return key, None
    claims = json.loads(_b64url_decode(token.split(".")[1]))
    return key, claims


class _Handler(BaseHTTPRequestHandler):
    fake: FakePushService
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format, *args):
        pass

    def _answer(self, record: RecordedPush, status: int, headers: dict | None = None) -> None:
        record.status = status
        try:
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if status in (200, 201, 202):
                self.send_header("Location", f"{self.fake.base_url}/message/{secrets.token_hex(8)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_POST(self):
        fake = self.fake
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        vapid_key, claims = _vapid(self.headers.get("Authorization"))
        record = RecordedPush(
            path=self.path,
            headers=dict(self.headers.items()),
            body=body,
            vapid_key=vapid_key,
            vapid_claims=claims,
        )
        with fake._lock:
            fake.requests.append(record)
            latency = fake._latency_by_token.get(record.endpoint_token, fake.latency)
        if latency:
            fake._stopping.wait(latency)
        if not self.path.startswith("/push/"):
            return self._answer(record, 404)
        if claims is None or (fake.vapid_public_key and vapid_key != fake.vapid_public_key):
            return self._answer(record, 403)
        status, retry_after = fake._next_answer(record.endpoint_token)
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
        return self._answer(record, status, headers)
