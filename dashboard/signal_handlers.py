"""Wiring only: a change the dashboard shows bumps its commune's figures version after commit
(``dashboard.live``), so that the next poll reads it; a membership saved or deleted has its
community's member counts counted again (``dashboard.member_counts``)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from alerts.models import Alert, AlertEvent
from communities.models import Community, Membership
from moderation.models import ModerationAction, Report

from .live import figures_version_bump
from .member_counts import member_counts_refresh


def _bump_after_commit(commune_id) -> None:
    if commune_id is not None:
        transaction.on_commit(lambda: figures_version_bump(commune_id=commune_id))


@receiver(post_save, sender=Alert, dispatch_uid="dashboard_alert_saved")
@receiver(post_save, sender=Report, dispatch_uid="dashboard_report_saved")
@receiver(post_save, sender=ModerationAction, dispatch_uid="dashboard_moderation_saved")
def commune_record_saved(sender, instance, **kwargs):
    _bump_after_commit(instance.commune_id)


@receiver(post_save, sender=AlertEvent, dispatch_uid="dashboard_alert_event_saved")
def alert_acted_on(sender, instance, **kwargs):
    # Taking in charge, closing and moderating update the alert in bulk: their event is
    # the one save that says so.
    _bump_after_commit(
        Alert.objects.filter(pk=instance.alert_id).values_list("commune_id", flat=True).first()
    )


@receiver(post_save, sender=Membership, dispatch_uid="dashboard_membership_saved")
def membership_saved(sender, instance, **kwargs):
    # In the saving transaction: the counts are exact when it commits.
    member_counts_refresh(community_ids=[instance.community_id])
    _bump_after_commit(
        Community.objects.filter(pk=instance.community_id)
        .values_list("commune_id", flat=True)
        .first()
    )


@receiver(post_delete, sender=Membership, dispatch_uid="dashboard_membership_deleted")
def membership_deleted(sender, instance, **kwargs):
    # After commit: a membership is deleted with its account (GDPR erasure) or its
    # community, whose counts go with it.
    community_id = instance.community_id

    def recount():
        member_counts_refresh(community_ids=[community_id])
        commune_id = (
            Community.objects.filter(pk=community_id).values_list("commune_id", flat=True).first()
        )
        if commune_id is not None:
            figures_version_bump(commune_id=commune_id)

    transaction.on_commit(recount)
