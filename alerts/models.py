"""Alerts, the messages sent about them, and their deliveries (the outbox).

A ``Delivery`` is one message to one recipient on one channel. The rows are written in bulk
before anything is sent and are the only source of truth: workers claim them, record each
outcome on them, and a periodic sweep re-enqueues the ones a lost task left behind.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.audience import audience_q, targets_of, viewer_scope
from communities.models import StaffRole

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


class AlertMessage(models.Model):
    """One text sent about an alert: the alert itself, an update, its end, a correction."""

    class Kind(models.TextChoices):
        ALERT = "alert", _("Alerte")
        UPDATE = "update", _("Suivi")
        CLOSING = "closing", _("Fin d'alerte")
        CORRECTION = "correction", _("Rectificatif")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    text = models.TextField(_("texte pour les voisins"))
    restricted_text = models.TextField(
        _("texte pour la mairie et la police"),
        blank=True,
        help_text=_("Avec les éléments d'identification ; vide : le même texte."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text=_("Heures calmes : SMS et notifications pas avant.")
    )

    class Meta:
        verbose_name = _("message d'alerte")
        verbose_name_plural = _("messages d'alerte")
        ordering = ["created_at"]
        indexes = [
            # The sweep's and /readyz's question: which messages were never fanned out?
            models.Index(
                fields=["created_at"],
                condition=models.Q(fanned_out_at__isnull=True),
                name="message_unfanned_idx",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.alert}"


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Notification")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENDING = "sending", _("En cours")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Distribué")
    FAILED = "failed", _("Échec")


# Why an SMS or push of an alert was not sent: the alert had expired, or had been closed,
# before its turn came (``Delivery.error_code`` of a failed row; see ``alerts.sending``).
EXPIRED_ERROR_CODE = "expired"
ENDED_ERROR_CODE = "ended"


class Delivery(models.Model):
    """One message to one recipient on one channel: the outbox row and its outcome.

    Written 100,000 at a time by one ``INSERT … SELECT``, so the table carries only the
    indexes its readers need, and no database foreign-key constraints: PostgreSQL's
    deferred checks alone cost 0.8 s per 100,000 rows at commit. The rows are only ever
    written from existing messages and users, and deleting either still deletes its
    deliveries (Django's ``on_delete``), as erasure and retention do.
    """

    message = models.ForeignKey(
        AlertMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,  # the unique (message, user, channel) index serves
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alert_deliveries",
        db_constraint=False,
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    restricted = models.BooleanField(
        default=False, help_text=_("Reçoit les éléments d'identification (mairie, police).")
    )
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    claim = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    # NULL, not "", until the provider answers: unique among the rows that have one.
    provider_message_id = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001
    error_code = models.CharField(max_length=32, blank=True)
    permanent_failure = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            models.UniqueConstraint(
                fields=["message", "user", "channel"], name="one_delivery_per_channel"
            ),
            # Status callbacks find their row by the provider's id; most rows have none.
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=models.Q(provider_message_id__isnull=False),
                name="one_delivery_per_provider_message",
            ),
        ]
        indexes = [
            models.Index(fields=["message", "channel", "status"]),
            # The sweep's question: which unsettled rows have waited too long?
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="delivery_unsettled_idx",
            ),
        ]

    def __str__(self):
        return f"{self.message} → {self.user_id} ({self.channel})"


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
