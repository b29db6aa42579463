"""The member's own language, for their pages and for every message written to them.

Wagtail pages take their language from the URL (French at the root, English under /en/).
Pages that belong to a member rather than to a commune (account, directory, moderation)
have one address for everybody, so they follow the language saved on the member's account;
so do e-mails, SMS and notices.
"""

from functools import wraps

from django.conf import settings
from django.utils import translation


def member_language(user) -> str:
    """The language to write to ``user`` in: the one saved on their account when the site
    offers it, the site's own (French) otherwise."""
    language = getattr(user, "language", None)
    if language in {code for code, _name in settings.LANGUAGES}:
        return language
    return settings.LANGUAGE_CODE


def in_member_language(view):
    """Render ``view`` in the signed-in member's language (``member_language``); a visitor's
    page keeps the language the request asked for."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return view(request, *args, **kwargs)
        language = member_language(user)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        # LocaleMiddleware only fills the header when it is missing.
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper
