"""Web push keys: the installation's VAPID key pair and the signature each push carries.

py-vapid signs (RFC 8292); this module generates the key pair (``manage.py
generate_vapid_keys``), says whether push is configured, and signs once per push service.
"""

from __future__ import annotations

import base64
import binascii
from functools import lru_cache
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
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
    return b64url_encode(public_raw), b64url_encode(private_raw)


def push_available() -> bool:
    """Whether this installation can send web push (both VAPID keys configured)."""
    return bool(settings.VAPID_PUBLIC_KEY and settings.VAPID_PRIVATE_KEY)


@lru_cache(maxsize=4)
def _vapid_for(private_key: str) -> Vapid:
    return Vapid.from_string(private_key=private_key)


def vapid_signer() -> Vapid:
    """The installation's VAPID key (read once per key)."""
    return _vapid_for(settings.VAPID_PRIVATE_KEY)


# A VAPID signature is valid for up to 24 h; ours are made per batch and live 12 h.
VAPID_LIFETIME_SECONDS = 12 * 3600


def push_service_origin(endpoint: str) -> str:
    """The push service an endpoint belongs to: the audience its VAPID signature names."""
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


def vapid_authorization(vapid: Vapid, audience: str) -> dict[str, str]:
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
