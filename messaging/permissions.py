"""Who may take part in neighbours' messaging, and who may write for the mairie."""

from django.db.models import Q, QuerySet

from communities.memberships import verified_membership
from communities.models import Commune, StaffRole
from communities.selectors import communes_where, staff_roles_held


def sms_only_q(prefix: str = "") -> Q:
    """Members taking part by SMS alone (``User.is_sms_only``) as a filter: no e-mail and
    an unusable password (Django marks those with a leading "!")."""
    return Q(**{f"{prefix}email__isnull": True, f"{prefix}password__startswith": "!"})


def messaging_membership(*, user, facts=None):
    """The verified membership through which ``user`` writes to neighbours, or None.

    Neighbours' messaging is for verified residents who sign in: an SMS-only member has no
    inbox to read, and a pending or departed member is nobody's neighbour. A page passes
    the request's ``facts`` (``communities.viewer``: read from the cache, no query);
    services that write ask the database.
    """
    if not user.is_authenticated or not user.is_active or user.is_sms_only:
        return None
    if facts is not None:
        return facts.verified_membership
    return verified_membership(user=user)


def official_communes(*, user) -> QuerySet[Commune]:
    """Communes for which ``user`` may send the mairie's targeted messages.

    The broadcaster role: it is the one a mairie already trusts to write to residents in
    numbers (alerts by SMS, e-mail and push), and it is granted per commune. An
    administrator who must write grants it to themself, which leaves a trace in the team's
    history.
    """
    return communes_where(user=user, role=StaffRole.BROADCASTER)


def writes_official_messages(*, request) -> bool:
    """Whether ``official_communes`` is not empty for ``request.user``, from the roles read
    once per request: the admin's menu asks on every page."""
    return StaffRole.BROADCASTER in staff_roles_held(request=request)
