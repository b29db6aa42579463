"""The platform's user: a resident, a mairie staff member or the platform team.

A member is identified by an e-mail address, a French mobile number (E.164), or both.
Members who take part by SMS alone have no e-mail and no usable password.
"""

import secrets

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.files.storage import storages
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting
from wagtail.fields import RichTextField

from .absence import absence_dates_refuse


def normalize_email(email: str | None) -> str | None:
    """E-mail addresses are compared case-insensitively; empty means none (stored as NULL)."""
    email = (email or "").strip()
    return email.lower() or None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, *, email=None, phone=None, password=None, **fields):
        if not email and not phone:
            raise ValueError("A user needs an e-mail address or a phone number.")
        user = self.model(email=normalize_email(email), phone=phone or None, **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email=None, password=None, **fields):
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email=email, password=password, **fields)

    def create_superuser(self, email, password, **fields):
        fields["is_staff"] = True
        fields["is_superuser"] = True
        return self._create_user(email=email, password=password, **fields)

    def get_by_natural_key(self, username):
        return self.get(email=normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        FRENCH = "fr", _("Français")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("adresse e-mail"), unique=True, null=True, blank=True)
    phone = PhoneNumberField(
        _("téléphone mobile"),
        unique=True,
        null=True,
        blank=True,
        help_text=_("Numéro mobile français, enregistré au format international (+33…)."),
    )
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    language = models.CharField(
        _("langue"), max_length=5, choices=Language.choices, default=Language.FRENCH
    )
    email_verified_at = models.DateTimeField(_("e-mail vérifié le"), null=True, blank=True)
    phone_verified_at = models.DateTimeField(_("téléphone vérifié le"), null=True, blank=True)
    # Set when the e-mail provider reports a hard bounce, a refusal or a spam complaint:
    # nothing more is e-mailed there until the member changes or re-verifies the address.
    email_undeliverable_at = models.DateTimeField(
        _("e-mail non distribuable depuis le"), null=True, blank=True
    )
    email_undeliverable_reason = models.CharField(
        _("motif du non-distribuable"), max_length=200, blank=True
    )
    # Activity of members who never sign in (SMS only): any text they send the relay number.
    last_inbound_sms_at = models.DateTimeField(
        _("dernier SMS reçu de ce membre"), null=True, blank=True
    )
    # CNIL: warned once before an inactive account is deleted; cleared by any activity.
    inactivity_warned_at = models.DateTimeField(
        _("prévenu de la suppression pour inactivité le"), null=True, blank=True
    )
    is_staff = models.BooleanField(
        _("accès à l'administration"),
        default=False,
        help_text=_("Peut se connecter à l'administration Wagtail."),
    )
    is_active = models.BooleanField(_("actif"), default=True)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(email__isnull=False) | Q(phone__isnull=False),
                name="user_has_email_or_phone",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email or str(self.phone)

    def clean(self):
        super().clean()
        self.email = normalize_email(self.email)
        if not self.phone:
            self.phone = None

    def save(self, *args, **kwargs):
        self.email = normalize_email(self.email)
        if not self.phone:
            self.phone = None
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def is_sms_only(self) -> bool:
        """Takes part by SMS alone: no e-mail address and no password to sign in with."""
        return self.email is None and not self.has_usable_password()


class Visibility(models.TextChoices):
    """Who may see a profile field. Ordered from most to least open."""

    NEIGHBOURS = "neighbours", _("Mes voisins et la mairie")
    MAIRIE = "mairie", _("La mairie seulement")
    NOBODY = "nobody", _("Personne")


def _photo_upload_to(instance, filename):
    return f"photos/{secrets.token_hex(16)}.jpg"


def _private_storage():
    return storages["private"]


class Profile(models.Model):
    """What a member shows of themselves, to whom, and how they want to be told of things.

    Defaults protect privacy: neighbours see the name and interests only until the member
    chooses otherwise. The name is always shown to verified neighbours: no anonymity.
    """

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="profile")
    photo = models.ImageField(
        _("photo"),
        storage=_private_storage,
        upload_to=_photo_upload_to,
        blank=True,
        max_length=200,
    )
    interests = models.CharField(
        _("centres d'intérêt et savoir-faire"),
        max_length=300,
        blank=True,
        help_text=_("Par exemple : jardinage, bricolage, je peux prêter une échelle."),
    )
    bio = models.TextField(_("présentation"), max_length=600, blank=True)

    photo_visibility = models.CharField(
        _("qui voit ma photo"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MAIRIE,
    )
    address_visibility = models.CharField(
        _("qui voit mon adresse"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MAIRIE,
    )
    phone_visibility = models.CharField(
        _("qui voit mon téléphone"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MAIRIE,
    )
    email_visibility = models.CharField(
        _("qui voit mon e-mail"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MAIRIE,
    )
    interests_visibility = models.CharField(
        _("qui voit mes centres d'intérêt"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.NEIGHBOURS,
    )
    bio_visibility = models.CharField(
        _("qui voit ma présentation"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.MAIRIE,
    )

    alerts_by_sms = models.BooleanField(_("alertes par SMS"), default=True)
    alerts_by_email = models.BooleanField(_("alertes par e-mail"), default=True)
    alerts_by_push = models.BooleanField(_("alertes par notification"), default=True)
    news_by_email = models.BooleanField(_("autres nouvelles par e-mail"), default=True)
    news_by_push = models.BooleanField(_("autres nouvelles par notification"), default=False)
    # The Monday of the last week whose gazette digest was sent: the weekly task claims the
    # week here first, so that a second run (or a second worker) sends nothing.
    news_digest_week = models.DateField(
        _("semaine du dernier résumé de la gazette"), null=True, blank=True, editable=False
    )
    sms_opted_out_at = models.DateTimeField(
        _("SMS refusés (STOP) le"),
        null=True,
        blank=True,
        help_text=_("Après un STOP, plus aucun SMS n'est envoyé jusqu'à un START."),
    )

    class Meta:
        verbose_name = _("profil")
        verbose_name_plural = _("profils")

    def __str__(self):
        return str(self.user)

    def clean(self):
        # Neighbours read these texts: they must not say when the member's home is empty.
        super().clean()
        absence_dates_refuse(self.interests, field="interests")
        absence_dates_refuse(self.bio, field="bio")


class ConsentRecord(models.Model):
    """Every consent given or withdrawn, with its time (GDPR art. 7: proof of consent)."""

    class Kind(models.TextChoices):
        TERMS = "terms", _("Conditions d'utilisation et charte")
        SMS_ALERTS = "sms_alerts", _("Alertes par SMS")
        EMAIL_NEWS = "email_news", _("Nouvelles par e-mail")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("consentement"), max_length=20, choices=Kind.choices)
    granted = models.BooleanField(_("donné"))
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    class Meta:
        verbose_name = _("consentement")
        verbose_name_plural = _("consentements")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.user} — {self.get_kind_display()} : {self.granted}"


@register_setting(icon="doc-full")
class TermsOfUse(BaseGenericSetting):
    """The platform's *Conditions d'utilisation*, one text for every commune.

    Edited by the platform team only (*Paramètres → Conditions d'utilisation*); empty, the
    text Voisinage ships (``templates/account/terms_default.html``) applies. A change of the
    text is a new version, which members accept again at their next visit
    (``accounts.terms``).
    """

    body = RichTextField(
        _("texte"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"],
        help_text=_(
            "Vide : les conditions proposées par Voisinage. Toute modification est présentée "
            "aux membres, qui les acceptent de nouveau à leur prochaine visite."
        ),
    )
    changed_at = models.DateTimeField(_("modifiées le"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("conditions d'utilisation")
        verbose_name_plural = _("conditions d'utilisation")

    def save(self, *args, **kwargs):
        previous = type(self).objects.filter(pk=self.pk).values_list("body", flat=True).first()
        if (previous or "") != (self.body or ""):  # a new empty row changes nothing
            self.changed_at = timezone.now()
        super().save(*args, **kwargs)
