"""Who must prove more than a password: mairie staff and the platform team."""


def is_staff_member(*, user) -> bool:
    """Holds a mairie role in some commune, may enter the Wagtail admin, or is the platform team.

    These accounts reach other people's data (proofs of address, registers, alerts to a
    whole commune): they get two-factor authentication and short idle sessions.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    from communities.selectors import communes_where

    return communes_where(user=user).exists()


def has_totp(*, user) -> bool:
    """Has an activated TOTP authenticator (allauth.mfa)."""
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_missing(*, user) -> bool:
    """A staff member without TOTP: must activate it before any staff screen."""
    return is_staff_member(user=user) and not has_totp(user=user)
