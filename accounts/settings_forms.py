"""Forms of the account settings (``/compte/``): profile, notifications, language, community,
erasure. They validate only; the services in ``accounts.profiles``, ``accounts.gdpr`` and
``communities.memberships`` do the writing."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.models import Community
from communities.proofs import proof_file_check

from .models import Profile, User
from .profiles import PROFILE_FIELDS, profile_photo_prepare


class AccessibleFormMixin:
    """Ties each input to its help text and errors (``aria-describedby``, ``aria-invalid``).

    The ids match those written by ``account_settings/_field.html``.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe_fields()

    def full_clean(self):
        super().full_clean()
        self._describe_fields()

    def _describe_fields(self):
        errors = self._errors or {}
        for name, field in self.fields.items():
            auto_id = self[name].auto_id
            described_by = []
            if field.help_text:
                described_by.append(f"{auto_id}_help")
            if name in errors:
                described_by.append(f"{auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            else:
                field.widget.attrs.pop("aria-invalid", None)
            if isinstance(field.widget, forms.RadioSelect):
                # The group's fieldset carries the description (see _choice_fieldset.html).
                continue
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)
            else:
                field.widget.attrs.pop("aria-describedby", None)


VISIBILITY_FIELDS = [f"{name}_visibility" for name in PROFILE_FIELDS]


class ProfileForm(AccessibleFormMixin, forms.ModelForm):
    photo_upload = forms.FileField(
        label=_("Nouvelle photo"),
        required=False,
        help_text=_(
            "JPEG, PNG, WebP ou GIF, 10 Mo au plus. Elle est réduite à 512 pixels et ses "
            "métadonnées (position GPS, appareil) sont effacées."
        ),
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
    )
    remove_photo = forms.BooleanField(label=_("Supprimer ma photo"), required=False)

    class Meta:
        model = Profile
        fields = ["interests", "bio", *VISIBILITY_FIELDS]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            **dict.fromkeys(VISIBILITY_FIELDS, forms.RadioSelect),
        }

    def clean_photo_upload(self):
        uploaded = self.cleaned_data.get("photo_upload")
        if uploaded is None:
            return None
        return profile_photo_prepare(uploaded)

    def visibility_fields(self):
        return [self[name] for name in VISIBILITY_FIELDS]


class NotificationsForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = Profile
        fields = [
            "alerts_by_sms",
            "alerts_by_email",
            "alerts_by_push",
            "news_by_email",
            "news_by_push",
        ]
        labels = {
            "alerts_by_sms": _("Par SMS"),
            "alerts_by_email": _("Par e-mail"),
            "alerts_by_push": _("Par notification sur l'application"),
            "news_by_email": _("Par e-mail"),
            "news_by_push": _("Par notification sur l'application"),
        }
        help_texts = {
            "alerts_by_sms": _("Votre accord est enregistré avec sa date."),
            "news_by_email": _("Votre accord est enregistré avec sa date."),
        }


class LanguageForm(AccessibleFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        widgets = {"language": forms.RadioSelect}
        labels = {"language": _("Langue du site, des e-mails et des SMS")}


class ChangeCommunityForm(AccessibleFormMixin, forms.Form):
    community = forms.ModelChoiceField(
        label=_("Nouvelle communauté"), queryset=Community.objects.none()
    )
    address = forms.CharField(
        label=_("Votre nouvelle adresse"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    proof = forms.FileField(
        label=_("Justificatif de domicile"),
        help_text=_(
            "Facture, quittance ou avis d'imposition de moins de 3 mois : PDF, JPEG ou PNG, "
            "5 Mo au plus. Il n'est vu que par les modérateurs et supprimé dès leur décision."
        ),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the communities of the member's commune: another commune's, posted by a
        # crafted form, is "not one of the available choices".
        self.fields["community"].queryset = communities

    def clean_proof(self):
        proof = self.cleaned_data["proof"]
        proof_file_check(proof)
        return proof


class EraseAccountForm(AccessibleFormMixin, forms.Form):
    confirm = forms.BooleanField(
        label=_(
            "Je comprends que mon compte, mon profil, mes adhésions et mes consentements "
            "seront supprimés définitivement."
        ),
    )
    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."), code="password_incorrect")
        return password


class NeighbourRegistrationForm(AccessibleFormMixin, forms.Form):
    """A verified resident registers a neighbour who has neither e-mail nor smartphone."""

    first_name = forms.CharField(label=_("Prénom de votre voisin"), max_length=150)
    last_name = forms.CharField(label=_("Nom de votre voisin"), max_length=150)
    phone = forms.CharField(
        label=_("Son téléphone mobile"),
        max_length=20,
        help_text=_("Il recevra un SMS l'invitant à répondre OUI pour rejoindre le réseau."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    address = forms.CharField(
        label=_("Son adresse"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    consent = forms.BooleanField(
        label=_(
            "Mon voisin est d'accord pour que je l'inscrive et pour recevoir les alertes par SMS."
        ),
    )
