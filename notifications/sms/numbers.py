"""Recipient numbers and sender identities, checked before anything is written or sent."""

import re

import phonenumbers
from django.conf import settings

# What operators accept as an alphanumeric sender: 1 to 11 characters, at least one letter.
ALPHANUMERIC_SENDER_RE = re.compile(r"^(?=.*[A-Za-z])[A-Za-z0-9 .\-]{1,11}$")
SHORT_CODE_RE = re.compile(r"^\d{3,8}$")


def phone_number_parse(value: str) -> phonenumbers.PhoneNumber | None:
    """A valid number read as people type it (national notation in
    ``PHONENUMBER_DEFAULT_REGION``), or None. The one reading of a phone number: accounts
    (sign-in, registration) and the relay number's webhook use it too."""
    try:
        number = phonenumbers.parse(value or "", settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def parse_phone(value: str) -> str | None:
    """Return the E.164 form of a French (or international) number, or None if it is not one."""
    number = phone_number_parse(value)
    if number is None:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_number_e164(value) -> str:
    """``value`` (a string in any usual notation, or a ``PhoneNumber``) in E.164.

    National notation is read in ``PHONENUMBER_DEFAULT_REGION`` (France): « 06 12 34 56 78 »
    is +33612345678. Raises ``ValueError`` for anything that is not a valid number, so that
    no row is written and no provider call is paid for a number that cannot exist.
    """
    text = str(value or "").strip()
    e164 = parse_phone(text)
    if e164 is None:
        raise ValueError(f"not a valid phone number: {text!r}")
    return e164


def sms_sender_clean(value: str | None) -> str:
    """A sender as operators accept it: an alphanumeric name (one-way), a short code or an
    E.164 number; empty means the provider's default sender. Raises ``ValueError``."""
    sender = (value or "").strip()
    if not sender or ALPHANUMERIC_SENDER_RE.match(sender) or SHORT_CODE_RE.match(sender):
        return sender
    if sender.startswith("+"):
        return phone_number_e164(sender)
    raise ValueError(f"not a valid SMS sender: {sender!r}")
