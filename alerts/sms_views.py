"""Twilio webhooks: inbound messages on the relay number and delivery status callbacks.

Both check ``X-Twilio-Signature`` against the URL Twilio called: ``PUBLIC_BASE_URL`` plus
the path behind a TLS proxy (Twilio error 57012 otherwise), the request's own URL when no
public origin is configured (the demo). A bad signature is refused before anything is read.
"""

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from accounts.phones import parse_phone
from notifications.sms.service import sms_status_update

from .fallback import delivery_status_callback
from .inbound import inbound_sms_receive


def _signed_by_twilio(request) -> bool:
    token = settings.TWILIO_AUTH_TOKEN
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    if settings.PUBLIC_BASE_URL:
        url = settings.PUBLIC_BASE_URL.rstrip("/") + request.get_full_path()
    else:
        url = request.build_absolute_uri()
    return RequestValidator(token).validate(url, request.POST.dict(), signature)


def _twiml(reply: str) -> HttpResponse:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def sms_inbound(request):
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("invalid signature")
    message_sid = request.POST.get("MessageSid", "")
    phone = parse_phone(request.POST.get("From", ""))
    if not message_sid or phone is None:
        return _twiml("")
    reply = inbound_sms_receive(
        phone=phone, body=request.POST.get("Body", ""), message_sid=message_sid
    )
    return _twiml(reply)


@csrf_exempt
@require_POST
def sms_status(request):
    if not _signed_by_twilio(request):
        return HttpResponseForbidden("invalid signature")
    sid = request.POST.get("MessageSid", "")
    status = request.POST.get("MessageStatus", "").lower()
    error_code = request.POST.get("ErrorCode") or ""
    if sms_status_update(provider_message_id=sid, status=status, error_code=error_code) is None:
        delivery_status_callback(provider_message_id=sid, status=status, error_code=error_code)
    return HttpResponse(status=204)
