"""Staff sessions: the admin signs in through allauth, needs TOTP, and expires when idle."""

import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .permissions import is_staff_member, two_factor_missing

STAFF_FLAG_SESSION_KEY = "accounts_staff_member"
WAGTAIL_LOGIN_PATH = "/admin/login/"


def _two_factor_path_re() -> re.Pattern:
    languages = "|".join(re.escape(code) for code, _name in settings.LANGUAGES)
    prefixes = "|".join(
        re.escape(prefix.strip("/")) for prefix in settings.STAFF_TWO_FACTOR_PATH_PREFIXES
    )
    return re.compile(rf"^/(?:(?:{languages})/)?(?:{prefixes})(?:/|$)")


class StaffSecurityMiddleware:
    """Three rules for mairie staff and the platform team (``accounts.permissions``):

    - Wagtail's own sign-in page sends to allauth's, so that the admin shares the one
      rate limiter, lockout and two-factor step of the site;
    - a staff member without an activated TOTP authenticator is sent to activate one
      before any admin or moderation screen (those who have one passed allauth's
      two-factor step when signing in); residents are never asked;
    - a staff session ends after ``STAFF_SESSION_IDLE_SECONDS`` without a request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.two_factor_paths = _two_factor_path_re()

    def __call__(self, request):
        if request.path == WAGTAIL_LOGIN_PATH:
            return self._to_allauth_login(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            guarded = bool(self.two_factor_paths.match(request.path))
            if self._is_staff(request, user, refresh=guarded):
                # Saved with every request, so the expiry counts from the last activity.
                request.session.set_expiry(settings.STAFF_SESSION_IDLE_SECONDS)
            if guarded and two_factor_missing(user=user):
                return self.to_totp_activation(request)
        return self.get_response(request)

    @staticmethod
    def _is_staff(request, user, *, refresh: bool) -> bool:
        """Cached in the session (one query per session, not per page), fresh on staff paths."""
        cached = request.session.get(STAFF_FLAG_SESSION_KEY)
        if refresh or cached is None or cached[0] != user.pk:
            cached = (user.pk, is_staff_member(user=user))
            request.session[STAFF_FLAG_SESSION_KEY] = cached
        return cached[1]

    @staticmethod
    def _to_allauth_login(request):
        query = request.GET.urlencode()
        return HttpResponseRedirect(settings.LOGIN_URL + (f"?{query}" if query else ""))

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
