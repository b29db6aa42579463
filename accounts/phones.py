"""Phone numbers as people type them (``06 11 00 00 01``, ``+33 6…``), stored as E.164."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from notifications.sms.numbers import parse_phone, phone_number_parse

# Metropolitan France and the overseas departments and territories that share its numbering
# rules for SMS: a "French mobile number" is a mobile number of one of these.
FRENCH_COUNTRY_CODES = frozenset({33, 262, 269, 508, 590, 594, 596, 681, 687, 689})
MOBILE_TYPES = frozenset(
    {phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}
)


# Reading a number is the outbox's (the layer below): accounts shares that one reading.
_parse = phone_number_parse
__all__ = ["login_key", "mobile_number_clean", "parse_phone"]


def mobile_number_clean(value: str) -> str:
    """The E.164 form of a French mobile number, or a ValidationError saying what is wrong.

    Landlines are refused: codes and alerts go out by SMS.
    """
    number = _parse(value)
    if number is None:
        raise ValidationError(
            _(
                "Ce numéro de téléphone n'est pas valide. Indiquez un numéro de mobile "
                "français, par exemple 06 12 34 56 78."
            ),
            code="invalid_phone",
        )
    if number.country_code not in FRENCH_COUNTRY_CODES:
        raise ValidationError(
            _("Indiquez un numéro de mobile français (commençant par 06 ou 07)."),
            code="foreign_phone",
        )
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        raise ValidationError(
            _(
                "Ce numéro n'est pas un numéro de mobile : indiquez un numéro commençant par "
                "06 ou 07, qui peut recevoir des SMS."
            ),
            code="not_mobile",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def login_key(value: str | None) -> str:
    """One spelling per identifier: a lower-case e-mail address or an E.164 number.

    Rate limits and lockouts count attempts per identifier, whatever way it was typed.
    """
    value = (value or "").strip()
    if "@" in value:
        return value.lower()
    return parse_phone(value) or value.lower()
