from django import forms
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables


class LoginForm(forms.Form):
    """Sign-in with an e-mail address or a mobile number (field ``login``) and a password.

    The error never says which of the two was wrong, so that the form does not reveal
    whether an account exists.
    """

    login = forms.CharField(
        label=_("E-mail ou téléphone mobile"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    @sensitive_variables("password")
    def clean(self):
        login = self.cleaned_data.get("login")
        password = self.cleaned_data.get("password")
        if login and password:
            self.user_cache = authenticate(self.request, login=login, password=password)
            if self.user_cache is None:
                raise forms.ValidationError(
                    _(
                        "Identifiant ou mot de passe incorrect. Vérifiez votre e-mail ou votre "
                        "numéro de mobile, et votre mot de passe."
                    ),
                    code="invalid_login",
                )
        return self.cleaned_data

    def get_user(self):
        return self.user_cache
