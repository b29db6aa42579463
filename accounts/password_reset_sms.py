"""Choosing a new password with a code sent by SMS to the member's verified mobile number.

allauth resets passwords by e-mail only; this is the same flow on allauth's code machinery
(state in the session, a lifetime, a number of tries), for members who read SMS more
readily than e-mail. Like the e-mail flow, it never says whether a number has an account.
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter
from allauth.account.internal.flows import password_reset
from allauth.account.internal.flows.code_verification import AbstractCodeVerificationProcess
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from notifications.sms.service import sms_send

from .adapter import sms_sender_for

SESSION_KEY = "accounts_password_reset_sms"


def _member_for_phone(phone: str):
    """An active member whose verified mobile number is ``phone`` (E.164), or None."""
    return (
        get_user_model()
        .objects.filter(phone=phone, phone_verified_at__isnull=False, is_active=True)
        .first()
    )


class SmsPasswordResetProcess(AbstractCodeVerificationProcess):
    """One password reset by SMS: the code, its age, the tries left, whether it was confirmed.

    A number without an account gets the same pages and no SMS; its "code" never matches.
    The code is forgotten once confirmed, so it cannot be used twice.
    """

    def __init__(self, request, state: dict, user=None) -> None:
        self.request = request
        super().__init__(
            state=state,
            user=user,
            timeout=settings.PASSWORD_RESET_SMS_TIMEOUT,
            max_attempts=settings.PASSWORD_RESET_SMS_MAX_ATTEMPTS,
        )

    @property
    def phone(self) -> str:
        return self.state["phone"]

    @property
    def is_confirmed(self) -> bool:
        return bool(self.state.get("code_confirmed"))

    def persist(self) -> None:
        self.request.session[SESSION_KEY] = self.state

    def abort(self) -> None:
        self.request.session.pop(SESSION_KEY, None)

    def send(self) -> None:
        if self.user is None:
            return

        code = get_adapter(self.request).generate_phone_verification_code(
            user=self.user, phone=self.phone
        )
        self.state["code"] = code
        body = gettext(
            "Voisinage : votre code pour choisir un nouveau mot de passe est %(code)s. "
            "Il expire dans 10 minutes. Si vous n'avez rien demandé, ignorez ce message."
        ) % {"code": code}
        sms_send(
            to=self.phone,
            body=body,
            purpose="verification_code",
            sender=sms_sender_for(self.request),
        )

    def confirm_code(self) -> None:
        self.state["code_confirmed"] = True
        self.state["code"] = ""
        self.persist()

    def finish(self, password: str):
        """Set the new password, end the process, and tell the member by e-mail."""
        user = self.user
        password_reset.reset_password(user, password)
        self.abort()
        return password_reset.finalize_password_reset(self.request, user)

    @classmethod
    def initiate(cls, *, request, phone: str) -> SmsPasswordResetProcess:
        user = _member_for_phone(phone)
        process = cls(request, state=cls.initial_state(user, phone=phone), user=user)
        process.send()
        process.persist()
        return process

    @classmethod
    def resume(cls, request) -> SmsPasswordResetProcess | None:
        state = request.session.get(SESSION_KEY)
        if not state:
            return None
        return cls(request, state=state).abort_if_invalid()
