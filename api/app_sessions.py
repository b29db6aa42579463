"""Session tokens of apps: handed out by allauth's headless sign-in, listed and revoked by the
member (*Mon compte → Appareils connectés*), revoked on password change and erasure.

allauth's default strategy makes the token the key of a Django session, which nobody can
list per member. This strategy keeps that token and records it in ``AppSession``: a token
whose row is gone is refused, so revoking a device is deleting its row and its session.
"""

from datetime import timedelta

from allauth.core.internal.sessionkit import get_session_user
from allauth.headless.internal.sessionkit import lookup_session, session_store
from allauth.headless.tokens.strategies.sessions import SessionTokenStrategy
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.gdpr import ExportPart, GdprSection, export_row, gdpr_section_register
from accounts.permissions import is_staff_member, second_factor_skipped

from .models import AppSession

USER_AGENT_MAX = 200
# How often a token's "dernière utilisation" is written: not on every request of a polling app.
LAST_USED_PRECISION = timedelta(minutes=5)


class AppSessionTokenStrategy(SessionTokenStrategy):
    """allauth's session tokens, each recorded as an ``AppSession`` (HEADLESS_TOKEN_STRATEGY)."""

    def create_session_token(self, request) -> str:
        key = super().create_session_token(request)
        previous = self.get_session_token(request)
        if previous and previous != key and not session_store().exists(previous):
            # Signing in gives the session a new key: the token it had before is gone.
            AppSession.objects.filter(session_key=previous).delete()
        user = get_session_user(request.session)
        AppSession.objects.update_or_create(
            session_key=key,
            defaults={
                "user": user,
                "user_agent": request.headers.get("User-Agent", "")[:USER_AGENT_MAX],
            },
        )
        return key

    def lookup_session(self, session_token: str):
        if not AppSession.objects.filter(session_key=session_token).exists():
            return None
        return super().lookup_session(session_token)


def app_session_authenticate(*, request, token: str):
    """The member an app's ``X-Session-Token`` signs in, or None (401).

    The same rules as a browser's session: a revoked or expired token, a password changed
    since (Django's session hash), an account with TOTP whose sign-in skipped the code, and a
    staff session past its idle time or maximum lifetime (``STAFF_SESSION_*``) all refuse.
    On success, ``request.session`` is the token's session, so that what reads the session
    (allauth's authentication records) reads the app's, and ``request.app_session`` its row;
    ``api.main`` puts the cookie's session back before the middleware sees the response.
    """
    record = AppSession.objects.filter(session_key=token).first()
    if record is None:
        return None
    session = lookup_session(token)
    if session is None:
        record.delete()
        return None
    user = get_session_user(session)
    if user is None:
        if session.session_key is None:
            # Flushed by Django as its password changed since: that token is done for.
            record.delete()
        # Otherwise a sign-in still under way (the TOTP step) holds this token.
        return None
    now = timezone.now()
    as_signed_in = HttpRequest()
    as_signed_in.session, as_signed_in.user = session, user
    if second_factor_skipped(request=as_signed_in) or (
        is_staff_member(user=user) and _staff_lifetime_over(record=record, now=now)
    ):
        app_session_revoke(app_session=record)
        return None
    request.session, request.user, request.app_session = session, user, record
    if record.user_id != user.pk or (
        record.last_used_at is None or now - record.last_used_at > LAST_USED_PRECISION
    ):
        AppSession.objects.filter(pk=record.pk).update(user=user, last_used_at=now)
    return user


def _staff_lifetime_over(*, record: AppSession, now) -> bool:
    last = record.last_used_at or record.created_at
    idle = timedelta(seconds=settings.STAFF_SESSION_IDLE_SECONDS) + LAST_USED_PRECISION
    lifetime = timedelta(seconds=settings.STAFF_SESSION_MAX_SECONDS)
    return now - last > idle or now - record.created_at > lifetime


def app_sessions_of(*, user) -> QuerySet[AppSession]:
    """The member's signed-in apps, most recently used first."""
    return AppSession.objects.filter(user=user).order_by("-last_used_at", "-created_at")


@transaction.atomic
def app_session_revoke(*, app_session: AppSession) -> None:
    """Sign one device out: its token and the session behind it go."""
    session_store(app_session.session_key).delete()
    app_session.delete()


def app_sessions_revoke_all(*, user, keep_session_key: str | None = None) -> int:
    """Sign every app of ``user`` out (password changed, account erased), except the
    session ``keep_session_key`` (the app that changed the password keeps working)."""
    revoked = 0
    for app_session in app_sessions_of(user=user).exclude(session_key=keep_session_key or ""):
        app_session_revoke(app_session=app_session)
        revoked += 1
    return revoked


def _export(*, user) -> ExportPart:
    return ExportPart(
        data={
            "connected_apps": [
                export_row(row, exclude=("id", "user", "session_key"))
                for row in app_sessions_of(user=user)
            ]
        }
    )


def _erase(*, user) -> None:
    app_sessions_revoke_all(user=user)


def gdpr_register() -> None:
    gdpr_section_register(
        GdprSection(name="app_sessions", covers=("api.AppSession",), export=_export, erase=_erase)
    )
