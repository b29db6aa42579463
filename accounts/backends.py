"""Sign in with an e-mail address or a mobile number, in any format a person types."""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model

from .models import normalize_email
from .phones import login_key, parse_phone
from .session_user import session_user_get

__all__ = [
    "EmailOrPhoneBackend",
    "axes_username",
    "find_user_by_login",
    "lockout_key",
    "parse_phone",
]


def find_user_by_login(login: str):
    """The user whose e-mail or phone number is ``login``, or None."""
    login = (login or "").strip()
    if not login:
        return None
    user_model = get_user_model()
    if "@" in login:
        return user_model.objects.filter(email=normalize_email(login)).first()
    phone = parse_phone(login)
    return user_model.objects.filter(phone=phone).first() if phone else None


class EmailOrPhoneBackend(AuthenticationBackend):
    """allauth's backend (e-mail, phone, constant time for unknown accounts), plus ``login=``.

    ``authenticate(request, login=…, password=…)`` takes either identifier, as the
    contract's sign-in form and the API do.
    """

    def authenticate(self, request, **credentials):
        login = credentials.pop("login", None)
        if login:
            key = "email" if "@" in login else "phone"
            credentials.setdefault(key, login)
        return super().authenticate(request, **credentials)

    def get_user(self, user_id):
        """The session's user, from the shared cache (``accounts.session_user``); None for an
        account that may no longer sign in (deactivated), as Django's backend answers."""
        user = session_user_get(user_pk=user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


def lockout_key(request, login: str | None) -> str:
    """What failed sign-ins count against: the account ``login`` names, whatever was typed.

    An account's e-mail address (its mobile number when it has none): failures by e-mail and
    by phone add up, and a lock by one holds for the other. An identifier of no account
    counts as itself, in one spelling (``login_key``), and can never be taken for an account:
    an existing account's address or number would have resolved. Looked up once per request.
    """
    key = login_key(login)
    if not key:
        return ""
    resolved = getattr(request, "_accounts_lockout_keys", None)
    if resolved is None:
        resolved = {}
        if request is not None:
            request._accounts_lockout_keys = resolved
    if key not in resolved:
        user = find_user_by_login(key)
        account = (user.email or str(user.phone or "")) if user is not None else ""
        resolved[key] = login_key(account) or key
    return resolved[key]


def axes_username(request, credentials: dict | None) -> str:
    """What axes counts failures against: the account named, or the identifier typed."""
    credentials = credentials or {}
    for field in ("login", "email", "phone", "username"):
        if credentials.get(field):
            return lockout_key(request, str(credentials[field]))
    data = getattr(request, "POST", None) or {}
    for field in ("login", "email", "phone", "username"):
        if data.get(field):
            return lockout_key(request, str(data[field]))
    return ""
