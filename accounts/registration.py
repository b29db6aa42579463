"""A resident's registration on their commune's site: account, community, proof, consents.

allauth runs the sign-up (uniqueness without revealing accounts, password rules, rate
limits, then e-mail and phone verification); this form adds what a neighbourhood network
needs to know before anyone sees a community: where the person lives, with a proof.
"""

from allauth.account.adapter import get_adapter
from allauth.account.forms import SignupForm
from allauth.account.internal import flows
from allauth.account.internal.userkit import filter_users_by_email
from django import forms
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from communities.memberships import community_for_point, membership_request
from communities.models import Commune, Community
from communities.proofs import proof_file_check

from .forms import FrenchMobileField
from .models import ConsentRecord, Profile
from .registration_proofs import (
    registration_proof_forget,
    registration_proof_keep,
    registration_proof_kept,
    registration_proof_open,
    registration_proof_release,
)

PROOF_ACCEPT = "application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png"


@transaction.atomic
def registration_complete(
    *,
    user,
    community: Community,
    address: str,
    proof_file,
    consent_terms: bool,
    consent_sms: bool,
    latitude: float | None = None,
    longitude: float | None = None,
):
    """Everything but the account itself: the membership request, its proof, the consents.

    Runs in the same transaction as the account's creation: a refused proof or community
    leaves nothing behind. Consents are logged with their time (GDPR art. 7).
    """
    if not consent_terms:
        raise ValidationError(_("Vous devez accepter les conditions d'utilisation."))
    membership = membership_request(
        user=user,
        community=community,
        address=address,
        proof_file=proof_file,
        latitude=latitude,
        longitude=longitude,
    )
    now = timezone.now()
    ConsentRecord.objects.create(
        user=user, kind=ConsentRecord.Kind.TERMS, granted=True, recorded_at=now
    )
    ConsentRecord.objects.create(
        user=user, kind=ConsentRecord.Kind.SMS_ALERTS, granted=consent_sms, recorded_at=now
    )
    Profile.objects.update_or_create(user=user, defaults={"alerts_by_sms": consent_sms})
    return membership


class RegistrationForm(SignupForm):
    """allauth's sign-up form with the commune's communities, an address, a proof, consents.

    The community list is limited to the commune of the site the form is on: an identifier
    of another commune's community is refused like any invalid choice, before anything is
    written.
    """

    first_name = forms.CharField(
        label=_("Prénom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre prénom.")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Nom"),
        max_length=150,
        error_messages={"required": _("Indiquez votre nom.")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    address = forms.CharField(
        label=_("Adresse"),
        max_length=255,
        help_text=_("Numéro et nom de la rue où vous habitez."),
        error_messages={"required": _("Indiquez votre adresse.")},
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    community = forms.ModelChoiceField(
        label=_("Votre communauté (quartier, rue ou hameau)"),
        queryset=Community.objects.none(),
        required=False,
        empty_label=_("Choisissez dans la liste"),
        error_messages={
            "invalid_choice": _("Choisissez une communauté de votre commune dans la liste.")
        },
    )
    latitude = forms.FloatField(
        required=False, min_value=-90, max_value=90, widget=forms.HiddenInput
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, widget=forms.HiddenInput
    )
    proof = forms.FileField(
        label=_("Justificatif de domicile"),
        help_text=_(
            "Facture, quittance ou avis d'imposition récent, en PDF, JPEG ou PNG, 5 Mo au "
            "plus. Seuls les modérateurs de votre commune le voient ; il est supprimé dès "
            "leur décision."
        ),
        error_messages={
            "required": _("Joignez un justificatif de domicile."),
            "empty": _("Le fichier est vide."),
            "invalid": _("Aucun fichier n'a été envoyé. Vérifiez le formulaire."),
        },
        widget=forms.FileInput(attrs={"accept": PROOF_ACCEPT}),
    )
    consent_terms = forms.BooleanField(
        label=_("J'accepte les conditions d'utilisation et la charte du réseau de voisinage."),
        error_messages={
            "required": _("Vous devez accepter les conditions d'utilisation pour vous inscrire.")
        },
    )
    consent_sms = forms.BooleanField(
        label=_("Je souhaite recevoir par SMS les alertes de ma communauté."),
        required=False,
    )

    field_order = [
        "first_name",
        "last_name",
        "email",
        "phone",
        "password1",
        "address",
        "community",
        "latitude",
        "longitude",
        "proof",
        "consent_terms",
        "consent_sms",
    ]

    def __init__(self, *args, commune: Commune | None = None, session=None, **kwargs):
        self.commune = commune
        self.session = session
        super().__init__(*args, **kwargs)
        # The proof sent at an earlier attempt (a mistyped field elsewhere) is kept: the
        # resident chooses a file again only to replace it.
        self.kept_proof = registration_proof_kept(session=session) if session is not None else None
        if self.kept_proof is not None:
            self._proof_kept_show()
        # allauth lists the phone as optional so that staff without one can sign in; a
        # resident needs one for codes and alerts.
        self.fields["phone"] = FrenchMobileField(required=True)
        self._has_phone_field = True
        email = self.fields["email"]
        email.label = _("Adresse e-mail")
        email.widget.attrs.update({"autocomplete": "email", "placeholder": ""})
        password = self.fields["password1"]
        password.label = _("Mot de passe")
        password.help_text = _(
            "12 caractères au moins. Une phrase de quelques mots est facile à retenir et "
            "difficile à deviner."
        )
        password.widget.attrs.update({"autocomplete": "new-password", "placeholder": ""})
        self.fields["community"].label_from_instance = lambda community: community.name
        # In a new tab: reading them must not lose what the form holds (the proof's file).
        self.fields["consent_terms"].help_text = format_html(
            _(
                'À lire : la <a href="{charter}" target="_blank" rel="noopener">charte du '
                'voisin vigilant et solidaire</a> et les <a href="{terms}" target="_blank" '
                'rel="noopener">conditions d\'utilisation</a> (nouvel onglet).'
            ),
            charter=reverse("charter"),
            terms=reverse("terms"),
        )
        if commune is not None:
            self.fields["community"].queryset = commune.communities.order_by("name")
            self.fields["address"].help_text = _(
                "Numéro et nom de la rue où vous habitez, à %(commune)s."
            ) % {"commune": commune.name}
        self._preselect_community_from_point()
        self.order_fields(self.field_order)

    def _preselect_community_from_point(self) -> None:
        """Coordinates given with the page (e.g. from an address search) choose the community."""
        if self.is_bound or self.commune is None:
            return
        try:
            latitude = float(self.initial.get("latitude"))
            longitude = float(self.initial.get("longitude"))
        except (TypeError, ValueError):
            return
        found = community_for_point(commune=self.commune, latitude=latitude, longitude=longitude)
        if found is not None:
            self.initial["community"] = found.pk

    def clean_proof(self):
        """What the file really is (sniffed), not what its name says; 5 MB at most."""
        proof = self.cleaned_data.get("proof")
        if proof is not None:
            proof_file_check(proof)
        return proof

    def full_clean(self):
        super().full_clean()
        proof = self.cleaned_data.get("proof") if self.is_bound else None
        if self._errors and proof is not None and self.session is not None:
            # Another field is wrong: keep the checked proof for the corrected attempt.
            self.kept_proof = registration_proof_keep(session=self.session, uploaded=proof)
            self._proof_kept_show()

    def _proof_kept_show(self) -> None:
        field = self.fields["proof"]
        field.required = False
        # The file input is described by the note that names the kept file.
        field.widget.attrs["aria-describedby"] = "id_proof_kept id_proof_helptext"

    def proof_file(self):
        """The proof to register: the file just chosen, else the one kept from before."""
        if self.cleaned_data.get("proof") is not None:
            return self.cleaned_data["proof"]
        return registration_proof_open(kept=self.kept_proof) if self.kept_proof else None

    def clean(self):
        cleaned = super().clean()
        if self.commune is None:
            raise ValidationError(_("Inscrivez-vous depuis le site de votre commune."))
        if not cleaned.get("community") and "community" not in self.errors:
            latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
            found = None
            if latitude is not None and longitude is not None:
                found = community_for_point(
                    commune=self.commune, latitude=latitude, longitude=longitude
                )
            if found is None:
                self.add_error("community", _("Choisissez votre communauté dans la liste."))
            else:
                cleaned["community"] = found
        return cleaned

    def try_save(self, request):
        """Create the account, or, when the e-mail or phone is taken, pretend to.

        allauth would go on with the phone number too, and text a new number that "an
        account exists". Instead the visitor sees the e-mail verification page like any new
        member, nothing is created, and the work done is a new account's (no answer comes
        sooner, ACCOUNT_PREVENT_ENUMERATION): the password is hashed once, and one message
        goes out — to the owner of a taken address by e-mail (by allauth, below), else to
        the owner of a taken number by SMS — as a new member's code e-mail does.
        """
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))
            email = self.cleaned_data.get("email")
            phone = self.cleaned_data.get("phone")
            if phone and not filter_users_by_email(email):
                get_adapter(request).send_account_already_exists_sms(phone)
            response = flows.signup.prevent_enumeration(request, email=email, phone=None)
            registration_proof_forget(session=request.session)
            return None, response
        return super().try_save(request)

    def save(self, request):
        with transaction.atomic():
            return super().save(request)

    def signup(self, request, user) -> None:
        """Called by allauth once the account exists, in the same transaction."""
        data = self.cleaned_data
        proof_file = self.proof_file()
        try:
            registration_complete(
                user=user,
                community=data["community"],
                address=data["address"],
                proof_file=proof_file,
                consent_terms=data["consent_terms"],
                consent_sms=data["consent_sms"],
                latitude=data.get("latitude"),
                longitude=data.get("longitude"),
            )
        finally:
            if proof_file is not None and data.get("proof") is None:
                proof_file.close()
        # The proof is now the membership's own copy: the kept one goes.
        registration_proof_release(session=request.session)
