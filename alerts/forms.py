"""Forms of the alert pages. They only shape input: every rule lives in ``alerts.services``.

The resident's form has no community field on purpose: ``alert_post`` posts to the
author's own community, whatever a crafted request carries.
"""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from moderation.reportables import MAX_REASON as MAX_REPORT_REASON

from .models import RESIDENT_CATEGORIES, AlertCategory
from .services import MAX_TEXT

# One plain sentence under each category, so that nobody has to guess which one fits.
CATEGORY_HINTS = {
    AlertCategory.SCOUTING: _(
        "Quelqu'un observe les maisons, prend des photos, repasse plusieurs fois au pas."
    ),
    AlertCategory.CANVASSER: _(
        "Une personne sonne aux portes : faux agent, faux technicien, vente insistante."
    ),
    AlertCategory.BURGLARY: _("Porte ou fenêtre forcée, bruit suspect dans une maison vide."),
    AlertCategory.OPEN_HOME: _(
        "Un voisin est absent et une fenêtre, une porte ou un portail est resté ouvert."
    ),
    AlertCategory.ELDERLY: _("Un voisin âgé ne répond plus, ses volets restent fermés."),
    AlertCategory.LOST_ANIMAL: _("Un chien, un chat… perdu ou trouvé dans le quartier."),
    AlertCategory.OTHER: _("Un autre fait qui touche à la sécurité du quartier."),
}

TEXT_HELP = _(
    "Décrivez des faits : ce qui se passe, où, à quelle heure, dans quelle direction. "
    "Ne décrivez ni l'apparence ni l'origine supposée d'une personne."
)
TEXT_PLACEHOLDER = _(
    "Ex. : Camionnette blanche qui roule au pas rue des Écoles depuis 14 h ; le conducteur "
    "photographie les entrées des maisons."
)


class AlertForm(forms.Form):
    category = forms.ChoiceField(
        label=_("De quoi s'agit-il ?"),
        choices=[(category.value, category.label) for category in RESIDENT_CATEGORIES],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez une catégorie."),
            "invalid_choice": _("Choisissez une catégorie de la liste."),
        },
    )
    # Not required here: ``alert_post`` checks the text (empty, blank, too long) and its
    # message is the one shown, whichever entry point the text came from.
    text = forms.CharField(
        label=_("Que se passe-t-il ?"),
        required=False,
        strip=False,
        help_text=TEXT_HELP,
        widget=forms.Textarea(
            attrs={"rows": 5, "placeholder": TEXT_PLACEHOLDER, "data-sms-counter-source": ""}
        ),
    )
    identifying_details = forms.CharField(
        label=_("Éléments d'identification (plaque, nom…) — facultatif"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={
            "max_length": _("Ces éléments dépassent %(limit_value)d caractères."),
        },
    )

    max_text = MAX_TEXT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifying_details"].help_text = _(
            "Seules la mairie et la police municipale reçoivent ces éléments ; vos voisins "
            "reçoivent la description sans eux. Ils sont effacés au bout de %(days)d jours."
        ) % {"days": settings.ALERT_DETAILS_RETENTION_DAYS}

    def category_choices(self):
        """The radio buttons with their one-line hint, for the template."""
        for radio in self["category"]:
            yield radio, CATEGORY_HINTS.get(radio.data["value"], "")


class FollowUpForm(forms.Form):
    text = forms.CharField(
        label=_("Suivi"),
        required=False,
        strip=False,
        help_text=_("Ce qui a changé : le véhicule est reparti, la police est passée…"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    text = forms.CharField(
        label=_("Message de fin d'alerte"),
        required=False,
        strip=False,
        help_text=_("Une phrase suffit : « le chat est retrouvé », « le véhicule est reparti »."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous cette alerte ?"),
        required=False,
        strip=False,
        help_text=_("Par exemple : elle vise une personne pour son apparence, elle est fausse."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REPORT_REASON}),
    )


POLICE_FILTERS = {"a-prendre": _("Non prises en charge")}
