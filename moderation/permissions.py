"""Who may open the registrations queue: the mairie's moderators and communities' referents.

Views ask these functions, and ``communities.memberships`` asks them again before any
decision: a moderator of one commune never reaches another commune's applicants.
"""

from django.db.models import QuerySet

from communities.memberships import communities_moderated_by
from communities.models import Membership, StaffRole
from communities.selectors import communes_where


def moderates_registrations(*, user) -> bool:
    """Whether ``user`` decides registrations of at least one community."""
    return communities_moderated_by(user=user).exists()


def memberships_reviewable_by(*, user) -> QuerySet[Membership]:
    """Requests ``user`` may open, pending or already decided: their communities' only,
    never their own."""
    return (
        Membership.objects.filter(community__in=communities_moderated_by(user=user))
        .exclude(user=user)
        .select_related("user", "community__commune", "sponsor", "decided_by")
    )


def sees_moderation_menu(*, user) -> bool:
    """The admin menu entry is for the mairie's moderators (referents have no admin)."""
    return communes_where(user=user, role=StaffRole.MODERATOR).exists()
