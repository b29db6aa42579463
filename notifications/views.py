"""Web push for the PWA: the service worker and the subscriptions API.

The subscriptions API is JSON over the member's session, CSRF-protected like any other
form of the site (the page's script sends the token in ``X-CSRFToken``). Errors answer
JSON with a French message per field, so that the page can say what went wrong.
"""

import hashlib
import json

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.template.loader import get_template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from .offline_copy import OFFLINE_COPY_HEADER
from .push_keys import push_available
from .push_subscriptions import (
    SESSION_ENDPOINT_KEY,
    push_subscription_delete,
    push_subscription_save,
)

MAX_BODY_BYTES = 4096


def _error(status: int, message: str, fields: dict | None = None) -> JsonResponse:
    payload = {"error": message}
    if fields:
        payload["fields"] = fields
    return JsonResponse(payload, status=status)


def _signed_in(request) -> bool:
    return request.user.is_authenticated and request.user.is_active


def _json_body(request):
    if len(request.body) > MAX_BODY_BYTES:
        raise ValueError
    return json.loads(request.body.decode("utf-8"))


@require_GET
def vapid_public_key(request):
    """The application server key the browser subscribes with (public by nature)."""
    if not push_available():
        return _error(
            503, _("Les notifications ne sont pas disponibles sur ce site pour le moment.")
        )
    return JsonResponse({"public_key": settings.VAPID_PUBLIC_KEY})


@require_http_methods(["POST", "DELETE"])
def subscriptions(request):
    """POST: enable push on this browser for the signed-in member; DELETE: disable it.

    Both take the browser's ``PushSubscription.toJSON()`` (DELETE needs only
    ``endpoint``). A member can only remove their own subscription: another's endpoint
    answers 404 and stays.
    """
    if not _signed_in(request):
        return _error(403, _("Connectez-vous pour gérer les notifications."))
    try:
        data = _json_body(request)
    except (ValueError, UnicodeDecodeError):
        return _error(400, _("La requête n'est pas un JSON valide."))
    if not isinstance(data, dict):
        return _error(400, _("La requête n'est pas un JSON valide."))

    if request.method == "DELETE":
        if not push_subscription_delete(user=request.user, endpoint=data.get("endpoint")):
            return _error(404, _("Aucune activation des notifications à ce nom sur cet appareil."))
        if request.session.get(SESSION_ENDPOINT_KEY) == data.get("endpoint"):
            del request.session[SESSION_ENDPOINT_KEY]
        return HttpResponse(status=204)

    if not push_available():
        return _error(
            503, _("Les notifications ne sont pas disponibles sur ce site pour le moment.")
        )
    try:
        subscription, created = push_subscription_save(
            user=request.user,
            data=data,
            user_agent=request.headers.get("User-Agent", ""),
        )
    except ValidationError as error:
        fields = {name: " ".join(messages) for name, messages in error.message_dict.items()}
        return _error(400, _("Cet abonnement aux notifications n'est pas valide."), fields=fields)
    request.session[SESSION_ENDPOINT_KEY] = subscription.endpoint
    return JsonResponse(
        {"endpoint": subscription.endpoint, "created": created}, status=201 if created else 200
    )


# The static files the offline pages need, stored on a member's device with them.
SHELL_ASSETS = (
    "css/portal.css",
    "css/members.css",
    "css/alerts.css",
    "css/gazette.css",
    "js/header.js",
    "js/push.js",
    "js/pwa.js",
    "img/icon-192.png",
)


def _service_worker_version(*, source: str, shell_urls: list[str]) -> str:
    """Changes with the worker's code and with the shell's files (their hashed names in
    production): a new version takes over and drops the caches of the previous one."""
    digest = hashlib.sha256(source.encode())
    for url in shell_urls:
        digest.update(url.encode())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(no_cache=True)
def service_worker(request):
    """The service worker, served from the root so that its scope is the whole site.

    ``no-cache``: browsers must revalidate it so that a fix reaches every member at once.
    """
    template = get_template("pwa/service-worker.js")
    shell = [static(path) for path in SHELL_ASSETS]
    context = {
        "version": _service_worker_version(source=template.template.source, shell_urls=shell),
        "icon": static("img/icon-192.png"),
        "badge": static("img/badge-96.png"),
        "offline_header": OFFLINE_COPY_HEADER,
        "offline_url": reverse("pwa_offline"),
        "offline_alert_url": reverse("pwa_offline_alert"),
        "alert_form_url": reverse("alerts:create"),
        "shell_assets": shell,
        "static_prefix": settings.STATIC_URL,
        "media_prefix": settings.MEDIA_URL,
    }
    response = HttpResponse(
        template.render(context, request), content_type="text/javascript; charset=utf-8"
    )
    response["Service-Worker-Allowed"] = "/"
    return response
