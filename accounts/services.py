"""Writes on accounts that keep our User and allauth's records in step."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction
from django.utils import timezone


@transaction.atomic
def email_address_verified_ensure(user) -> None:
    """Make allauth's EmailAddress row agree with ``user.email_verified_at``, both ways.

    Accounts created outside allauth (demo data, ``create_commune``, the admin) carry their
    verification as a timestamp on User; allauth reads it from EmailAddress. Without this,
    mandatory verification would ask an already verified member for a code at sign-in.
    Called before every sign-in by the account adapter; the demo loader may call it too.
    """

    if not user.email:
        return
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if user.email_verified_at:
        if address is None:
            has_primary = EmailAddress.objects.filter(user=user, primary=True).exists()
            EmailAddress.objects.create(
                user=user, email=user.email, verified=True, primary=not has_primary
            )
        elif not address.verified:
            address.verified = True
            address.save(update_fields=["verified"])
    elif address is not None and address.verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def email_verified_record(*, user, email: str) -> None:
    """Record on User that ``email`` (its address) has just been verified."""
    if user.email and user.email.lower() == (email or "").lower() and not user.email_verified_at:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])


def totp_authenticator_ensure(*, user, secret: str):
    """Give ``user`` an activated TOTP authenticator with a known base-32 ``secret``.

    For demo staff and tests only: real staff activate TOTP themselves, with a secret that
    never leaves their authenticator app. Idempotent.
    """

    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return existing
    return TOTP.activate(user, secret).instance
