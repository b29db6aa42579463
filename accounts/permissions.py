"""Who must prove more than a password: mairie staff, the platform team, and anyone with TOTP."""

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator

from communities.selectors import communes_where, staff_roles_held


def is_staff_member(*, user, request=None) -> bool:
    """Holds a mairie role in some commune, may enter the Wagtail admin, or is the platform team.

    These accounts reach other people's data (proofs of address, registers, alerts to a
    whole commune): they get two-factor authentication and short idle sessions. Given the
    request (of ``user``), the roles are those read once for it (``staff_roles_held``).
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser or user.is_staff:
        return True
    if request is not None and request.user == user:
        return bool(staff_roles_held(request=request))
    return communes_where(user=user).exists()


def has_totp(*, user) -> bool:
    """Has an activated TOTP authenticator (allauth.mfa).

    On a request, prefer ``second_factor_passed``: an account's authenticator says nothing of
    how the session in hand was opened. ``StaffSecurityMiddleware`` signs out any session of
    such an account that skipped the code, so that behind it both answers agree.
    """
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def two_factor_missing(*, user, request=None) -> bool:
    """A staff member without TOTP: must activate it before any staff screen."""
    return is_staff_member(user=user, request=request) and not has_totp(user=user)


def second_factor_passed(*, request) -> bool:
    """This session's sign-in went through a second factor, for the user signed in now.

    Read from allauth's authentication records, which its MFA step (a TOTP or recovery code)
    and our TOTP activation write in the session. A session opened by any other door (a
    password-only form, ``login()`` called directly) has none.
    """
    user = request.user
    if not user.is_authenticated:
        return False
    records = get_authentication_records(request, user)
    return any(record.get("method") == "mfa" for record in records)


def second_factor_skipped(*, request, account_has_totp=None) -> bool:
    """Signed in to an account that has an authenticator, without giving its code.

    Whatever door opened the session (Wagtail's front-end or admin sign-in, a view calling
    ``login()``, an API to come), allauth's sign-in would have asked for the code: such a
    session must not be trusted anywhere. ``account_has_totp`` lets a caller that already
    knows the answer (cached per session) spare the query.
    """
    user = request.user
    if not user.is_authenticated or second_factor_passed(request=request):
        return False
    return has_totp(user=user) if account_has_totp is None else account_has_totp
