"""Who may publish in the gazette, where, in which categories, and whether a moderator
approves first."""

from dataclasses import dataclass

from communities.memberships import verified_membership
from communities.models import Commune, Community, ModerationPolicy, StaffRole
from communities.selectors import roles_in_commune

from ..models import RESIDENT_CATEGORIES, GazetteCategory, GazetteIndexPage

# Staff who write in the commune's name may use the mairie's own category.
MAIRIE_WRITERS = {StaffRole.ADMINISTRATOR, StaffRole.EDITOR, StaffRole.MODERATOR}


@dataclass(frozen=True)
class Author:
    """Where ``user`` may publish: their commune, and the community they belong to (if any)."""

    commune: Commune
    community: Community | None
    is_staff: bool


def gazette_author_for(*, user, commune: Commune | None = None) -> Author | None:
    """The commune (and community) ``user`` may publish in, or None.

    Verified members publish in their own commune; the mairie's administrators, editors and
    moderators in theirs. ``commune``, when given (the site the form is on), must be it.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    membership = verified_membership(user=user)
    if membership is not None:
        own = membership.community.commune
        if commune is None or commune.pk == own.pk:
            return Author(commune=own, community=membership.community, is_staff=False)
    if commune is not None and roles_in_commune(user=user, commune=commune) & MAIRIE_WRITERS:
        return Author(commune=commune, community=None, is_staff=True)
    return None


def categories_for(*, author: Author) -> list[GazetteCategory]:
    return (
        [*RESIDENT_CATEGORIES, GazetteCategory.MAIRIE] if author.is_staff else RESIDENT_CATEGORIES
    )


def gazette_index_of(*, commune: Commune) -> GazetteIndexPage:
    return GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()


def needs_approval(*, author: Author) -> bool:
    return not author.is_staff and author.commune.gazette_moderation_policy == ModerationPolicy.PRE
