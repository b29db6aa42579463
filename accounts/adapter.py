"""How allauth reads and writes our accounts: phone numbers, verification, messages.

Our User keeps its phone number (E.164) and the times e-mail and phone were verified;
allauth keeps e-mail addresses in its own table. This adapter is the single bridge.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.userkit import filter_users_by_email
from allauth.core import context
from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from communities.memberships import active_membership
from communities.models import MembershipStatus
from communities.selectors import commune_for_request
from notifications.sms.service import sms_send

from .account_emails import email_branding, email_html_part
from .backends import lockout_key
from .forms import FrenchMobileField
from .network import client_ip
from .phones import parse_phone
from .services import email_address_verified_ensure, email_verified_record

# One message whatever was wrong, and whatever was typed (e-mail, number, anything else):
# the form never tells whether an account exists.
LOGIN_ERROR = _(
    "Identifiant ou mot de passe incorrect. Vérifiez votre e-mail ou votre numéro de mobile, "
    "et votre mot de passe."
)
LOCKED_OUT = _(
    "Trop de tentatives de connexion. Par sécurité, la connexion est suspendue pendant "
    "15 minutes. Réessayez ensuite, ou réinitialisez votre mot de passe."
)


# Where allauth's headless mode (apps, the site's scripts) is served (portal.urls).
HEADLESS_PREFIX = "/_allauth/"


def sms_sender_for(request) -> str | None:
    """The commune's SMS sender name on its own site, the platform's default elsewhere."""
    if request is None:
        return None

    commune = commune_for_request(request=request)
    return commune.sms_sender_name if commune else None


def _sms_send(*, to: str, body: str, purpose: str) -> None:
    sms_send(to=to, body=body, purpose=purpose, sender=sms_sender_for(context.request))


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": LOGIN_ERROR,
        "phone_password_mismatch": LOGIN_ERROR,
        "username_password_mismatch": LOGIN_ERROR,
        "invalid_login": LOGIN_ERROR,
        "too_many_login_attempts": LOCKED_OUT,
    }

    # --- Stages ---------------------------------------------------------------------------------
    def get_login_stages(self) -> list[str]:
        """E-mail is verified before the phone (whose step also survives a rate limit).

        When a sign-up collides with an existing account, allauth continues with a pretend
        login to hide it; the pretend flow stops at the first verification step. Putting
        e-mail first makes that step the same as for a genuine sign-up.
        """
        stages = super().get_login_stages()
        email = "allauth.account.stages.EmailVerificationStage"
        phone = "allauth.account.stages.PhoneVerificationStage"
        if email in stages and phone in stages:
            stages.remove(email)
            stages.insert(stages.index(phone), email)
            stages[stages.index(phone)] = "accounts.stages.PhoneVerificationStage"
        return stages

    def pre_login(self, request, user, **kwargs):
        email_address_verified_ensure(user)
        return super().pre_login(request, user, **kwargs)

    def confirm_email(self, request, email_address) -> bool:
        confirmed = super().confirm_email(request, email_address)
        if confirmed and email_address.user_id:
            email_verified_record(user=email_address.user, email=email_address.email)
        return confirmed

    def get_login_redirect_url(self, request) -> str:
        """Where sign-in lands when no ``?next=`` says where (allauth honours it first).

        Residents still awaiting validation land on the page that says so; a verified member
        signing in on their commune's site lands on their community's page. Anybody else
        (the mairie's staff, a resident on another commune's site) keeps the site's landing.
        """
        membership = active_membership(user=request.user)
        if membership is not None and membership.status == MembershipStatus.PENDING:
            return reverse("accounts:pending")
        if membership is not None:
            commune = commune_for_request(request=request)
            if commune is not None and membership.community.commune_id == commune.pk:
                return reverse("member_home")
        return super().get_login_redirect_url(request)

    def is_open_for_signup(self, request) -> bool:
        """Registration needs the commune's own form (address, proof of address, charter):
        allauth's headless sign-up (``/_allauth/…/auth/signup``) would skip all of it, so
        apps send new residents to the site's registration page instead."""
        if request is not None and request.path.startswith(HEADLESS_PREFIX):
            return False
        return super().is_open_for_signup(request)

    # --- E-mails: the commune's, through allauth's own sending --------------------------------
    def _commune(self):
        return commune_for_request(request=context.request) if context.request else None

    def format_email_subject(self, subject: str) -> str:
        """ "[Cadaujac] Votre code de vérification" on a commune's site."""
        commune = self._commune()
        if commune is None:
            return super().format_email_subject(subject)
        return f"[{commune.name}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # The subject is rendered without the request: the commune is handed over here.
        super().send_mail(template_prefix, email, {"commune": self._commune(), **context})

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's message, plain text first, with an HTML part in the commune's colours."""
        message = super().render_mail(template_prefix, email, context, headers=headers)
        if isinstance(message, EmailMultiAlternatives) and not message.alternatives:
            html = email_html_part(
                subject=message.subject,
                text=message.body,
                branding=email_branding(commune=context.get("commune")),
            )
            message.attach_alternative(html, "text/html")
        return message

    # --- Brute force --------------------------------------------------------------------------
    def get_client_ip(self, request) -> str:
        return client_ip(request) or super().get_client_ip(request)

    def _get_login_attempts_cache_key(self, request, **credentials: Any) -> str:
        # allauth keys this limit on the e-mail or username only: every phone sign-in would
        # share one empty key. Count per account, whichever identifier was typed, as axes does.
        login = credentials.get("email") or credentials.get("phone") or credentials.get("username")
        return f"login:{lockout_key(request, login)}"

    def pre_authenticate(self, request, **credentials: Any) -> None:
        """Refuse a locked-out login+address before allauth counts it or checks a password."""
        if request is not None and not AxesProxyHandler.is_allowed(request, credentials):
            # AxesMiddleware turns the flagged request into the lockout page.
            request.axes_locked_out = True
            request.axes_credentials = credentials
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    # --- Phone numbers (allauth's phone hooks on User.phone / phone_verified_at) --------------
    def phone_form_field(self, **kwargs: Any):
        return FrenchMobileField(**kwargs)

    def get_phone(self, user) -> tuple[str, bool] | None:
        if not user.phone:
            return None
        return str(user.phone), user.phone_verified_at is not None

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.phone = phone
        user.phone_verified_at = timezone.now() if verified else None
        user.save(update_fields=["phone", "phone_verified_at"])

    def set_phone_verified(self, user, phone: str) -> None:
        if user.phone and str(user.phone) == phone:
            user.phone_verified_at = timezone.now()
            user.save(update_fields=["phone_verified_at"])

    def get_user_by_phone(self, phone: str):
        e164 = parse_phone(phone or "")
        if e164 is None:
            return None
        return get_user_model().objects.filter(phone=e164).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs: Any) -> None:
        body = gettext(
            "Voisinage : votre code de vérification est %(code)s. Il expire dans 10 minutes. "
            "Ne le communiquez à personne."
        ) % {"code": code}
        _sms_send(to=phone, body=body, purpose="verification_code")

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Tell the owner of a number that someone tried to register with it.

        Only a registered number gets it: the text is for the account's owner, never for a
        stranger (who sees the same verification page as any new member).
        """
        if self.get_user_by_phone(phone) is None:
            return
        body = gettext(
            "Voisinage : une inscription a été tentée avec votre numéro, qui a déjà un compte. "
            "Connectez-vous, ou réinitialisez votre mot de passe si vous l'avez oublié."
        )
        _sms_send(to=phone, body=body, purpose="account")

    def send_account_already_exists_mail(self, email: str) -> None:
        # A pretend sign-up reaches here with the e-mail typed even when it was the phone
        # number that was taken: a new address must not be told of somebody else's account.
        if filter_users_by_email(email):
            super().send_account_already_exists_mail(email)
