"""Communes (one per Wagtail site), their communities and their staff groups."""

import re
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import storages
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models.audit_log import BaseLogEntry, BaseLogEntryManager

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


class CommuneQuerySet(models.QuerySet):
    def granting(self, *, user, permissions: Iterable[str]) -> "CommuneQuerySet":
        """Communes in which ``user`` holds any of ``permissions`` ("app_label.codename").

        Protects tenancy: a permission held through Cadaujac's group never reaches
        Didenheim's records, and a permission held outside any commune group reaches no
        commune at all. Superusers, the platform team, get every commune.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        granted = Commune.objects.none()
        for permission in permissions:
            app_label, codename = permission.split(".", 1)
            granted |= Commune.objects.filter(
                staff_groups__group__user=user,
                staff_groups__group__permissions__content_type__app_label=app_label,
                staff_groups__group__permissions__codename=codename,
            )
        return self.filter(pk__in=granted.values("pk"))


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
    gazette_moderation_policy = models.CharField(
        _("modération de la gazette"),
        max_length=8,
        choices=ModerationPolicy.choices,
        default=ModerationPolicy.POST,
        help_text=_(
            "Pré-modération : les publications des habitants attendent la validation d'un "
            "modérateur de la mairie. Post-modération : elles paraissent aussitôt."
        ),
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
    charter = RichTextField(
        _("charte du voisin vigilant et solidaire"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
        help_text=_(
            "Vide : la charte proposée par Voisinage. Toute modification est présentée aux "
            "membres, qui l'acceptent de nouveau à leur prochaine visite."
        ),
    )
    charter_changed_at = models.DateTimeField(
        _("charte modifiée le"), null=True, blank=True, editable=False
    )
    sms_budget = models.DecimalField(
        _("budget SMS mensuel (€ HT)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
        help_text=_(
            "Fixé par l'équipe de la plateforme. Au-delà, les diffusions non urgentes de la "
            "mairie partent sans SMS ; les alertes des habitants, les alertes urgentes et les "
            "rectificatifs partent toujours. Vide : pas de budget."
        ),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class SmsBudgetWarning(models.Model):
    """The mairie's administrators were told that the month's SMS spend reached
    ``threshold`` % of the budget: written once per commune, month and threshold, so that
    a later check does not tell them again."""

    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="sms_budget_warnings"
    )
    month = models.DateField(_("mois"))
    threshold = models.PositiveSmallIntegerField(_("seuil (%)"))
    created_at = models.DateTimeField(_("prévenus le"), auto_now_add=True)

    class Meta:
        verbose_name = _("avertissement de budget SMS")
        verbose_name_plural = _("avertissements de budget SMS")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "month", "threshold"], name="sms_budget_warning_once"
            ),
        ]

    def __str__(self):
        return f"{self.commune_id} · {self.month:%Y-%m} · {self.threshold} %"


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


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("En attente de validation")
    VERIFIED = "verified", _("Vérifiée")
    REJECTED = "rejected", _("Refusée")
    EXPIRED = "expired", _("Expirée")
    LEFT = "left", _("Quittée")


class CommunityRole(models.TextChoices):
    RESIDENT = "resident", _("Habitant")
    REFERENT = "referent", _("Référent")


ACTIVE_MEMBERSHIP_STATUSES = [MembershipStatus.PENDING, MembershipStatus.VERIFIED]


class Membership(models.Model):
    """A resident's request to join, then membership of, the community they live in.

    A member has at most one active (pending or verified) membership. The decision on a
    request — who, when, outcome, reason — is kept after the proof of address is deleted.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("membre"),
    )
    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("communauté"),
    )
    status = models.CharField(
        _("statut"),
        max_length=10,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    role = models.CharField(
        _("rôle"), max_length=10, choices=CommunityRole.choices, default=CommunityRole.RESIDENT
    )
    address = models.CharField(_("adresse"), max_length=255)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    sponsor = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_memberships",
        verbose_name=_("inscrit par"),
    )
    sms_confirmed_at = models.DateTimeField(
        _("accord par SMS le"),
        null=True,
        blank=True,
        help_text=_("Pour un voisin inscrit par un autre : sa réponse OUI."),
    )
    requested_at = models.DateTimeField(_("demandée le"), auto_now_add=True)
    waiting_notified_at = models.DateTimeField(
        _("modérateurs prévenus le"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Quand les modérateurs et référents ont été prévenus de cette demande."),
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decision_reason = models.TextField(_("motif de la décision"), blank=True)
    left_at = models.DateTimeField(
        _("quittée le"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("Départ du membre, ou son passage à une autre communauté."),
    )

    class Meta:
        verbose_name = _("adhésion")
        verbose_name_plural = _("adhésions")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["pending", "verified"]),
                name="one_active_membership_per_user",
            ),
        ]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self):
        return f"{self.user} — {self.community} ({self.get_status_display()})"

    @property
    def commune(self) -> Commune:
        return self.community.commune


# The extension a stored proof gets from its sniffed type (the only types accepted).
PROOF_EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def _proof_upload_to(instance, filename):
    # A random name, and an extension from the sniffed type: the uploaded name may carry
    # personal data, and its extension (".html") is whatever the sender wanted.
    return f"proofs/{secrets.token_hex(16)}{PROOF_EXTENSIONS.get(instance.content_type, '.bin')}"


def _private_storage():
    return storages["private"]


class ProofOfAddress(models.Model):
    """The proof of address attached to a pending membership.

    Stored outside MEDIA_ROOT, served only through a permission-checked view, and deleted
    (file and row) as soon as the request is decided or expires (CNIL SAN-2020-008).
    """

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="proof", verbose_name=_("adhésion")
    )
    file = models.FileField(
        _("justificatif"), storage=_private_storage, upload_to=_proof_upload_to, max_length=200
    )
    content_type = models.CharField(_("type de fichier"), max_length=40)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("justificatif de domicile")
        verbose_name_plural = _("justificatifs de domicile")

    def __str__(self):
        return f"{self.membership}"


class CommuneLogEntryManager(BaseLogEntryManager):
    def log_action(self, instance, action, **kwargs):
        commune_id = instance.pk if isinstance(instance, Commune) else instance.commune_id
        kwargs.update(object_id=str(instance.pk), commune_id=commune_id)
        return super().log_action(instance, action, **kwargs)

    def for_instance(self, instance):
        return self.filter(
            content_type=ContentType.objects.get_for_model(instance, for_concrete_model=False),
            object_id=str(instance.pk),
        )

    def viewable_by_user(self, user):
        """Entries about the communes where ``user`` holds a permission on the logged model.

        Wagtail's generic log shows every entry of a model to anyone holding one of its
        permissions; here Cadaujac's staff never read Didenheim's history.
        """
        if user.is_superuser:
            return self.all()
        visible = models.Q(pk__in=[])
        for model in (Commune, Community):
            opts = model._meta
            communes = Commune.objects.granting(
                user=user,
                permissions=[
                    f"{opts.app_label}.{action}_{opts.model_name}"
                    for action in ("add", "change", "delete", "view")
                ],
            )
            visible |= models.Q(
                content_type=ContentType.objects.get_for_model(model), commune__in=communes
            )
        return self.filter(visible)


class CommuneLogEntry(BaseLogEntry):
    """Admin history of a commune's settings and communities, kept within the commune."""

    object_id = models.CharField(max_length=255, db_index=True)
    commune = models.ForeignKey(
        Commune, on_delete=models.CASCADE, related_name="log_entries", verbose_name=_("commune")
    )

    objects = CommuneLogEntryManager()

    class Meta(BaseLogEntry.Meta):
        ordering = ["-timestamp", "-id"]
        verbose_name = _("entrée du journal de la commune")
        verbose_name_plural = _("entrées du journal de la commune")

    def __str__(self):
        return f"{self.action} — {self.label}"
