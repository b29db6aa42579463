"""Materialised member counts, so that the dashboard never scans a commune's memberships.

Kept by ``dashboard.member_counts``: recounted for a community whenever one of its
memberships is saved or deleted, and for every community by a sweep (Celery beat) that
makes up for writes that send no signal (``seed_scale``, the demo's history, SQL by hand).
Counts only: no member, address or date of a person is stored here.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from communities.models import Commune, Community


class CommunityMemberCount(models.Model):
    """A community's memberships by status, as of ``refreshed_at``."""

    community = models.OneToOneField(
        Community,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="member_count",
        verbose_name=_("communauté"),
    )
    verified = models.PositiveIntegerField(_("vérifiés"), default=0)
    pending = models.PositiveIntegerField(_("en attente"), default=0)
    left = models.PositiveIntegerField(_("partis"), default=0)
    refreshed_at = models.DateTimeField(_("compté le"), null=True, blank=True)

    class Meta:
        verbose_name = _("nombre de membres d'une communauté")
        verbose_name_plural = _("nombres de membres des communautés")

    def __str__(self):
        return f"{self.community_id}: {self.verified}/{self.pending}/{self.left}"


class MembershipDayCount(models.Model):
    """How many members a community verified (joins) and lost (departures) on a local day."""

    community = models.ForeignKey(
        Community,
        on_delete=models.CASCADE,
        related_name="membership_days",
        verbose_name=_("communauté"),
    )
    # The community's commune, so that a commune's days are read without a join.
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, verbose_name=_("commune"))
    day = models.DateField(_("jour"))
    joins = models.PositiveIntegerField(_("arrivées"), default=0)
    departures = models.PositiveIntegerField(_("départs"), default=0)

    class Meta:
        verbose_name = _("arrivées et départs d'un jour")
        verbose_name_plural = _("arrivées et départs par jour")
        constraints = [
            models.UniqueConstraint(fields=["community", "day"], name="one_count_per_community_day")
        ]
        indexes = [models.Index(fields=["commune", "day"])]

    def __str__(self):
        return f"{self.community_id} {self.day}: +{self.joins} −{self.departures}"
