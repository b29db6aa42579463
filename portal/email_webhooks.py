"""The e-mail providers' delivery reports (django-anymail: ``/anymail/<esp>/tracking/``).

They sit behind the basic-auth secret ``ANYMAIL_WEBHOOK_SECRET``. Unsecured, anyone could fake
bounces and stop e-mail to real members, so outside the demo every report answers 404 until
the secret is set. The rule is read on each request, not when the URLs are loaded, so that a
changed setting never leaves a stale route behind.
"""

from functools import wraps

from anymail import urls as anymail_urls
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt


def webhooks_open() -> bool:
    return bool(settings.DEBUG or settings.ANYMAIL.get("WEBHOOK_SECRET"))


def _guarded(view):
    @csrf_exempt
    @wraps(view)
    def guarded(request, *args, **kwargs):
        if not webhooks_open():
            raise Http404
        return view(request, *args, **kwargs)

    return guarded


urlpatterns = [
    URLPattern(pattern.pattern, _guarded(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urls.urlpatterns
]
app_name = anymail_urls.app_name
