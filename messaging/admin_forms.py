"""The mairie's targeted-message form: it offers only the user's own communes' people."""

from django import forms
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from communities.models import Community, Membership, MembershipStatus

from .models import MAX_SUBJECT, MAX_TEXT, OfficialTarget
from .permissions import official_communes


class CommunityCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


class MemberChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} — {obj.community_name}"


class OfficialMessageForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=None, empty_label=None)
    target = forms.ChoiceField(
        label=_("Destinataires"),
        choices=OfficialTarget.choices,
        initial=OfficialTarget.COMMUNE,
        widget=forms.RadioSelect,
    )
    communities = CommunityCheckboxes(
        label=_("Communautés"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Si vous écrivez à des communautés."),
    )
    members = MemberChoices(
        label=_("Membres"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_(
            "Si vous écrivez à des membres choisis : maintenez Ctrl (ou Cmd) pour en choisir "
            "plusieurs."
        ),
    )
    subject = forms.CharField(label=_("Objet"), max_length=MAX_SUBJECT, required=False)
    text = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "Les habitants le lisent dans leurs messages, comme message officiel de la mairie, "
            "et en sont prévenus par e-mail ou notification selon leurs réglages. Ceux qui "
            "participent par SMS seulement le reçoivent par SMS (entre 8h et 20h, sauf le "
            "dimanche), sauf s'ils ont répondu STOP."
        ),
    )
    replies_allowed = forms.BooleanField(
        label=_("Les habitants peuvent répondre"),
        required=False,
        initial=True,
        help_text=_(
            "Chaque réponse n'est lue que par la mairie : les destinataires ne voient pas les "
            "réponses des autres."
        ),
    )

    without_sms = forms.BooleanField(
        label=_("Envoyer sans SMS"),
        required=False,
        help_text=_(
            "Rien n'est décompté du budget SMS de la commune, mais les membres qui ne "
            "participent que par SMS ne recevront pas le message."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communes = official_communes(user=user).order_by("name")
        self.fields["commune"].queryset = communes
        self.fields["communities"].queryset = (
            Community.objects.filter(commune__in=communes)
            .select_related("commune")
            .order_by("commune__name", "name")
        )
        verified = Membership.objects.filter(
            community__commune__in=communes, status=MembershipStatus.VERIFIED
        )
        self.fields["members"].queryset = (
            User.objects.filter(pk__in=verified.values("user"), is_active=True)
            .annotate(
                community_name=Subquery(
                    verified.filter(user=OuterRef("pk")).values("community__name")[:1]
                )
            )
            .order_by("last_name", "first_name", "pk")
        )
        if len(communes) == 1:
            self.fields["commune"].initial = communes[0].pk

    def clean(self):
        cleaned = super().clean()
        commune = cleaned.get("commune")
        target = cleaned.get("target")
        communities = list(cleaned.get("communities") or [])
        members = list(cleaned.get("members") or [])
        if target == OfficialTarget.COMMUNITIES:
            if not communities and "communities" not in self.errors:
                self.add_error("communities", _("Cochez au moins une communauté."))
            elif commune and any(c.commune_id != commune.pk for c in communities):
                self.add_error(
                    "communities", _("Ces communautés ne sont pas de la commune choisie.")
                )
        else:
            cleaned["communities"] = []
        if target == OfficialTarget.MEMBERS:
            if not members and "members" not in self.errors:
                self.add_error("members", _("Choisissez au moins un membre."))
        else:
            cleaned["members"] = []
        return cleaned
