"""Who calls the API: an app with its session token, or the site's own pages with their session.

The token is the one allauth's headless sign-in (``/_allauth/app/v1/auth/login``) returns;
``api.app_sessions`` checks it with the rules of a browser session. Browsers send their
session cookie and, for anything that writes, the CSRF token (``X-CSRFToken``).
"""

from ninja.security import APIKeyHeader, SessionAuth

from .app_sessions import app_session_authenticate


class AppSessionTokenAuth(APIKeyHeader):
    """``X-Session-Token``: an app's session (allauth headless, "app" client)."""

    param_name = "X-Session-Token"
    openapi_description = (
        "Jeton de session d'une application, obtenu par POST /_allauth/app/v1/auth/login."
    )

    def authenticate(self, request, key):
        if not key:
            return None
        return app_session_authenticate(request=request, token=key)


class BrowserSessionAuth(SessionAuth):
    """The site's session cookie; writes also need the CSRF token, as the site's forms do."""

    openapi_description = (
        "Session du site (cookie) ; les écritures demandent aussi l'en-tête X-CSRFToken."
    )

    def __init__(self):
        super().__init__(csrf=True)


member_auth = [AppSessionTokenAuth(), BrowserSessionAuth()]
