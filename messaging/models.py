"""Private conversations between neighbours, and the mairie's targeted messages.

A conversation belongs to one commune. Neighbours' conversations join verified members of
one community; the mairie's are official, one per recipient (a targeted message is never a
group where residents would read each other's replies). Only participants read a
conversation: there is no other way in, for staff or moderators either (a reported message
reaches moderators alone, through ``moderation.reportables``).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MAX_TEXT = 2000
MAX_SUBJECT = 120


class ConversationKind(models.TextChoices):
    NEIGHBOURS = "neighbours", _("Entre voisins")
    MAIRIE = "mairie", _("Message de la mairie")


class Conversation(models.Model):
    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.CASCADE,
        related_name="conversations",
        verbose_name=_("commune"),
    )
    subject = models.CharField(_("objet"), max_length=MAX_SUBJECT, blank=True)
    kind = models.CharField(
        _("type"),
        max_length=12,
        choices=ConversationKind.choices,
        default=ConversationKind.NEIGHBOURS,
    )
    replies_allowed = models.BooleanField(_("réponses permises"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créée par"),
    )
    official = models.ForeignKey(
        "OfficialSend",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="conversations",
        verbose_name=_("envoi de la mairie"),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("dernier message le"), null=True, db_index=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-last_message_at", "-pk"]

    def __str__(self):
        return self.subject or f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_official(self) -> bool:
        return self.kind == ConversationKind.MAIRIE


class Participant(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations"
    )
    # The mairie's side of an official conversation (the staff member who sent it).
    for_mairie = models.BooleanField(default=False)
    joined_at = models.DateTimeField(auto_now_add=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # The newest message already announced by e-mail or push: never announced twice.
    notified_message_id = models.BigIntegerField(default=0)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        constraints = [
            models.UniqueConstraint(
                fields=["conversation", "user"], name="one_participation_per_member"
            ),
        ]
        indexes = [models.Index(fields=["user", "left_at"])]

    def __str__(self):
        return f"{self.user} — {self.conversation}"


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="messages_written",
        verbose_name=_("auteur"),
    )
    # Written on behalf of the mairie (shown as "Mairie de …", never as the staff's name).
    from_mairie = models.BooleanField(default=False)
    text = models.TextField(_("texte"), max_length=MAX_TEXT)
    created_at = models.DateTimeField(_("écrit le"), auto_now_add=True, db_index=True)
    hidden_at = models.DateTimeField(_("masqué le"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["pk"]
        indexes = [models.Index(fields=["conversation", "id"])]

    def __str__(self):
        return f"#{self.pk} ({self.conversation_id})"


class Block(models.Model):
    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("blocage")
        verbose_name_plural = _("blocages")
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="one_block_per_pair"),
        ]

    def __str__(self):
        return f"{self.blocker} ⊘ {self.blocked}"


class OfficialTarget(models.TextChoices):
    COMMUNITIES = "communities", _("Des communautés")
    COMMUNE = "commune", _("Tous les membres vérifiés de la commune")
    REFERENTS = "referents", _("Les référents seulement")
    MEMBERS = "members", _("Des membres choisis")


class OfficialSend(models.Model):
    """One targeted message of the mairie: whom it aimed at and whom it reached, how."""

    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.CASCADE,
        related_name="official_sends",
        verbose_name=_("commune"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("envoyé par"),
    )
    target = models.CharField(_("destinataires"), max_length=12, choices=OfficialTarget.choices)
    target_label = models.CharField(_("cible"), max_length=500, blank=True)
    subject = models.CharField(_("objet"), max_length=MAX_SUBJECT, blank=True)
    text = models.TextField(_("texte"), max_length=MAX_TEXT)
    replies_allowed = models.BooleanField(_("réponses permises"), default=True)
    # Counts per channel at the time of sending: {"web", "email", "push", "sms", "unreachable"}.
    reach = models.JSONField(_("portée"), default=dict)
    # SMS of sends made before the outbox carried them (one outbox row each).
    sms_messages = models.ManyToManyField("notifications.OutboundSms", blank=True, related_name="+")
    # The SMS to members without an online account, delivered by the outbox (paced,
    # retried, reconciled, once per member), and whom the message was aimed at, so that
    # its audience and call list can be read again: {"communities": [ids], "members": [ids]}.
    outbox_message = models.OneToOneField(
        "notifications.OutboxMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="official_send",
    )
    audience = models.JSONField(default=dict, blank=True)
    # Non-urgent SMS wait for the legal hours (Monday–Saturday, 8h–20h).
    sms_not_before = models.DateTimeField(null=True, blank=True)
    # A whole town's conversations are written after sending (``official_conversations_complete``).
    conversations_pending = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("envoyé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("message de la mairie")
        verbose_name_plural = _("messages de la mairie")
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject or f"#{self.pk}"
