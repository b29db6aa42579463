"""Forms of the messaging pages; the services decide again on every write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.reportables import MAX_REASON

from .models import MAX_SUBJECT, MAX_TEXT


class MessageForm(forms.Form):
    text = forms.CharField(
        label=_("Votre message"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
        help_text=_("2 000 caractères au plus."),
        error_messages={"required": _("Écrivez votre message avant de l'envoyer.")},
    )


class RecipientChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class ConversationForm(forms.Form):
    recipients = RecipientChoices(
        label=_("Destinataires"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choisissez au moins un voisin."),
            "invalid_choice": _(
                "Vous ne pouvez écrire qu'aux membres vérifiés de votre communauté qui "
                "utilisent le site."
            ),
            "invalid_pk_value": _("Choix de destinataire invalide."),
        },
    )
    subject = forms.CharField(label=_("Objet (facultatif)"), max_length=MAX_SUBJECT, required=False)
    text = MessageForm.base_fields["text"]

    def __init__(self, *args, pickable, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipients"].queryset = pickable.order_by("last_name", "first_name", "pk")


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous ce message ?"),
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Seul ce message est montré aux modérateurs de la mairie, jamais le reste de la "
            "conversation."
        ),
        error_messages={"required": _("Dites en quelques mots ce qui pose problème.")},
    )
