"""SMS: which backend sends them (``console``, ``outbox``, ``twilio``), Twilio's credentials,
the contracted pace and price, and when non-urgent messages may go.

The auth token also checks the signature of Twilio's webhooks; it has no default outside
development (``development.py`` gives the demo its documented ``demo-twilio-token``).
"""

from django.core.exceptions import ImproperlyConfigured

from .environment import env_float, env_int, env_str, env_time_zone

SMS_BACKEND = env_str("SMS_BACKEND", default="console")
SMS_RELAY_NUMBER = env_str("SMS_RELAY_NUMBER")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER")
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_HTTP_TIMEOUT = env_float("TWILIO_HTTP_TIMEOUT", default=10.0)
# Sending through Twilio without its credentials would only fail at the first alert.
if SMS_BACKEND == "twilio":
    _missing = [
        name
        for name, value in (
            ("TWILIO_ACCOUNT_SID", TWILIO_ACCOUNT_SID),
            ("TWILIO_AUTH_TOKEN", TWILIO_AUTH_TOKEN),
            (
                "TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER",
                TWILIO_MESSAGING_SERVICE_SID or TWILIO_FROM_NUMBER,
            ),
        )
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(f"SMS_BACKEND=twilio needs {', '.join(_missing)}.")

# Alert fan-outs pace SMS to the contracted provider rate (an alphanumeric sender gets about
# 10 SMS/s, a short code about 100/s) and keep this many requests in flight per worker.
SMS_RATE_PER_SECOND = env_float("SMS_RATE_PER_SECOND", default=10.0)
# Fan-outs of at most this many SMS (a village's alert, a retry) take a priority lane of
# the pace instead of waiting behind a large broadcast (notifications/pacing.py); 0: none.
SMS_PRIORITY_MAX = env_int("SMS_PRIORITY_MAX", default=500)
SMS_SEND_CONCURRENCY = env_int("SMS_SEND_CONCURRENCY", default=16, minimum=1)

# The mairie's broadcast screen estimates a broadcast's cost with this price (euros, excl.
# VAT) per SMS segment; a text with ê, ç or ’ takes up to three times as many segments.
SMS_PRICE_PER_SEGMENT = env_float("SMS_PRICE_PER_SEGMENT", default=0.045)
# Non-urgent SMS (and push) only Monday to Saturday, 8h–20h local time (French SMS rules);
# urgent alerts and residents' alerts go at any time. Local is Paris unless the deployment
# serves overseas communes (Indian/Reunion, Pacific/Noumea, America/Guadeloupe…).
QUIET_HOURS = {
    "START_HOUR": 20,
    "END_HOUR": 8,
    "TIME_ZONE": env_time_zone("QUIET_HOURS_TIME_ZONE", default="Europe/Paris"),
}
