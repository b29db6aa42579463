"""Sign-in and phone forms, on top of allauth's."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms
from django.utils.translation import gettext_lazy as _

from .phones import mobile_number_clean


class FrenchMobileField(forms.CharField):
    """A French mobile number typed any way (``06 12 34 56 78``, ``+33 6…``), cleaned to E.164.

    allauth uses it wherever it asks for a phone number (sign-up, change of number), and to
    tell whether what was typed in the sign-in form is a phone number.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Téléphone mobile"))
        kwargs.setdefault(
            "help_text", _("Un numéro de mobile français, pour recevoir les codes et les alertes.")
        )
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        return mobile_number_clean(value)


class LoginForm(AllauthLoginForm):
    """Sign-in with an e-mail address or a mobile number (field ``login``) and a password.

    allauth decides which of the two was typed, checks the password in constant time,
    rate-limits and hands over to the verification and two-factor steps. The error never
    says which part was wrong, so that the form does not reveal whether an account exists.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        login = self.fields["login"]
        login.label = _("E-mail ou téléphone mobile")
        login.widget.attrs.update(
            {"autocomplete": "username", "autofocus": True, "placeholder": ""}
        )
        password = self.fields["password"]
        password.label = _("Mot de passe")
        password.help_text = ""
        password.widget.attrs["placeholder"] = ""
