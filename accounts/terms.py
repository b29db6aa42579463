"""Members accept the terms of use and their commune's charter again after either changes.

Registration records the first acceptance (``ConsentRecord`` of kind ``terms``). When the
platform team changes the *Conditions d'utilisation* or a mairie its *Charte du voisin
vigilant et solidaire*, every member who accepted an earlier version is asked, at their
next page on the commune's site, to read and accept the new one
(``TermsAcceptanceMiddleware`` → ``/charte/accepter/``); each acceptance is a new record,
with its time, which the member's data export lists.

Accounts that never accepted any version (staff created by the platform team, neighbours
registered by SMS by a sponsor, who read nothing on the site) are not stopped.
"""

from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .models import ConsentRecord, TermsOfUse

TERMS_CHANGED_CACHE_KEY = "accounts:terms-of-use-changed-at"
_MISSING = object()


def terms_changed_at() -> datetime | None:
    """When the terms of use last changed (cached: every member's page asks)."""
    value = cache.get(TERMS_CHANGED_CACHE_KEY, _MISSING)
    if value is _MISSING:
        value = TermsOfUse.objects.values_list("changed_at", flat=True).first()
        cache.set(TERMS_CHANGED_CACHE_KEY, value, 300)
    return value


def terms_saved(sender, instance, **kwargs) -> None:
    """``post_save`` of the terms: the next page reads their date again (wiring only)."""
    transaction.on_commit(lambda: cache.delete(TERMS_CHANGED_CACHE_KEY))


def acceptance_version(*, commune) -> datetime | None:
    """The version members of ``commune`` must have accepted: the later of the terms'
    and the charter's changes (None: nothing changed since registration)."""
    dates = [terms_changed_at(), commune.charter_changed_at if commune else None]
    dates = [date for date in dates if date is not None]
    return max(dates) if dates else None


def last_acceptance(*, user) -> datetime | None:
    return (
        ConsentRecord.objects.filter(user=user, kind=ConsentRecord.Kind.TERMS, granted=True)
        .order_by("-recorded_at")
        .values_list("recorded_at", flat=True)
        .first()
    )


def acceptance_due(*, user, commune) -> bool:
    """``user`` accepted an earlier version than the one in force on ``commune``'s site."""
    version = acceptance_version(commune=commune)
    if version is None or not user.is_authenticated:
        return False
    accepted = last_acceptance(user=user)
    return accepted is not None and accepted < version


def terms_accept(*, user, now=None) -> ConsentRecord:
    """Record that ``user`` accepts the terms and the charter in force now."""
    return ConsentRecord.objects.create(
        user=user, kind=ConsentRecord.Kind.TERMS, granted=True, recorded_at=now or timezone.now()
    )
