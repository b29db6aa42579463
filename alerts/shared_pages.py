"""The members' alert pages shared between readers (``communities.member_pages``): their
scope, and what makes a commune's copies stale."""

from communities.member_pages import member_pages_invalidate

SCOPE = "alerts"


def alert_pages_invalidate(*, commune_id) -> None:
    """The alert pages and lists of ``commune_id`` are read afresh from now on (an alert, its
    history or its aimed communities were written)."""
    member_pages_invalidate(scope=SCOPE, commune_id=commune_id)
