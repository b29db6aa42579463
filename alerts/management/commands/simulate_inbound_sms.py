import secrets
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from twilio.request_validator import RequestValidator


class Command(BaseCommand):
    help = (
        "Envoie au webhook /sms/inbound/ un SMS entrant signé comme le ferait Twilio "
        "(avec TWILIO_AUTH_TOKEN), pour essayer les alertes par SMS sur la démo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="sender", required=True, help="ex. +33611000001")
        parser.add_argument("--body", required=True, help="le texte du SMS")
        parser.add_argument("--url", default="http://127.0.0.1:8000/sms/inbound/")
        parser.add_argument("--sid", default=None, help="MessageSid (aléatoire par défaut)")

    def handle(self, *args, **options):
        if not options["url"].startswith(("http://127.", "http://localhost", "https://")):
            raise CommandError("L'adresse doit être locale (http://127.0.0.1…) ou en https.")
        params = {
            "From": options["sender"],
            "To": settings.SMS_RELAY_NUMBER or "+33700000000",
            "Body": options["body"],
            "MessageSid": options["sid"] or "SM" + secrets.token_hex(16),
        }
        signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(
            options["url"], params
        )
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            options["url"],
            data=urllib.parse.urlencode(params).encode(),
            headers={"X-Twilio-Signature": signature},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            self.stdout.write(response.read().decode())
