"""The PWA's offline pages: what a member's phone shows without network.

The service worker stores them while a member is signed in and answers with them when a
page was not kept (``/hors-connexion/``) or when the member opens or sends the alert form
(``/hors-connexion/alerte/``): an alert cannot leave without network, so the page says at
once to call 17 or to text the relay number; nothing is queued for later.

They are drawn as for a visitor: the same for every member, they carry nothing of the member
who stored them (no name, no unread count).
"""

from django.contrib.auth.models import AnonymousUser
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _as_shell(request, template: str):
    request.user = AnonymousUser()
    response = render(request, template, {"pwa_shell": True})
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@never_cache
def offline(request):
    """Shown offline in place of a page the phone did not keep."""
    return _as_shell(request, "pwa/offline.html")


@require_GET
@never_cache
def offline_alert(request):
    """Shown offline in place of the alert form: call 17, or text the relay number."""
    return _as_shell(request, "pwa/offline_alert.html")
