"""Sessions: one sign-in door, a second factor that really was given, staff sessions that end."""

import re
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from communities.selectors import commune_for_request

from .permissions import (
    has_totp,
    is_staff_member,
    second_factor_passed,
    second_factor_skipped,
    two_factor_missing,
)
from .terms import acceptance_due, acceptance_version
from .terms_views import TERMS_CHECKED_SESSION_KEY

STAFF_FLAG_SESSION_KEY = "accounts_staff_member"
# (user id, whether the account has a TOTP authenticator), for sessions that gave no code.
HAS_TOTP_SESSION_KEY = "accounts_has_totp"
# (user id, time of the first request seen signed in): the start of a staff session's lifetime.
SIGNED_IN_AT_SESSION_KEY = "accounts_signed_in_at"
# Time the staff session's idle expiry was last pushed back (saved with the session).
EXPIRY_RENEWED_AT_SESSION_KEY = "accounts_expiry_renewed_at"
# The idle expiry is pushed back at most this often: saving the session on every page cost
# a write per admin page (and the dashboard's polls) for a few seconds of idle time.
EXPIRY_RENEWAL_SECONDS = 60


def _language_prefix() -> str:
    return "|".join(re.escape(code) for code, _name in settings.LANGUAGES)


def _two_factor_path_re() -> re.Pattern:
    prefixes = "|".join(
        re.escape(prefix.strip("/")) for prefix in settings.STAFF_TWO_FACTOR_PATH_PREFIXES
    )
    return re.compile(rf"^/(?:(?:{_language_prefix()})/)?(?:{prefixes})(?:/|$)")


def _other_login_path_re() -> re.Pattern:
    """Sign-in forms other than allauth's: the Wagtail admin's, and Wagtail's front-end one
    for private pages (served under every language prefix)."""
    return re.compile(rf"^/(?:admin/login|(?:(?:{_language_prefix()})/)?_util/login)/?$")


class StaffSecurityMiddleware:
    """Rules for every session, and for mairie staff and the platform team
    (``accounts.permissions``):

    - Wagtail's sign-in pages (the admin's and the front-end one for private pages) send to
      allauth's, so that every sign-in shares one rate limiter, lockout and two-factor step;
    - a session of an account with an authenticator that did not pass the code step (opened
      by any other door) is signed out, everywhere, before any view sees it: behind this
      middleware, "has TOTP" means "this session gave its code";
    - a staff member without an activated TOTP authenticator is sent to activate one
      before any admin or moderation screen; residents are never asked;
    - a staff session ends after ``STAFF_SESSION_IDLE_SECONDS`` without a request, and
      ``STAFF_SESSION_MAX_SECONDS`` after sign-in however active it stays.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.two_factor_paths = _two_factor_path_re()
        self.other_login_paths = _other_login_path_re()

    def __call__(self, request):
        if self.other_login_paths.match(request.path):
            return self._to_allauth_login(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            guarded = bool(self.two_factor_paths.match(request.path))
            account_has_totp = self._has_totp(request, user, refresh=guarded)
            if second_factor_skipped(request=request, account_has_totp=account_has_totp):
                return self._sign_out_to_login(
                    request,
                    _(
                        "Par sécurité, reconnectez-vous : votre compte demande le code de "
                        "votre application de double authentification."
                    ),
                )
            if self._is_staff(request, user, refresh=guarded):
                remaining = self._staff_lifetime_left(request, user)
                if remaining <= 0:
                    return self._sign_out_to_login(
                        request,
                        _(
                            "Votre session a atteint sa durée maximale. Par sécurité, "
                            "reconnectez-vous."
                        ),
                    )
                self._renew_expiry(request, remaining)
            if guarded and two_factor_missing(user=user, request=request):
                return self.to_totp_activation(request)
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # The request that signs in starts the clock, before the first page is seen.
            self._signed_in_at(request, user)
        return response

    @staticmethod
    def _renew_expiry(request, remaining: int) -> None:
        """The idle expiry counts from the last activity, give or take
        ``EXPIRY_RENEWAL_SECONDS`` (the session ends that much sooner at worst, never later),
        and never reaches past the session's absolute end. Pushed back once that many
        seconds have passed, or when the expiry set last would outlive the absolute end, not
        on every page: a session changed on every request is written on every request."""
        now = time.time()
        renewed_at = request.session.get(EXPIRY_RENEWED_AT_SESSION_KEY) or 0
        expiry = request.session.get("_session_expiry")
        if (
            now - renewed_at < EXPIRY_RENEWAL_SECONDS
            and isinstance(expiry, int)
            and renewed_at + expiry <= now + remaining + 1
        ):
            return
        request.session.set_expiry(min(settings.STAFF_SESSION_IDLE_SECONDS, remaining))
        request.session[EXPIRY_RENEWED_AT_SESSION_KEY] = now

    @staticmethod
    def _is_staff(request, user, *, refresh: bool) -> bool:
        """Cached in the session (one query per session, not per page), fresh on staff paths
        (from the roles read once for the request). Written only when the answer changes."""
        cached = request.session.get(STAFF_FLAG_SESSION_KEY)
        if refresh or cached is None or cached[0] != user.pk:
            answer = (user.pk, is_staff_member(user=user, request=request))
            if answer != tuple(cached or ()):
                request.session[STAFF_FLAG_SESSION_KEY] = answer
            cached = answer
        return cached[1]

    @staticmethod
    def _has_totp(request, user, *, refresh: bool):
        """Whether the account has TOTP, for a session that gave no code: asked on the first
        request of the session (right after any sign-in door) and on every staff path, then
        read from the session. A session that gave its code needs no answer (None)."""
        if second_factor_passed(request=request):
            return None
        cached = request.session.get(HAS_TOTP_SESSION_KEY)
        if refresh or cached is None or cached[0] != user.pk:
            cached = (user.pk, has_totp(user=user))
            request.session[HAS_TOTP_SESSION_KEY] = cached
        return cached[1]

    @staticmethod
    def _signed_in_at(request, user) -> float:
        stored = request.session.get(SIGNED_IN_AT_SESSION_KEY)
        if not stored or stored[0] != user.pk:
            stored = (user.pk, time.time())
            request.session[SIGNED_IN_AT_SESSION_KEY] = stored
        return stored[1]

    def _staff_lifetime_left(self, request, user) -> int:
        age = time.time() - self._signed_in_at(request, user)
        return int(settings.STAFF_SESSION_MAX_SECONDS - age)

    @staticmethod
    def _to_allauth_login(request):
        query = request.GET.urlencode()
        return HttpResponseRedirect(settings.LOGIN_URL + (f"?{query}" if query else ""))

    @staticmethod
    def _sign_out_to_login(request, message: str):
        next_path = request.get_full_path()
        logout(request)
        messages.warning(request, message)
        return HttpResponseRedirect(f"{settings.LOGIN_URL}?{urlencode({'next': next_path})}")

    @staticmethod
    def to_totp_activation(request):
        messages.warning(
            request,
            _(
                "Pour accéder à l'administration et à la modération, activez d'abord la "
                "double authentification avec une application (TOTP)."
            ),
        )
        url = reverse("mfa_activate_totp")
        return HttpResponseRedirect(f"{url}?{urlencode({'next': request.get_full_path()})}")


# Where a member whose accepted version is out of date may still go: the texts themselves,
# sign-in and sign-out, their account (to leave), the admin, files, webhooks and the PWA.
TERMS_FREE_PREFIXES = (
    "charte",
    "conditions-d-utilisation",
    "accounts",
    "compte",
    "admin",
    "static",
    "media",
    "documents",
    "i18n",
    "sms",
    "anymail",
    "api",
    "_allauth",
    "healthz",
    "readyz",
    "manifest.webmanifest",
    "service-worker.js",
    "icone",
)


class TermsAcceptanceMiddleware:
    """A member who accepted an earlier charter or terms of use than the ones in force on
    this commune's site is sent to accept the new ones (``accounts.terms``), once.

    Only page views (GET) of signed-in members; the answer is kept in the session against
    the version in force, so an up-to-date member costs no query.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        prefixes = "|".join(re.escape(prefix) for prefix in TERMS_FREE_PREFIXES)
        self.free_path = re.compile(rf"^/(?:(?:{_language_prefix()})/)?(?:{prefixes})")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.method == "GET"
            and user is not None
            and user.is_authenticated
            and not self.free_path.match(request.path_info)
        ):
            redirect_to = self._acceptance_redirect(request)
            if redirect_to:
                return HttpResponseRedirect(redirect_to)
        return self.get_response(request)

    def _acceptance_redirect(self, request) -> str | None:
        commune = commune_for_request(request=request)
        version = acceptance_version(commune=commune)
        if version is None:
            return None
        if request.session.get(TERMS_CHECKED_SESSION_KEY) == version.isoformat():
            return None
        if acceptance_due(user=request.user, commune=commune):
            return f"{reverse('terms_accept')}?{urlencode({'next': request.get_full_path()})}"
        request.session[TERMS_CHECKED_SESSION_KEY] = version.isoformat()
        return None
