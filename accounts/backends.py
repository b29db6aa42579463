"""Sign in with an e-mail address or a mobile number, in any format a person types."""

import phonenumbers
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .models import normalize_email


def parse_phone(value: str) -> str | None:
    """Return the E.164 form of a French (or international) number, or None if it is not one."""
    try:
        number = phonenumbers.parse(value, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def find_user_by_login(login: str):
    """The user whose e-mail or phone number is ``login``, or None."""
    login = (login or "").strip()
    if not login:
        return None
    user_model = get_user_model()
    if "@" in login:
        return user_model.objects.filter(email=normalize_email(login)).first()
    phone = parse_phone(login)
    return user_model.objects.filter(phone=phone).first() if phone else None


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, login=None, **kwargs):
        user = find_user_by_login(login or username or kwargs.get("email") or "")
        if user is None:
            # Spend the same time as a real check so that timing does not reveal accounts.
            get_user_model()().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
