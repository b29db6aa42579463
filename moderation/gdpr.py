"""Moderation in a member's GDPR export and erasure (``accounts.gdpr``'s registry).

Export: the reports they filed, and what moderators did about their content (the kind of
action, the item, a suspension's end). Erasure: their reports go with the user row
(CASCADE); the queue's audit trail, a report they handled and the proofs they opened as a
moderator stay with no name (SET_NULL).
"""

from accounts.gdpr import ExportPart, GdprSection, export_row, gdpr_section_register, jsonable

from .models import ModerationAction, Report


def moderation_export(*, user) -> ExportPart:
    return ExportPart(
        data={
            "reports_made": [
                export_row(row, exclude=("id", "reporter", "handled_by", "decision_note"))
                for row in Report.objects.filter(reporter=user)
            ],
            "moderation_actions_received": [
                {
                    "kind": action.kind,
                    "content": action.item_label,
                    "created_at": jsonable(action.created_at),
                    "suspended_until": jsonable(action.suspended_until),
                }
                for action in ModerationAction.objects.filter(author=user).order_by("pk")
            ],
        }
    )


def register() -> None:
    gdpr_section_register(
        GdprSection(
            name="moderation",
            covers=("moderation.Report", "moderation.ModerationAction", "moderation.ProofAccess"),
            export=moderation_export,
        )
    )
