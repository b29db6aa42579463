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
