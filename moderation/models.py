"""Reports: a member flags content (an alert, a gazette post, a comment, a message).

One model for every kind of content, so that moderators work from one queue. A report
carries the commune it belongs to, so the queue is scoped like everything else, and never
gives moderators more than the reported item itself (a reported private message shows
that message, not the conversation around it).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    OPEN = "open", _("À traiter")
    UPHELD = "upheld", _("Contenu retiré")
    DISMISSED = "dismissed", _("Classé sans suite")


class Report(models.Model):
    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.CASCADE,
        related_name="reports",
        verbose_name=_("commune"),
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    content = GenericForeignKey("content_type", "object_id")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reports_made",
        verbose_name=_("signalé par"),
    )
    reason = models.TextField(_("motif"), max_length=500)
    status = models.CharField(
        _("état"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.OPEN
    )
    created_at = models.DateTimeField(_("signalé le"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("traité par"),
    )
    handled_at = models.DateTimeField(_("traité le"), null=True, blank=True)
    decision_note = models.TextField(_("décision"), blank=True)

    class Meta:
        verbose_name = _("signalement")
        verbose_name_plural = _("signalements")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "reporter"], name="one_report_per_member"
            ),
        ]
        indexes = [models.Index(fields=["commune", "status", "-created_at"])]

    def __str__(self):
        return f"{self.content_type.model} #{self.object_id} ({self.get_status_display()})"


class ModerationActionKind(models.TextChoices):
    HIDE = "hide", _("Contenu masqué ou retiré")
    DISMISS = "dismiss", _("Signalements classés sans suite")
    WARN = "warn", _("Auteur averti")
    SUSPEND = "suspend", _("Auteur suspendu")
    LIFT = "lift", _("Suspension levée")


class ModerationAction(models.Model):
    """What a moderator did about reported content or its author: who, when, what, why.

    The record is the audit trail of the reports queue, and a suspension's record is the
    suspension itself: the author may post again in that commune once ``suspended_until``
    has passed, with nothing left to lift by hand.
    """

    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.CASCADE,
        related_name="moderation_actions",
        verbose_name=_("commune"),
    )
    kind = models.CharField(_("action"), max_length=10, choices=ModerationActionKind.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    # What the item was when the moderator acted, since it may be erased or hidden later.
    item_label = models.CharField(_("contenu"), max_length=300, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="moderation_actions_received",
        verbose_name=_("auteur du contenu"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="moderation_actions_taken",
        verbose_name=_("modérateur"),
    )
    note = models.TextField(_("note"), max_length=1000, blank=True)
    reports_closed = models.PositiveIntegerField(_("signalements clos"), default=0)
    suspended_until = models.DateTimeField(_("suspendu jusqu'au"), null=True, blank=True)
    created_at = models.DateTimeField(_("le"), auto_now_add=True)

    class Meta:
        verbose_name = _("action de modération")
        verbose_name_plural = _("actions de modération")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["author", "commune", "kind", "suspended_until"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="suspend", suspended_until__isnull=False)
                | (~Q(kind="suspend") & Q(suspended_until__isnull=True)),
                name="suspension_has_an_end",
            ),
        ]

    def __str__(self):
        # Paris time, as every date the mairie reads (the admin shows this text).
        return f"{self.get_kind_display()} ({timezone.localtime(self.created_at):%d/%m/%Y})"


class ProofAccess(models.Model):
    """One opening of a proof of address: who opened which applicant's proof, and when.

    Proofs are deleted once the registration is decided (CNIL SAN-2020-008); this record
    is not. It keeps the membership's and the proof's ids, not foreign keys, so that the
    proof's deletion (and the membership's) never takes the trail away with it.
    """

    membership_id = models.PositiveBigIntegerField(_("adhésion n°"), db_index=True)
    proof_id = models.PositiveBigIntegerField(_("justificatif n°"))
    commune = models.ForeignKey(
        "communities.Commune",
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="proofs_opened",
        verbose_name=_("ouvert par"),
    )
    opened_at = models.DateTimeField(_("ouvert le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ouverture de justificatif")
        verbose_name_plural = _("ouvertures de justificatifs")
        ordering = ["-opened_at", "-pk"]

    def __str__(self):
        return f"{self.membership_id} ({timezone.localtime(self.opened_at):%d/%m/%Y %H:%M})"
