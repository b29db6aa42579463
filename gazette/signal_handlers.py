"""Wiring only: the moderators' workflow decisions reach the author through a service; a
written post, photo or list of aimed communities makes the members' shared gazette of its
commune stale."""

from wagtail.signals import workflow_approved, workflow_rejected

from communities.member_pages import member_pages_stale_when_aimed, member_pages_stale_when_written

from .models import GazettePhoto, GazettePost
from .services.moderation import gazette_workflow_decision_notify
from .shared_pages import SCOPE


def _approved(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=True)


def _rejected(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=False)


def _communes_of_photo(photo):
    return GazettePost.objects.filter(pk=photo.post_id).values_list("commune_id", flat=True)


def register() -> None:
    workflow_approved.connect(_approved, dispatch_uid="gazette_workflow_approved")
    workflow_rejected.connect(_rejected, dispatch_uid="gazette_workflow_rejected")
    member_pages_stale_when_written(
        scope=SCOPE, model=GazettePost, communes_of=lambda post: [post.commune_id]
    )
    member_pages_stale_when_written(scope=SCOPE, model=GazettePhoto, communes_of=_communes_of_photo)
    member_pages_stale_when_aimed(scope=SCOPE, through=GazettePost.communities.through)
