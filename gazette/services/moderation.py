"""What moderation does to the gazette: hide upheld reports, tell authors of workflow
decisions."""

from django.db import transaction
from django.utils import timezone
from wagtail.models import WorkflowState

from ..models import GazettePost
from ..notifications import workflow_decision_send
from ..shared_pages import gazette_pages_invalidate


def gazette_content_hide(*, content, by, note: str = "") -> None:
    """Upholding a report: the post or comment disappears for everyone (kept for the record)."""
    now = timezone.now()
    type(content).objects.filter(pk=content.pk, hidden_at=None).update(hidden_at=now)
    content.hidden_at = content.hidden_at or now
    if isinstance(content, GazettePost):
        gazette_pages_invalidate(commune_id=content.commune_id)


def gazette_workflow_decision_notify(*, workflow_state: WorkflowState, approved: bool) -> None:
    """Tell a resident, in their language, that a moderator approved or sent back their post.

    Wired to Wagtail's ``workflow_approved`` / ``workflow_rejected`` signals; the e-mail
    leaves after commit, so a decision rolled back tells nobody anything.
    """
    post_id = int(workflow_state.object_id)
    if not GazettePost.objects.filter(pk=post_id, author__isnull=False).exists():
        return
    state_id = workflow_state.pk
    transaction.on_commit(
        lambda: workflow_decision_send(
            post_id=post_id, workflow_state_id=state_id, approved=approved
        )
    )
