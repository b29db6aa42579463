"""Alerts, their history and the messages sent about them.

Each message is an outbox message (``notifications.OutboxMessage``): its deliveries, one
per recipient and channel, are the outbox's (``notifications.Delivery``).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.audience import audience_q, targets_of, viewer_scope
from communities.models import StaffRole
from notifications.models import OutboxMessage

# The outbox's name for alert messages (``OutboxMessage.purpose``): its source is
# registered in ``AlertsConfig.ready`` (``alerts.outbox``).
ALERT_PURPOSE = "alert"

# The commune's staff who receive every alert, identifying details included, and see every
# alert of their commune whatever its moderation status.
ALERT_STAFF_ROLES = [
    StaffRole.ADMINISTRATOR,
    StaffRole.MODERATOR,
    StaffRole.BROADCASTER,
    StaffRole.POLICE,
]


class AlertCategory(models.TextChoices):
    # Residents' alerts
    SCOUTING = "scouting", _("Véhicule ou individu en repérage")
    CANVASSER = "canvasser", _("Démarcheur suspect")
    BURGLARY = "burglary", _("Tentative de cambriolage")
    OPEN_HOME = "open_home", _("Fenêtre ou porte ouverte chez un absent")
    ELDERLY = "elderly", _("Personne âgée sans nouvelles")
    LOST_ANIMAL = "lost_animal", _("Animal perdu")
    OTHER = "other", _("Autre")
    # The mairie's broadcasts
    WEATHER = "weather", _("Météo")
    ROADWORKS = "roadworks", _("Voirie")
    EXCEPTIONAL_EVENT = "exceptional_event", _("Événement exceptionnel")
    STRIKE = "strike", _("Grève")
    SAFEGUARD_PLAN = "safeguard_plan", _("Plan communal de sauvegarde")
    OTHER_RISK = "other_risk", _("Autre risque")


RESIDENT_CATEGORIES = [
    AlertCategory.SCOUTING,
    AlertCategory.CANVASSER,
    AlertCategory.BURGLARY,
    AlertCategory.OPEN_HOME,
    AlertCategory.ELDERLY,
    AlertCategory.LOST_ANIMAL,
    AlertCategory.OTHER,
]
BROADCAST_CATEGORIES = [
    AlertCategory.WEATHER,
    AlertCategory.ROADWORKS,
    AlertCategory.EXCEPTIONAL_EVENT,
    AlertCategory.STRIKE,
    AlertCategory.SAFEGUARD_PLAN,
    AlertCategory.OTHER_RISK,
]


class AlertSource(models.TextChoices):
    WEB = "web", _("Site")
    SMS = "sms", _("SMS")
    API = "api", _("Application")
    ADMIN = "admin", _("Mairie")


class ModerationStatus(models.TextChoices):
    TO_REVIEW = "to_review", _("Diffusée, à relire")
    HELD = "held", _("Retenue, en attente de validation")
    APPROVED = "approved", _("Validée")
    REJECTED = "rejected", _("Refusée")
    RETRACTED = "retracted", _("Retirée après diffusion")


# What members see: dispatched alerts, whether or not a moderator has read them yet.
PUBLISHED_STATUSES = ["to_review", "approved"]
# Alerts the moderation took back: nothing more of them may leave, nor be acted on.
WITHDRAWN_STATUSES = ["rejected", "retracted"]


class AlertQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one visibility rule for alerts, on every read path.

        The commune's alert staff (administrator, moderator, broadcaster, police) see every
        alert of their commune; a verified member sees the published alerts of their
        community and the mairie's broadcasts aimed at it (or at the whole commune); an
        author always sees their own. Nobody else sees anything.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = viewer_scope(user=user, staff_roles=ALERT_STAFF_ROLES)
        targets = targets_of(Alert.communities.through, fk="alert_id")
        published = Q(moderation_status__in=PUBLISHED_STATUSES)
        return self.filter(
            Q(commune__in=scope.staff_communes)
            | Q(author=user)
            | (published & audience_q(scope=scope, targets=targets, community_field="community"))
        )

    def active(self, *, now=None):
        """Alerts still running: not closed, not expired, not withdrawn."""
        now = now or timezone.now()
        return self.filter(closed_at=None, expires_at__gt=now).exclude(
            moderation_status__in=WITHDRAWN_STATUSES
        )

    def ended(self, *, now=None):
        """Alerts that ended: closed, expired or withdrawn (everything ``active`` leaves out)."""
        now = now or timezone.now()
        return self.filter(
            Q(closed_at__isnull=False)
            | Q(expires_at__lte=now)
            | Q(moderation_status__in=WITHDRAWN_STATUSES)
        )


class Alert(models.Model):
    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("commune"),
    )
    community = models.ForeignKey(
        "communities.Community",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("communauté"),
        help_text=_("Vide pour une alerte de la mairie à plusieurs communautés ou à toutes."),
    )
    communities = models.ManyToManyField(
        "communities.Community",
        blank=True,
        related_name="broadcasts",
        verbose_name=_("communautés visées"),
        help_text=_("Pour une alerte de la mairie : aucune cochée = toute la commune."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("auteur"),
    )
    source = models.CharField(_("origine"), max_length=8, choices=AlertSource.choices)
    category = models.CharField(_("catégorie"), max_length=20, choices=AlertCategory.choices)
    text = models.TextField(_("description"), max_length=640)
    identifying_details = models.TextField(
        _("éléments d'identification"),
        max_length=300,
        blank=True,
        help_text=_("Plaque, nom… Transmis seulement à la mairie et à la police municipale."),
    )
    urgent = models.BooleanField(_("urgente"), default=True)
    moderation_status = models.CharField(
        _("modération"),
        max_length=10,
        choices=ModerationStatus.choices,
        default=ModerationStatus.TO_REVIEW,
    )
    inbound_message_sid = models.CharField(
        _("SMS d'origine"), max_length=64, unique=True, null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"))
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    police_taken_at = models.DateTimeField(_("prise en charge le"), null=True, blank=True)
    police_taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prise en charge par"),
    )
    text_erased_at = models.DateTimeField(_("texte effacé le"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["commune", "-created_at"])]

    def __str__(self):
        return f"{self.get_category_display()} — {self.commune.name}"


class AlertEvent(models.Model):
    """The audit history of an alert: who did what, when, and why. Never edited."""

    class Action(models.TextChoices):
        POSTED = "posted", _("Publiée")
        HELD = "held", _("Retenue pour validation")
        APPROVED = "approved", _("Validée")
        REJECTED = "rejected", _("Refusée")
        RETRACTED = "retracted", _("Retirée")
        UPDATED = "updated", _("Suivi publié")
        CLOSED = "closed", _("Close")
        POLICE_TAKEN = "police_taken", _("Prise en charge par la police municipale")
        POLICE_UPDATED = "police_update", _("Suivi de la police municipale")
        CONTACT_SHOWN = "contact_shown", _("Téléphone de l'auteur consulté")
        REPORTED = "reported", _("Signalée")
        TEXT_ERASED = "text_erased", _("Texte effacé (durée de conservation)")
        DETAILS_ERASED = "details_erased", _("Éléments d'identification effacés")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("historique d'alerte")
        verbose_name_plural = _("historique des alertes")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_action_display()} — {self.alert_id}"


class AlertMessage(OutboxMessage):
    """One text sent about an alert: the alert itself, an update, its end, a correction.

    An outbox message (``notifications.OutboxMessage``: texts, fan-out, quiet hours, expiry)
    with what only the alert knows: which alert, what kind of text, who wrote it. The outbox
    asks ``alerts.outbox`` who receives it and how each channel words it.
    """

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alerte")
        UPDATE = "update", _("Suivi")
        CLOSING = "closing", _("Fin d'alerte")
        CORRECTION = "correction", _("Rectificatif")

    outbox_message = models.OneToOneField(
        OutboxMessage,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        db_column="id",
        related_name="alert_message",
    )
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("message d'alerte")
        verbose_name_plural = _("messages d'alerte")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.alert}"

    def save(self, *args, **kwargs):
        # What the outbox needs, from the alert, when the message is first written: the
        # commune's SMS sender and who pays its SMS, how long the text is useful (a
        # correction: whenever it is due), and whether a moderator holds it.
        if self._state.adding:
            alert = self.alert
            self.purpose = ALERT_PURPOSE
            self.sender_name = self.sender_name or alert.commune.sms_sender_name
            self.payer_id = self.payer_id or alert.commune_id
            if self.kind != self.Kind.CORRECTION and self.expires_at is None:
                self.expires_at = alert.expires_at
            if alert.moderation_status == ModerationStatus.HELD:
                self.held = True
        super().save(*args, **kwargs)


class InboundSms(models.Model):
    """An SMS received on the relay number, kept by provider id so a retry is answered alike.

    Only what idempotence needs is kept: no sender number, no text (an alert, if one was
    posted, holds the text under its own retention rules).
    """

    message_sid = models.CharField(max_length=64, unique=True)
    reply = models.TextField(blank=True)
    outcome = models.CharField(max_length=20)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("SMS reçu")
        verbose_name_plural = _("SMS reçus")

    def __str__(self):
        return f"{self.message_sid} ({self.outcome})"
