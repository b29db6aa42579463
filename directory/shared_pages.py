"""The directory as a community's residents share it (``communities.member_pages``).

A page of the directory is the same for every resident of a community: each neighbour is
shown as neighbours see them (one's own card too). What differs per reader is decided when
the page is answered: to whom of the page the reader may write (one query for the page)
and which card is their own. A written membership, profile or account makes the copies of
its commune stale at once; what changes without a write through the ORM (an account
deactivated in bulk for inactivity) shows within ``PAGE_MAX_AGE``.
"""

from accounts.models import Profile, User
from accounts.profiles import directory_viewer
from communities.member_pages import (
    member_page_condition_register,
    member_pages_stale_when_written,
)
from communities.models import Community, Membership
from messaging.services import recipients_writable

SCOPE = "directory"
PAGE_MAX_AGE = 60
# The "Écrire" link of a card, and the note on the reader's own card.
WRITE = "directory_write"
OWN_CARD = "directory_own"
# Account columns no directory page shows: saving only these changes no copy.
_NOT_SHOWN = frozenset({"last_login", "password", "language"})


def _writable(request, args: set[str]) -> set[str]:
    member_ids = [int(arg) for arg in args if arg.isdigit()]
    writable = recipients_writable(
        author=request.user, member_ids=member_ids, viewer=directory_viewer(request=request)
    )
    return {str(pk) for pk in writable}


def _own_card(request, args: set[str]) -> set[str]:
    return args & {str(request.user.pk)}


def _communes_of_member(user_id) -> list[int]:
    return list(
        Membership.objects.filter(user=user_id)
        .values_list("community__commune_id", flat=True)
        .distinct()
    )


def _commune_of_membership(membership) -> list[int]:
    return list(
        Community.objects.filter(pk=membership.community_id).values_list("commune_id", flat=True)
    )


def register() -> None:
    member_page_condition_register(WRITE, _writable)
    member_page_condition_register(OWN_CARD, _own_card)
    member_pages_stale_when_written(
        scope=SCOPE, model=Membership, communes_of=_commune_of_membership
    )
    member_pages_stale_when_written(
        scope=SCOPE,
        model=User,
        communes_of=lambda user: _communes_of_member(user.pk),
        not_shown=_NOT_SHOWN,
    )
    member_pages_stale_when_written(
        scope=SCOPE, model=Profile, communes_of=lambda profile: _communes_of_member(profile.user_id)
    )
