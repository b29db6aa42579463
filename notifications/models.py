"""The SMS outbox: one row per message, written before the provider is called.

The row is the audit trail (who was sent what, when, at what cost) and the only source of
truth about a message: a worker killed mid-send, a late provider callback or a retried task
all reconcile against it.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SmsPurpose(models.TextChoices):
    VERIFICATION_CODE = "verification_code", _("Code de vérification")
    ACCOUNT = "account", _("Compte")
    ALERT = "alert", _("Alerte")
    BROADCAST = "broadcast", _("Diffusion de la mairie")
    MESSAGE = "message", _("Message")
    OTHER = "other", _("Autre")


class SmsStatus(models.TextChoices):
    QUEUED = "queued", _("En attente")
    SENDING = "sending", _("En cours d'envoi")
    SENT = "sent", _("Envoyé")
    DELIVERED = "delivered", _("Distribué")
    FAILED = "failed", _("Échec")
    UNDELIVERED = "undelivered", _("Non distribué")


class SmsEncoding(models.TextChoices):
    GSM7 = "GSM-7", "GSM-7"
    UCS2 = "UCS-2", "UCS-2"


# Delivered, failed and undelivered are final: nothing comes after them.
_STATUS_RANK = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.SENT: 2,
    SmsStatus.DELIVERED: 3,
    SmsStatus.FAILED: 3,
    SmsStatus.UNDELIVERED: 3,
}
FINAL_STATUSES = frozenset(
    s for s, rank in _STATUS_RANK.items() if rank == max(_STATUS_RANK.values())
)


def status_may_advance(old: str, new: str) -> bool:
    """Whether a message in status ``old`` may move to ``new``.

    Status only moves forward (queued → sending → sent → delivered, failed or undelivered):
    provider callbacks arrive late, twice or out of order, and a late "sent" must never
    overwrite "delivered", nor a "delivered" overwrite "failed". Unknown statuses never win.
    """
    if old not in _STATUS_RANK or new not in _STATUS_RANK:
        return False
    return _STATUS_RANK[new] > _STATUS_RANK[old]


def statuses_that_may_advance_to(new: str) -> list[str]:
    return [old for old in _STATUS_RANK if status_may_advance(old, new)]


# Twilio's error code when the recipient answered STOP: record it, never send again.
ERROR_UNSUBSCRIBED = "21610"


class OutboundSms(models.Model):
    to = models.CharField(_("destinataire"), max_length=16, help_text=_("Numéro au format E.164."))
    body = models.TextField(_("texte"))
    sender = models.CharField(
        _("expéditeur"),
        max_length=16,
        blank=True,
        help_text=_(
            "Nom alphanumérique ou numéro ; vide : l'expéditeur par défaut du fournisseur."
        ),
    )
    purpose = models.CharField(_("objet"), max_length=20, choices=SmsPurpose.choices)
    status = models.CharField(
        _("statut"), max_length=12, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    backend = models.CharField(_("canal d'envoi"), max_length=200, blank=True)
    provider_message_id = models.CharField(
        _("identifiant chez le fournisseur"), max_length=64, unique=True, null=True, blank=True
    )
    validity_period = models.PositiveIntegerField(
        _("durée de validité (secondes)"),
        null=True,
        blank=True,
        help_text=_("Au-delà, le fournisseur abandonne l'envoi plutôt que de le faire en retard."),
    )
    error_code = models.CharField(_("code d'erreur"), max_length=32, blank=True)
    error_message = models.TextField(_("message d'erreur"), blank=True)
    error_permanent = models.BooleanField(
        _("erreur définitive"),
        default=False,
        help_text=_("Un nouvel essai vers ce numéro échouerait de la même façon."),
    )
    segments = models.PositiveSmallIntegerField(_("segments"), default=0)
    encoding = models.CharField(
        _("encodage"), max_length=5, choices=SmsEncoding.choices, default=SmsEncoding.GSM7
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("SMS envoyé")
        verbose_name_plural = _("SMS envoyés")
        indexes = [
            # Sweeps look for old rows stuck in queued or sending.
            models.Index(fields=["status", "created_at"], name="outbound_sms_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=SmsStatus.values), name="outbound_sms_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.to} · {self.get_purpose_display()} · {self.get_status_display()}"

    @property
    def recipient_opted_out(self) -> bool:
        """The recipient answered STOP to our sender: only they can lift it (START)."""
        return self.error_code == ERROR_UNSUBSCRIBED

    def body_for_admin(self) -> str:
        """The text as the platform team may read it: never a live verification code
        outside development, since whoever reads it could take over the account."""
        if self.purpose == SmsPurpose.VERIFICATION_CODE and not settings.DEBUG:
            return str(_("(code de vérification masqué)"))
        return self.body

    body_for_admin.short_description = _("texte")


class PushSubscription(models.Model):
    """A browser's web push endpoint for one member (the PWA's "activer les notifications").

    Deleted when the push service answers 404 or 410 (the subscription is gone), and with
    the member's account.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions"
    )
    endpoint = models.URLField(
        _("adresse du service de notification"), max_length=1000, unique=True
    )
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    user_agent = models.CharField(_("navigateur"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("activé le"), auto_now_add=True)
    last_success_at = models.DateTimeField(_("dernier envoi réussi"), null=True, blank=True)

    class Meta:
        verbose_name = _("abonnement aux notifications")
        verbose_name_plural = _("abonnements aux notifications")

    def __str__(self):
        return f"{self.user_id} — {self.endpoint[:40]}…"


class EmailEvent(models.Model):
    """A provider's report that an e-mail could not be delivered, kept once.

    Providers retry their webhooks: the ``key`` (the provider's event id, or a digest of the
    message, event and time when it has none) makes a replay change nothing. No address is
    kept here: the member's row holds what matters (``email_undeliverable_at``).
    """

    key = models.CharField(max_length=64, unique=True)
    esp = models.CharField(_("fournisseur"), max_length=32)
    event_type = models.CharField(_("événement"), max_length=20)
    message_id = models.CharField(_("identifiant du message"), max_length=255, blank=True)
    received_at = models.DateTimeField(_("reçu le"), auto_now_add=True)

    class Meta:
        verbose_name = _("échec d'e-mail signalé")
        verbose_name_plural = _("échecs d'e-mail signalés")

    def __str__(self):
        return f"{self.esp} · {self.event_type} · {self.message_id}"


# --- The outbox: messages and their deliveries ---------------------------------------------


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


# Why an SMS or push was not sent (``Delivery.error_code`` of a row failed by the outbox
# itself): the message had expired, its subject had ended, or its sender withdrew it.
EXPIRED_ERROR_CODE = "expired"
ENDED_ERROR_CODE = "ended"
WITHDRAWN_ERROR_CODE = "retracted"
# Rows failed by the outbox itself: they reached nobody, and fall back to nothing.
NOT_SENT_ERROR_CODES = (WITHDRAWN_ERROR_CODE, EXPIRED_ERROR_CODE, ENDED_ERROR_CODE)


class OutboxMessage(models.Model):
    """One text to deliver to many: what the outbox needs to send it, and nothing more.

    The sender (an alert, the mairie's targeted message…) writes it in the transaction that
    decides it must go, with ``fanned_out_at`` empty, and hands in what the outbox cannot
    know: the SMS sender name, the texts, how long the message is useful (``expires_at``),
    when SMS and push may leave (``not_before``, quiet hours). Who receives it and how each
    channel words it are asked of the source registered for its ``purpose``
    (``notifications.sources``); the outbox never reads the sender's own rules.
    """

    purpose = models.CharField(_("objet"), max_length=20, default="")
    sender_name = models.CharField(_("expéditeur des SMS"), max_length=16, blank=True, default="")
    text = models.TextField(_("texte pour les voisins"))
    restricted_text = models.TextField(
        _("texte pour la mairie et la police"),
        blank=True,
        help_text=_("Avec les éléments d'identification ; vide : le même texte."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)
    not_before = models.DateTimeField(
        null=True, blank=True, help_text=_("Heures calmes : SMS et notifications pas avant.")
    )
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    held = models.BooleanField(default=False)
    # Who pays the SMS, as the sender says: the commune whose budget counts them
    # (``communities.sms_budget``). Empty for the platform's own messages.
    payer = models.ForeignKey(
        "communities.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune qui paie les SMS"),
    )
    sms_withheld = models.BooleanField(
        _("sans SMS"),
        default=False,
        help_text=_("Envoyé par e-mail et notification seulement : aucun SMS n'est écrit."),
    )

    class Meta:
        verbose_name = _("message à envoyer")
        verbose_name_plural = _("messages à envoyer")
        indexes = [
            # The sweep's and /readyz's question: which messages were never fanned out?
            models.Index(
                fields=["created_at"],
                condition=models.Q(fanned_out_at__isnull=True),
                name="outbox_unfanned_idx",
            ),
        ]

    def __str__(self):
        return f"{self.purpose} #{self.pk}"


class Delivery(models.Model):
    """One message to one recipient on one channel: the outbox row and its outcome.

    Written 100,000 at a time by one ``INSERT … SELECT``, so the table carries only the
    indexes its readers need, and no database foreign-key constraints: PostgreSQL's
    deferred checks alone cost 0.8 s per 100,000 rows at commit. The rows are only ever
    written from existing messages and users, and deleting either still deletes its
    deliveries (Django's ``on_delete``), as erasure and retention do. An SMS row keeps what
    it cost when it left (segments, encoding, price per segment at that moment).
    """

    message = models.ForeignKey(
        OutboxMessage,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,  # the progress index (message, channel, status) serves
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_constraint=False,
        db_index=False,  # the unique (user, message, channel) index serves
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
    # SMS only, written when the provider took the message.
    segments = models.PositiveSmallIntegerField(null=True, blank=True)
    encoding = models.CharField(max_length=5, blank=True, default="")
    price_per_segment = models.DecimalField(max_digits=8, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("envoi")
        verbose_name_plural = _("envois")
        constraints = [
            # User first: it also answers "this member's deliveries" (export, erasure),
            # so the table needs no index of its own on the user; the progress index
            # below answers by message. One index less to write per row of a fan-out.
            models.UniqueConstraint(
                fields=["user", "message", "channel"], name="outbox_delivery_per_channel"
            ),
            # Status callbacks find their row by the provider's id; most rows have none.
            models.UniqueConstraint(
                fields=["provider_message_id"],
                condition=models.Q(provider_message_id__isnull=False),
                name="outbox_delivery_per_provider_message",
            ),
        ]
        indexes = [
            models.Index(
                fields=["message", "channel", "status"], name="outbox_delivery_progress_idx"
            ),
            # The sweep's question: which unsettled rows have waited too long?
            models.Index(
                fields=["updated_at"],
                condition=models.Q(status__in=["queued", "sending"]),
                name="outbox_delivery_unsettled_idx",
            ),
        ]

    def __str__(self):
        return f"{self.message_id} → {self.user_id} ({self.channel})"

    @property
    def cost(self):
        """What this SMS cost when it left (segments × price); None for other channels."""
        if self.segments is None or self.price_per_segment is None:
            return None
        return self.segments * self.price_per_segment


# The outbox's name for notices (``OutboxMessage.purpose``): ``notifications.notices``.
NOTICE_PURPOSE = "notice"


class Notice(OutboxMessage):
    """One message to one member: a moderation outcome, a decision, a digest, a warning.

    An outbox message (``OutboxMessage.text`` is the SMS text and the push body) with what
    the other channels need: the e-mail's subject, text, optional HTML and headers, the
    push's title and the page it opens, and the channels its sender asked for. The outbox
    reaches the member on those of them where they are reachable
    (``notifications.reachability``). Written by
    ``notifications.notices.notice_send`` in the sender's transaction; deleted with the
    member (and, as a multi-table child, its message and deliveries with it).
    """

    outbox_message = models.OneToOneField(
        OutboxMessage,
        on_delete=models.CASCADE,
        parent_link=True,
        primary_key=True,
        db_column="id",
        related_name="notice",
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notices",
        verbose_name=_("destinataire"),
    )
    kind = models.CharField(_("type"), max_length=32)
    subject = models.CharField(_("objet de l'e-mail"), max_length=255)
    email_text = models.TextField(_("texte de l'e-mail"), blank=True)
    email_html = models.TextField(_("e-mail en HTML"), blank=True)
    title = models.CharField(
        _("titre de la notification"),
        max_length=255,
        blank=True,
        help_text=_("Vide : l'objet de l'e-mail."),
    )
    url = models.URLField(_("page ouverte par la notification"), max_length=500, blank=True)
    headers = models.JSONField(_("en-têtes de l'e-mail"), default=dict, blank=True)
    by_sms = models.BooleanField(_("par SMS"), default=False)
    by_email = models.BooleanField(_("par e-mail"), default=False)
    by_push = models.BooleanField(_("par notification"), default=False)
    urgent = models.BooleanField(_("urgent"), default=False)

    class Meta:
        verbose_name = _("avis à un membre")
        verbose_name_plural = _("avis aux membres")

    def __str__(self):
        return f"{self.kind} → {self.recipient_id}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            self.purpose = NOTICE_PURPOSE
        super().save(*args, **kwargs)


# --- Tallies: what the deliveries of each message came to -----------------------------------


class MessageTally(models.Model):
    """Where a message's tally stands (``notifications.tallies``): the members it reached on
    no channel, and whether its deliveries are settled. A settled tally is never counted
    again, unless a late provider report or a fall-back reopens it."""

    message = models.OneToOneField(
        OutboxMessage,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="tally",
        db_constraint=False,
    )
    unreached = models.PositiveIntegerField(default=0)
    settled = models.BooleanField(default=False)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bilan d'un message")
        verbose_name_plural = _("bilans des messages")
        indexes = [
            models.Index(
                fields=["message"], condition=models.Q(settled=False), name="outbox_tally_open_idx"
            ),
        ]

    def __str__(self):
        return f"{self.message_id} ({self.unreached})"


class DeliveryTally(models.Model):
    """The deliveries of one message on one channel, counted by outcome; for SMS, how many
    left in ``month`` (the first day of the month, Paris time, of their ``sent_at``; empty:
    not sent), their segments and what they cost. Rewritten whole at each count of an open
    message (``notifications.tallies.tallies_refresh``)."""

    message = models.ForeignKey(
        OutboxMessage, on_delete=models.CASCADE, related_name="tallies", db_constraint=False
    )
    # The message's payer, copied: the SMS budget sums a commune's month without a join.
    payer = models.ForeignKey(
        "communities.Commune",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the SMS index below serves
    )
    channel = models.CharField(max_length=5, choices=Channel.choices)
    month = models.DateField(null=True, blank=True)
    delivered = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0)
    sms = models.PositiveIntegerField(default=0)
    segments = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=4, default=0)

    class Meta:
        verbose_name = _("bilan d'envoi")
        verbose_name_plural = _("bilans d'envoi")
        indexes = [
            models.Index(
                fields=["payer", "month"],
                condition=models.Q(channel="sms"),
                name="outbox_tally_sms_idx",
            ),
        ]

    def __str__(self):
        return f"{self.message_id} · {self.channel} · {self.month}"
