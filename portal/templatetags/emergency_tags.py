"""Emergency numbers as tap-to-call links, and the platform's SMS relay as a tap-to-text one.

A verified member's SMS to the relay becomes an alert to their community (see
``alerts.inbound``): a resident without data coverage can still alert from their phone, so the
alert form shows the number as an ``sms:`` link when one is configured.
"""

import re

import phonenumbers
from django import template
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def sms_relay_number() -> dict | None:
    """``{"e164": …, "national": …}`` for the configured relay, or None when there is none."""
    raw = getattr(settings, "SMS_RELAY_NUMBER", None)
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, "FR")
    except phonenumbers.NumberParseException:
        return None
    return {
        "e164": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        "national": phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
    }


# 17 (police) and 112 (European emergency number) as whole numbers, not inside a longer one.
EMERGENCY_NUMBERS = re.compile(r"(?<![\d+])(17|112)(?![\d])")


@register.filter
def emergency_numbers_callable(text):
    """The (translated) text with 17 and 112 made tap-to-call links.

    Applied to the whole sentence rather than building it from pieces, so each sentence keeps
    a single msgid that translators see whole."""
    linked = EMERGENCY_NUMBERS.sub(r'<a class="tel-link" href="tel:\1">\1</a>', str(escape(text)))
    return mark_safe(linked)  # noqa: S308 - the text was escaped above; only our links added
