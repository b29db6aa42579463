"""The gazette as its members share it (``communities.member_pages``): its scope, and what
makes a commune's copies stale."""

from communities.member_pages import member_pages_invalidate

SCOPE = "gazette"


def gazette_pages_invalidate(*, commune_id) -> None:
    """The gazette of ``commune_id`` is read afresh from now on (a post, its photos or its
    aimed communities were written)."""
    member_pages_invalidate(scope=SCOPE, commune_id=commune_id)
