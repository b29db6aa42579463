"""The signed-in user of a session, read from the shared cache instead of the database on
every request.

Django loads the user row for every request that carries a session (``get_user``), then
checks the session's hash of the password against it. Members' pages are read far more often
than accounts change, so the row's columns are kept in the shared cache under a version of
the account; any saved or deleted user row bumps that version (``session_user_forget``,
wired in ``accounts.apps``), and so do the services that update user rows in bulk. A new
password, a deactivated or erased account is therefore seen by the very next request: the
session's hash no longer matches (signed out), or the account can no longer sign in.

A reader that loaded the row just before a change stores it with the old version, which no
request accepts any more. The timeout only bounds memory. Never with a cache of each
process (``SESSION_USER_CACHE``, on with Redis in ``portal.settings.cache``): another
process would keep an old password.
"""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction

TIMEOUT = 3600


def _version_key(user_pk) -> str:
    return f"session-user:version:{user_pk}"


def session_user_get(*, user_pk):
    """The user ``user_pk`` as the database has them now, or None when there is none."""
    user_model = get_user_model()
    pk = user_pk
    if not settings.SESSION_USER_CACHE:
        return user_model._default_manager.filter(pk=pk).first()
    # One round trip: the account's version and the row, kept with the version it was read
    # under (a row of an earlier version is read again).
    version_key, row_key = _version_key(pk), f"session-user:row:{pk}"
    found = cache.get_many([version_key, row_key])
    version = found.get(version_key)
    if version is None:
        cache.add(version_key, time.time_ns(), timeout=None)
        version = cache.get(version_key) or 0
    stored = found.get(row_key)
    if stored is not None and stored[0] == version:
        columns = stored[1]
        return user_model.from_db(None, list(columns), list(columns.values()))
    user = user_model._default_manager.filter(pk=pk).first()
    if user is not None:
        columns = {f.attname: getattr(user, f.attname) for f in user_model._meta.concrete_fields}
        cache.set(row_key, (version, columns), TIMEOUT)
    return user


def _bump(user_pk) -> None:
    try:
        cache.incr(_version_key(user_pk))
    except ValueError:
        cache.set(_version_key(user_pk), time.time_ns(), timeout=None)


def session_user_forget(*, user_pk) -> None:
    """The account ``user_pk`` changed (password, status, erasure…): read it afresh.

    Bumped at once and again when the transaction commits: a request that read the old row
    in between cannot keep it under the new version."""
    _bump(user_pk)
    transaction.on_commit(lambda: _bump(user_pk))


def user_saved_or_deleted(instance, **kwargs) -> None:
    session_user_forget(user_pk=instance.pk)
