"""Wiring only: the moderators' workflow decisions reach the author through a service; a
written post, photo or list of aimed communities makes the members' shared gazette of its
commune stale."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import workflow_approved, workflow_rejected

from .models import GazettePhoto, GazettePost
from .services.moderation import gazette_workflow_decision_notify
from .shared_pages import gazette_pages_invalidate


def _approved(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=True)


def _rejected(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=False)


def _post_changed(instance, **kwargs):
    if instance.commune_id is not None:
        gazette_pages_invalidate(commune_id=instance.commune_id)


def _photo_changed(instance, **kwargs):
    communes = GazettePost.objects.filter(pk=instance.post_id).values_list("commune_id", flat=True)
    for commune_id in communes:
        gazette_pages_invalidate(commune_id=commune_id)


def _targets_changed(instance, action, **kwargs):
    # ``instance`` is the post, or a community when changed from its side: both have one.
    if action.startswith("post_") or action == "pre_clear":
        gazette_pages_invalidate(commune_id=instance.commune_id)


def register() -> None:
    workflow_approved.connect(_approved, dispatch_uid="gazette_workflow_approved")
    workflow_rejected.connect(_rejected, dispatch_uid="gazette_workflow_rejected")
    for signal in (post_save, post_delete):
        signal.connect(_post_changed, sender=GazettePost, dispatch_uid=f"gazette_pages_p_{signal}")
        signal.connect(
            _photo_changed, sender=GazettePhoto, dispatch_uid=f"gazette_pages_ph_{signal}"
        )
    m2m_changed.connect(
        _targets_changed,
        sender=GazettePost.communities.through,
        dispatch_uid="gazette_pages_targets",
    )
