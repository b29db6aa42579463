"""An app's session token for a persona, as allauth's headless sign-in leaves it."""

from api.models import AppSession


def app_token(client, sign_in, user) -> str:
    """The token an app of ``user`` holds: a signed-in session (with the TOTP step for
    staff, as ``sign_in`` does it) recorded as ``api.app_sessions`` records a sign-in. The
    client keeps no cookie, so that only the token signs its requests in."""
    sign_in(client, user)
    key = client.session.session_key
    client.cookies.clear()
    AppSession.objects.create(session_key=key, user=user, user_agent="Tests")
    return key
