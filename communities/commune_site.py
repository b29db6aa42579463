"""Members' pages that belong to one commune's site (its gazette, its alerts…)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.cache import never_cache

from accounts.member_language import in_member_language

from .selectors import commune_for_request


def commune_site_view(view):
    """Signed in, on a commune's site: ``view(request, commune, …)``.

    The platform's own site has no commune, so no gazette nor alerts: 404 there. Pages are
    in the member's language and never cached (they show what this member may read).
    """

    @wraps(view)
    @in_member_language
    @never_cache
    @login_required
    def wrapper(request, *args, **kwargs):
        commune = commune_for_request(request=request)
        if commune is None:
            raise Http404
        return view(request, commune, *args, **kwargs)

    return wrapper
