"""Front-end forms of the gazette: they collect input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from moderation.reportables import MAX_REASON

from .models import MAX_BODY, MAX_PHOTOS
from .services.comments import MAX_COMMENT
from .services.photos import MAX_ALT, PhotoUpload
from .services.posts import MAX_TITLE, Audience, expiry_of_day

PHOTO_ACCEPT = "image/jpeg,image/png,image/webp,image/gif"


class PostForm(forms.Form):
    category = forms.ChoiceField(label=_("Catégorie"), choices=())
    title = forms.CharField(
        label=_("Titre"),
        max_length=MAX_TITLE,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_TITLE, "autocomplete": "off"}),
    )
    body = forms.CharField(
        label=_("Texte"),
        required=False,
        strip=False,
        help_text=_(
            "Les liens sont cliquables. N'indiquez jamais quand votre logement sera inoccupé."
        ),
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": MAX_BODY}),
    )
    audience = forms.ChoiceField(label=_("Qui peut lire ?"), choices=(), widget=forms.RadioSelect)
    expires_on = forms.DateField(
        label=_("Retirer automatiquement le"),
        required=False,
        help_text=_("Facultatif. Les petites annonces sont retirées au bout de 30 jours."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, categories, community=None, existing_photos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", _("Choisissez…")), *categories]
        audiences = []
        if community is not None:
            audiences.append(
                (Audience.COMMUNITY, _("Ma communauté : %(name)s") % {"name": community.name})
            )
        audiences.append((Audience.COMMUNE, _("Toute la commune")))
        self.fields["audience"].choices = audiences
        self.fields["audience"].initial = audiences[0][0]
        self.existing_photos = list(existing_photos)
        if self.existing_photos:
            self.fields["remove_photos"] = forms.MultipleChoiceField(
                label=_("Retirer des photos"),
                required=False,
                choices=[
                    (str(p.pk), p.alt_text or _("Photo %(n)d") % {"n": i + 1})
                    for i, p in enumerate(self.existing_photos)
                ],
                widget=forms.CheckboxSelectMultiple,
            )
        for n in range(1, MAX_PHOTOS + 1):
            self.fields[f"photo_{n}"] = forms.FileField(
                label=_("Photo %(n)d") % {"n": n},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": PHOTO_ACCEPT}),
            )
            self.fields[f"alt_{n}"] = forms.CharField(
                label=_("Description de la photo %(n)d") % {"n": n},
                required=False,
                max_length=MAX_ALT,
                help_text=_("Ce que montre la photo, pour les personnes qui ne la voient pas."),
            )

    def photo_rows(self):
        return [(self[f"photo_{n}"], self[f"alt_{n}"]) for n in range(1, MAX_PHOTOS + 1)]

    def photos(self) -> list[PhotoUpload]:
        return [
            PhotoUpload(
                file=self.cleaned_data[f"photo_{n}"], alt_text=self.cleaned_data[f"alt_{n}"]
            )
            for n in range(1, MAX_PHOTOS + 1)
            if self.cleaned_data.get(f"photo_{n}")
        ]

    def expires_at(self):
        return expiry_of_day(self.cleaned_data.get("expires_on"))


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Votre commentaire"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_COMMENT}),
    )


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("Pourquoi signalez-vous ce contenu ?"),
        required=False,
        strip=False,
        help_text=_("Par exemple : propos blessants, arnaque, information fausse."),
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": MAX_REASON}),
    )
