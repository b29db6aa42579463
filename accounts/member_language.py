"""Members' pages in the member's own language.

Wagtail pages take their language from the URL (French at the root, English under /en/).
Pages that belong to a member rather than to a commune (account, directory, moderation)
have one address for everybody, so they follow the language saved on the member's account.
"""

from functools import wraps

from django.conf import settings
from django.utils import translation


def in_member_language(view):
    """Render ``view`` in the signed-in member's language (``User.language``)."""
    languages = {code for code, _name in settings.LANGUAGES}

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = getattr(request, "user", None)
        language = getattr(user, "language", None) if user and user.is_authenticated else None
        if language not in languages:
            return view(request, *args, **kwargs)
        with translation.override(language):
            request.LANGUAGE_CODE = language
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
        # LocaleMiddleware only fills the header when it is missing.
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapper
