"""Forms of the mairie's alert screens in the admin: the broadcast and moderation decisions.

They only offer what the user may choose (their own communes, those communes'
communities); the services decide again on every write.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.absence import ABSENCE_REFUSED, reveals_absence
from communities.models import Community, StaffRole
from communities.selectors import communes_where

from .models import BROADCAST_CATEGORIES
from .moderation import MAX_REASON
from .services import MAX_TEXT

TARGET_COMMUNE = "commune"
TARGET_COMMUNITIES = "communities"


class CommunityCheckboxes(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.commune.name})"


class BroadcastForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Commune"), queryset=None, empty_label=None)
    category = forms.ChoiceField(
        label=_("Catégorie"),
        choices=[(category.value, category.label) for category in BROADCAST_CATEGORIES],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ce qui se passe, où, jusqu'à quand, que faire. Le SMS commence par le nom de la "
            "commune et la catégorie, et finit par la mention STOP."
        ),
    )
    target = forms.ChoiceField(
        label=_("Destinataires"),
        choices=[
            (TARGET_COMMUNE, _("Toute la commune")),
            (TARGET_COMMUNITIES, _("Les communautés cochées ci-dessous")),
        ],
        initial=TARGET_COMMUNE,
        widget=forms.RadioSelect,
    )
    communities = CommunityCheckboxes(
        label=_("Communautés"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    urgent = forms.BooleanField(
        label=_("Urgente"),
        required=False,
        help_text=_(
            "Une alerte urgente part à toute heure. Sinon, les SMS et notifications envoyés "
            "la nuit (20h–8h) ou le dimanche attendent 8h du matin ; l'e-mail part aussitôt."
        ),
    )
    transliterate = forms.BooleanField(
        label=_("Translittérer en GSM-7"),
        required=False,
        initial=True,
        help_text=_(
            "Remplace les caractères qui coûtent cher par SMS (ê, ç, ’, —…) par leurs "
            "équivalents simples : un SMS accentué compte jusqu'à trois fois plus de segments."
        ),
    )

    without_sms = forms.BooleanField(
        label=_("Envoyer sans SMS"),
        required=False,
        help_text=_(
            "Par e-mail et notification seulement : rien n'est décompté du budget SMS de la "
            "commune, mais les membres qui ne participent que par SMS ne la recevront pas."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        communes = communes_where(user=user, role=StaffRole.BROADCASTER).order_by("name")
        self.fields["commune"].queryset = communes
        self.fields["communities"].queryset = (
            Community.objects.filter(commune__in=communes)
            .select_related("commune")
            .order_by("commune__name", "name")
        )
        if len(communes) == 1:
            self.fields["commune"].initial = communes[0].pk

    def clean(self):
        cleaned = super().clean()
        # Refused before the confirmation step too, not only when ``broadcast_post`` runs.
        if reveals_absence(cleaned.get("text") or ""):
            self.add_error("text", ABSENCE_REFUSED)
        commune = cleaned.get("commune")
        communities = list(cleaned.get("communities") or [])
        if cleaned.get("target") == TARGET_COMMUNITIES:
            if not communities and "communities" not in self.errors:
                self.add_error("communities", _("Cochez au moins une communauté."))
            elif commune and any(c.commune_id != commune.pk for c in communities):
                self.add_error(
                    "communities", _("Ces communautés ne sont pas de la commune choisie.")
                )
        else:
            cleaned["communities"] = []
        return cleaned

    def hidden_values(self) -> list[tuple[str, str]]:
        """The cleaned choices as (name, value) pairs, carried by the confirmation step."""
        data = self.cleaned_data
        pairs = [
            ("commune", str(data["commune"].pk)),
            ("category", data["category"]),
            ("text", data["text"]),
            ("target", data["target"]),
        ]
        pairs += [("communities", str(c.pk)) for c in data["communities"]]
        pairs += [
            (name, "on") for name in ("urgent", "transliterate", "without_sms") if data.get(name)
        ]
        return pairs


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif"),
        max_length=MAX_REASON,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Transmis à l'auteur de l'alerte et gardé dans l'historique."),
    )
