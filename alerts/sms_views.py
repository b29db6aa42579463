"""The relay number's inbound webhook: a member's SMS becomes an alert, STOP or START.

Checked with the outbox's ``X-Twilio-Signature`` rule (``notifications.webhooks``), where
the status callbacks of sent messages are handled too.
"""

from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.twiml.messaging_response import MessagingResponse

from accounts.phones import parse_phone
from notifications.webhooks import signed_by_twilio

from .inbound import inbound_sms_receive


def _twiml(reply: str) -> HttpResponse:
    response = MessagingResponse()
    if reply:
        response.message(reply)
    return HttpResponse(str(response), content_type="text/xml; charset=utf-8")


@csrf_exempt
@require_POST
def sms_inbound(request):
    if not signed_by_twilio(request):
        return HttpResponseForbidden("invalid signature")
    message_sid = request.POST.get("MessageSid", "")
    phone = parse_phone(request.POST.get("From", ""))
    if not message_sid or phone is None:
        return _twiml("")
    reply = inbound_sms_receive(
        phone=phone, body=request.POST.get("Body", ""), message_sid=message_sid
    )
    return _twiml(reply)
