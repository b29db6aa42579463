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
