from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.settings_forms import AccessibleFormMixin


class ApproveForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Note (facultative)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Gardée avec la décision ; non envoyée au demandeur."),
    )


class RejectForm(AccessibleFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Envoyé au demandeur par e-mail et SMS, et gardé avec la décision."),
        error_messages={"required": _("Indiquez le motif du refus.")},
    )


class ModerationNoteForm(forms.Form):
    """Admin forms: Wagtail's ``formattedfield`` ties help texts and errors to the input."""

    note = forms.CharField(
        label=_("Note du modérateur"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Obligatoire. Gardée avec la décision ; pour masquer, avertir ou suspendre, "
            "elle est aussi envoyée à l'auteur."
        ),
        error_messages={"required": _("Écrivez une note : elle est gardée avec la décision.")},
    )


class SuspensionForm(ModerationNoteForm):
    days = forms.IntegerField(
        label=_("Durée de la suspension (jours)"),
        min_value=1,
        max_value=365,
        initial=7,
        help_text=_("De 1 à 365 jours ; la suspension prend fin d'elle-même."),
        error_messages={
            "required": _("Indiquez une durée en jours."),
            "invalid": _("Indiquez une durée en jours (un nombre entier)."),
            "min_value": _("Choisissez une durée de 1 à 365 jours."),
            "max_value": _("Choisissez une durée de 1 à 365 jours."),
        },
    )
