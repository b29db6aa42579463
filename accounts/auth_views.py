"""Views around allauth's: registration per commune, the pending page, SMS password reset,
and the lockout page of django-axes.
"""

from datetime import timedelta

from allauth.account.forms import BaseConfirmCodeForm, ResetPasswordKeyForm
from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import get_next_redirect_url
from allauth.account.views import ConfirmPasswordResetCodeView, SignupView
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.views import ViewRecoveryCodesView
from allauth.mfa.totp.views import ActivateTOTPView
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from django import forms
from django.contrib import messages
from django.contrib.auth import user_login_failed
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.generic import FormView

from communities.memberships import active_membership
from communities.models import Commune
from communities.selectors import commune_for_request

from .adapter import HEADLESS_PREFIX, LOCKED_OUT
from .forms import FrenchMobileField
from .password_reset_sms import SmsPasswordResetProcess

# --- Lockout (django-axes) ------------------------------------------------------------------------


def lockout(request, original_response=None, credentials=None):
    """The page shown while a login is locked out from this address (AXES_LOCKOUT_CALLABLE)."""
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    if request.path.startswith(HEADLESS_PREFIX):
        # Apps and the site's scripts read allauth's headless error format.
        response = JsonResponse(
            {
                "status": 429,
                "errors": [{"message": str(LOCKED_OUT), "code": "too_many_login_attempts"}],
            },
            status=429,
        )
        response["Retry-After"] = str(int(cool_off.total_seconds()))
        return response
    response = render(
        request,
        "account/lockout.html",
        {"cool_off_minutes": int(cool_off.total_seconds() // 60)},
        status=429,
    )
    response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response


def _axes_refuses(request, login: str) -> bool:
    return not AxesProxyHandler.is_allowed(request, {"login": login})


def _axes_record_failure(request, login: str) -> None:
    # The same signal a wrong password sends: axes counts it against login + address.
    user_login_failed.send(sender=__name__, credentials={"login": login}, request=request)


# --- Registration ---------------------------------------------------------------------------------


class RegistrationView(SignupView):
    """allauth's sign-up, on a commune's own site only.

    On the platform's site (no commune), the visitor first picks their commune.
    """

    template_name = "account/signup.html"

    def dispatch(self, request, *args, **kwargs):
        self.commune = commune_for_request(request=request)
        if self.commune is None and not request.user.is_authenticated:
            communes = Commune.objects.select_related("site").order_by("name")
            return render(request, "account/signup_choose_commune.html", {"communes": communes})
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["commune"] = self.commune
        kwargs["session"] = self.request.session
        return kwargs

    def get_initial(self):
        initial = super().get_initial()
        for key in ("latitude", "longitude"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial


registration = RegistrationView.as_view()


@login_required
def registration_pending(request):
    """What a newly registered resident sees until a moderator decides."""
    membership = active_membership(user=request.user)
    return render(request, "account/pending.html", {"membership": membership})


# --- Two-factor authentication -----------------------------------------------------------------


class TotpActivationView(ActivateTOTPView):
    """allauth's TOTP activation, which also records in the session that a code was given.

    Activating needs a valid code from the new authenticator: the session that did it has
    passed the second factor, as if it had signed in with it (``second_factor_passed``).
    Without the record, the new authenticator would sign that very session out.
    """

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            record_authentication(
                self.request, user, "mfa", id=authenticator.pk, type=authenticator.type
            )
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = get_next_redirect_url(self.request) or ""
        return context

    def get_success_url(self) -> str:
        """Back to the page the staff member was going to (``next``, checked by allauth),
        through the new recovery codes, which they note first."""
        next_url = get_next_redirect_url(self.request)
        if self.did_generate_recovery_codes:
            codes = reverse("mfa_view_recovery_codes")
            return f"{codes}?{urlencode({'next': next_url})}" if next_url else codes
        return next_url or super().get_success_url()


totp_activate = TotpActivationView.as_view()


class RecoveryCodesView(ViewRecoveryCodesView):
    """allauth's recovery codes, with the way on to the page the staff member was going to."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["next_url"] = get_next_redirect_url(self.request) or ""
        return context


recovery_codes = RecoveryCodesView.as_view()


# --- Password reset by e-mail code: counted by axes like a wrong password ---------------------


class AxesConfirmPasswordResetCodeView(ConfirmPasswordResetCodeView):
    """allauth's code page for a reset by e-mail; each wrong code counts as a failed sign-in."""

    def dispatch(self, request, *args, **kwargs):
        state = request.session.get("account_password_reset_verification") or {}
        self.axes_login = state.get("email", "")
        if request.method == "POST" and self.axes_login and _axes_refuses(request, self.axes_login):
            return lockout(request)
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        _axes_record_failure(self.request, self.axes_login)
        return super().form_invalid(form)


confirm_password_reset_code = AxesConfirmPasswordResetCodeView.as_view()


# --- Password reset by SMS ------------------------------------------------------------------------


class SmsResetRequestForm(forms.Form):
    phone = FrenchMobileField(
        label=_("Votre numéro de mobile"),
        help_text=_("Le numéro vérifié de votre compte, par exemple 06 12 34 56 78."),
    )


class SmsCodeForm(BaseConfirmCodeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.label = _("Code reçu par SMS")
        field.help_text = _("6 chiffres, valable 10 minutes.")
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "inputmode": "numeric", "placeholder": ""}
        )

    def clean_code(self):
        try:
            return super().clean_code()
        except forms.ValidationError as error:
            raise forms.ValidationError(
                _("Ce code est incorrect ou n'est plus valable."), code="incorrect_code"
            ) from error


@method_decorator(never_cache, name="dispatch")
class SmsPasswordResetView(FormView):
    """Step 1: the member gives their mobile number; a code goes there if it has an account."""

    template_name = "account/password_reset_sms.html"
    form_class = SmsResetRequestForm

    def form_valid(self, form):
        phone = form.cleaned_data["phone"]
        # Per number and per address: nobody can flood a phone or our SMS bill.
        if not ratelimit.consume(self.request, action="reset_password_sms", key=phone):
            form.add_error(
                None,
                _(
                    "Trop de demandes de code pour ce numéro ou depuis votre connexion. "
                    "Patientez quelques minutes avant de réessayer."
                ),
            )
            return self.form_invalid(form)
        SmsPasswordResetProcess.initiate(request=self.request, phone=phone)
        return HttpResponseRedirect(reverse("accounts:password_reset_sms_code"))


@method_decorator(never_cache, name="dispatch")
class SmsPasswordResetCodeView(FormView):
    """Step 2: the code. A few wrong codes end the process; axes counts each one."""

    template_name = "account/password_reset_sms_code.html"
    form_class = SmsCodeForm

    def dispatch(self, request, *args, **kwargs):
        self.process = SmsPasswordResetProcess.resume(request)
        if self.process is None:
            messages.error(request, _("Ce code n'est plus valable : demandez-en un nouveau."))
            return HttpResponseRedirect(reverse("accounts:password_reset_sms"))
        if self.process.is_confirmed:
            return HttpResponseRedirect(reverse("accounts:password_reset_sms_new"))
        if request.method == "POST" and _axes_refuses(request, self.process.phone):
            return lockout(request)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["code"] = self.process.code
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["phone"] = self.process.phone
        return context

    def form_valid(self, form):
        self.process.confirm_code()
        return HttpResponseRedirect(reverse("accounts:password_reset_sms_new"))

    def form_invalid(self, form):
        _axes_record_failure(self.request, self.process.phone)
        if self.process.record_invalid_attempt():
            return super().form_invalid(form)
        messages.error(
            self.request,
            _("Trop d'essais avec ce code. Demandez un nouveau code dans quelques minutes."),
        )
        return HttpResponseRedirect(reverse("accounts:password_reset_sms"))


@method_decorator(never_cache, name="dispatch")
@method_decorator(sensitive_post_parameters("password1", "password2"), name="dispatch")
class SmsPasswordResetNewView(FormView):
    """Step 3: the new password, once the code was confirmed."""

    template_name = "account/password_reset_sms_new.html"
    form_class = ResetPasswordKeyForm

    def dispatch(self, request, *args, **kwargs):
        self.process = SmsPasswordResetProcess.resume(request)
        if self.process is None or not self.process.is_confirmed or self.process.user is None:
            return HttpResponseRedirect(reverse("accounts:password_reset_sms"))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.process.user
        return kwargs

    def form_valid(self, form):
        response = self.process.finish(form.cleaned_data["password1"])
        return response or HttpResponseRedirect(reverse("account_login"))


password_reset_sms = SmsPasswordResetView.as_view()
password_reset_sms_code = SmsPasswordResetCodeView.as_view()
password_reset_sms_new = SmsPasswordResetNewView.as_view()

__all__ = [
    "confirm_password_reset_code",
    "lockout",
    "password_reset_sms",
    "password_reset_sms_code",
    "password_reset_sms_new",
    "recovery_codes",
    "registration",
    "registration_pending",
    "totp_activate",
]
