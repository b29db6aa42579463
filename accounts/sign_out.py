"""Signing out also empties the device: nothing of the member stays on a shared phone.

allauth's sign-out, with ``Clear-Site-Data: "cache"`` on its answer: the browser drops what
it cached of the site. The PWA's own caches (the lists a member's phone keeps for reading
offline) are emptied by the page the member lands on, which tells the service worker that
no one is signed in (``static/js/pwa.js``).
"""

from allauth.account import views as allauth_views

CLEAR_SITE_DATA = '"cache"'


def logout(request, *args, **kwargs):
    response = allauth_views.logout(request, *args, **kwargs)
    if request.method == "POST" and not request.user.is_authenticated:
        response["Clear-Site-Data"] = CLEAR_SITE_DATA
    return response
