"""Wiring only: a device signed out, a password changed or reset end apps' sessions."""

from allauth.account.signals import password_changed, password_reset, password_set
from django.contrib.auth.signals import user_logged_out

from .app_sessions import app_sessions_revoke_all
from .models import AppSession


def _current_key(request) -> str | None:
    session = getattr(request, "session", None)
    return getattr(session, "session_key", None)


def _password_changed(sender, request, user, **kwargs):
    # Every other app signs in again, as every other browser does (Django's session hash);
    # the one that changed it keeps working.
    app_sessions_revoke_all(user=user, keep_session_key=_current_key(request))


def _password_reset(sender, request, user, **kwargs):
    app_sessions_revoke_all(user=user)


def _logged_out(sender, request, user, **kwargs):
    key = _current_key(request)
    if key:
        AppSession.objects.filter(session_key=key).delete()


def connect() -> None:
    password_changed.connect(_password_changed, dispatch_uid="api_password_changed")
    password_set.connect(_password_changed, dispatch_uid="api_password_set")
    password_reset.connect(_password_reset, dispatch_uid="api_password_reset")
    user_logged_out.connect(_logged_out, dispatch_uid="api_logged_out")
