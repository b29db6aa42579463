"""Wiring only: the moderators' workflow decisions reach the author through a service."""

from wagtail.signals import workflow_approved, workflow_rejected

from .services.moderation import gazette_workflow_decision_notify


def _approved(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=True)


def _rejected(sender, instance, **kwargs):
    gazette_workflow_decision_notify(workflow_state=instance, approved=False)


def register() -> None:
    workflow_approved.connect(_approved, dispatch_uid="gazette_workflow_approved")
    workflow_rejected.connect(_rejected, dispatch_uid="gazette_workflow_rejected")
