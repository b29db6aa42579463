"""Members' browser subscriptions to web push: checked, stored, forgotten at sign-out.

The endpoint comes from the browser, that is from whoever calls the API: it is checked
(an https push service, never an internal address) and its keys decoded before a row is
stored; a member keeps a handful of devices at most.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import PushSubscription
from .push_keys import b64url_decode, b64url_encode

# A P-256 public key as browsers send it (uncompressed point) and the auth secret.
P256DH_BYTES = 65
AUTH_BYTES = 16
# Devices kept per member: enough for a phone, a tablet and a few computers.
MAX_DEVICES_PER_MEMBER = 10


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
            raw = b64url_decode(value)
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
        cleaned_keys[name] = b64url_encode(raw)
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
