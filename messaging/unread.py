"""The header's unread count, kept in the shared cache between a member's pages, and the
version of the member's inbox that their conversation list is kept under too
(``messaging.inbox``).

Every page a member loads shows how many messages they have not read, and counting them is
a join over their conversations. The count is kept under a version of the member's inbox;
each service that changes what a member has unread (a message written to a conversation
they are in, a conversation read, left, started, a message hidden by the moderation, the
mairie's message to the whole commune) sets a new version for those members, at once and
again when its transaction commits, so a count read in between is never served. The timeout
bounds what changes without a service (the retention's deletion of year-old messages).
"""

import uuid

from django.core.cache import cache
from django.db import transaction

from .models import Participant
from .selectors import unread_total

TIMEOUT = 600


def _version_key(user_pk) -> str:
    return f"messages-unread:version:{user_pk}"


def _count_key(user_pk) -> str:
    return f"messages-unread:{user_pk}"


def inbox_version(*, user_pk, found=None) -> str:
    """The version of the member's inbox (``found``: a ``get_many`` that read its key)."""
    key = _version_key(user_pk)
    version = (found or {}).get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, timeout=None)
        version = cache.get(key)
    return version


def inbox_version_key(user_pk) -> str:
    return _version_key(user_pk)


def unread_count(*, user) -> int:
    """``unread_total`` of ``user``, from the cache while their inbox has not changed."""
    if not user.is_authenticated:
        return 0
    version_key, count_key = _version_key(user.pk), _count_key(user.pk)
    found = cache.get_many([version_key, count_key])
    version = inbox_version(user_pk=user.pk, found=found)
    stored = found.get(count_key)
    if stored is not None and stored[0] == version:
        return stored[1]
    count = unread_total(user=user)
    cache.set(count_key, (version, count), TIMEOUT)
    return count


def _new_versions(user_pks) -> None:
    cache.set_many({_version_key(pk): uuid.uuid4().hex for pk in user_pks}, timeout=None)


def unread_forget(*, user_pks) -> None:
    """What ``user_pks`` have unread changed: count it again on their next page."""
    user_pks = {pk for pk in user_pks if pk is not None}
    if not user_pks:
        return
    _new_versions(user_pks)
    transaction.on_commit(lambda: _new_versions(user_pks))


def unread_forget_conversation(*, conversation_id) -> None:
    """Every participant of the conversation (a message was written or hidden)."""
    unread_forget(
        user_pks=Participant.objects.filter(conversation_id=conversation_id).values_list(
            "user_id", flat=True
        )
    )
