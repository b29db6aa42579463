"""Communes (one per Wagtail site), their communities and their staff groups."""

import re

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Metropolitan departments 01–95 (2A/2B for Corsica) or overseas 971–976, then the commune.
INSEE_CODE_RE = re.compile(r"^(?:(?:0[1-9]|[1-8]\d|9[0-5])\d{3}|2[AB]\d{3}|97[1-6]\d{2})$")


def validate_insee_code(value: str) -> None:
    if not INSEE_CODE_RE.match(value or ""):
        raise ValidationError(
            _("« %(value)s » n'est pas un code INSEE de commune valide (5 caractères, ex. 33080)."),
            code="invalid_insee",
            params={"value": value},
        )


validate_sms_sender_name = RegexValidator(
    r"^(?=.*[A-Za-z])[A-Za-z0-9 .\-]{1,11}$",
    _("Le nom d'expéditeur SMS comporte 1 à 11 caractères sans accent, dont au moins une lettre."),
)
validate_hex_colour = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", _("Indiquez une couleur au format #RRGGBB, par exemple #1d4e89.")
)


class ModerationPolicy(models.TextChoices):
    POST = "post", _("Post-modération : publication immédiate, relecture ensuite")
    PRE = "pre", _("Pré-modération : publication après validation")


class StaffRole(models.TextChoices):
    """A mairie staff member's role in their commune, held through that commune's group."""

    ADMINISTRATOR = "administrator", _("Administrateur de la mairie")
    EDITOR = "editor", _("Rédacteur")
    MODERATOR = "moderator", _("Modérateur")
    BROADCASTER = "broadcaster", _("Diffuseur d'alertes")
    POLICE = "police", _("Police municipale")


class Commune(models.Model):
    site = models.OneToOneField(
        "wagtailcore.Site", on_delete=models.PROTECT, related_name="commune", verbose_name=_("site")
    )
    name = models.CharField(_("nom"), max_length=120)
    insee_code = models.CharField(
        _("code INSEE"), max_length=5, unique=True, validators=[validate_insee_code]
    )
    moderation_policy = models.CharField(
        _("politique de modération"),
        max_length=8,
        choices=ModerationPolicy.choices,
        default=ModerationPolicy.POST,
    )
    sms_sender_name = models.CharField(
        _("nom d'expéditeur SMS"),
        max_length=11,
        validators=[validate_sms_sender_name],
        help_text=_("Affiché comme expéditeur des SMS d'alerte (11 caractères au plus)."),
    )
    collection = models.OneToOneField(
        "wagtailcore.Collection",
        on_delete=models.PROTECT,
        related_name="commune",
        verbose_name=_("collection de médias"),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
    )
    primary_colour = models.CharField(
        _("couleur principale"),
        max_length=7,
        default="#1d4e89",
        validators=[validate_hex_colour],
        help_text=_(
            "Couleur des bandeaux et des boutons ; choisissez-la assez foncée pour un texte blanc."
        ),
    )
    address = models.TextField(_("adresse de la mairie"), blank=True)
    phone = models.CharField(_("téléphone de la mairie"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail de la mairie"), blank=True)
    opening_hours = models.TextField(_("horaires d'ouverture"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Community(models.Model):
    class Kind(models.TextChoices):
        QUARTIER = "quartier", _("Quartier")
        RUE = "rue", _("Rue")
        RESIDENCE = "residence", _("Résidence")
        HAMEAU = "hameau", _("Hameau")

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="communities", verbose_name=_("commune")
    )
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant"), max_length=120)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUARTIER)
    description = models.TextField(_("description"), blank=True)
    boundary = models.JSONField(
        _("périmètre (GeoJSON)"),
        null=True,
        blank=True,
        help_text=_("Polygone GeoJSON facultatif, pour proposer la communauté d'après l'adresse."),
    )

    class Meta:
        verbose_name = _("communauté")
        verbose_name_plural = _("communautés")
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "slug"], name="community_slug_per_commune"),
            models.UniqueConstraint(fields=["commune", "name"], name="community_name_per_commune"),
        ]

    def __str__(self):
        return f"{self.name} ({self.commune.name})"


class CommuneGroup(models.Model):
    """Links a Django group to a commune and a role: group membership is the role."""

    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="staff_groups")
    role = models.CharField(max_length=16, choices=StaffRole.choices)
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="commune_role")

    class Meta:
        verbose_name = _("groupe de la mairie")
        verbose_name_plural = _("groupes de la mairie")
        constraints = [
            models.UniqueConstraint(fields=["commune", "role"], name="one_group_per_commune_role"),
        ]

    def __str__(self):
        return f"{self.commune.name} — {self.get_role_display()}"
