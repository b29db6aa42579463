"""Twilio's webhooks as the outbox reads them: the signature check and status callbacks.

The signature is checked against the URL Twilio called: ``PUBLIC_BASE_URL`` plus the path
behind a TLS proxy (Twilio error 57012 otherwise), the request's own URL when no public
origin is configured (the demo). A bad signature is refused before anything is read. A
status callback is applied to the SMS outbox row or the delivery it names, monotonically;
an SID nobody sent is answered all the same and changes nothing.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from .sms.service import sms_status_update
from .status_callbacks import delivery_status_callback


def signed_by_twilio(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    if settings.PUBLIC_BASE_URL:
        url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    else:
        url = request.build_absolute_uri()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


@csrf_exempt
@require_POST
def sms_status(request):
    if not signed_by_twilio(request):
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "").lower()
    error_code = request.POST.get("ErrorCode") or ""
    if sms_status_update(provider_message_id=sid, status=status, error_code=error_code) is None:
        delivery_status_callback(provider_message_id=sid, status=status, error_code=error_code)
    return HttpResponse(status=204)
