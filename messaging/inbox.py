"""The member's list of conversations, kept in the shared cache between their pages.

The list (``selectors.conversations_of``: their conversations with counts and last texts)
is kept under the version of their inbox (``messaging.unread``), which every service that
changes what the list shows sets anew: a message written or hidden, a conversation started,
read, left, archived or brought back, the mairie's message to the commune. What changes
without touching the member's inbox (another participant renamed, or leaving) shows within
``TIMEOUT``. Kept only what the list shows: the other participants' names, never their
accounts.
"""

from django.core.cache import cache

from .selectors import ConversationRow, conversations_of
from .unread import inbox_version, inbox_version_key

TIMEOUT = 60


def _key(user_pk, archived: bool) -> str:
    return f"messages-inbox:{user_pk}:{int(archived)}"


def conversations_of_cached(*, user, archived: bool = False) -> list[ConversationRow]:
    """``conversations_of`` from the cache while the member's inbox has not changed."""
    key, version_key = _key(user.pk, archived), inbox_version_key(user.pk)
    found = cache.get_many([version_key, key])
    version = inbox_version(user_pk=user.pk, found=found)
    stored = found.get(key)
    if stored is not None and stored[0] == version:
        return stored[1]
    rows = conversations_of(user=user, archived=archived)
    cache.set(key, (version, rows), TIMEOUT)
    return rows
