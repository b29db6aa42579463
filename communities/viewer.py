"""Who is asking, read once per request and kept in the shared cache between requests.

Every page a member loads asks the same questions several times (the header: "member of
this commune?", "moderates registrations?"; the page: membership, staff roles here), and
each answer was a query. ``viewer_facts`` reads the member's active membership and their
staff roles in every commune once, keeps them in the shared cache, and answers from the
request afterwards.

The cached copy is never stale after a change that goes through the ORM: a saved or
deleted membership, a change of the user's groups or of the user row bumps that user's
version; a saved or deleted commune, community or staff group bumps the version of
everybody (``viewer_facts_invalidate``, wired in ``communities.signal_handlers``). The
timeout only bounds memory. Services that decide (publish, moderate, grant) keep asking the
database (``communities.memberships``, ``communities.selectors``): only pages read this.
"""

import time
from dataclasses import dataclass, field

from django.core.cache import cache

from .memberships import active_membership
from .models import CommuneGroup, CommunityRole, Membership, MembershipStatus, StaffRole

GENERATION_KEY = "viewer:generation"
TIMEOUT = 3600


@dataclass(frozen=True)
class ViewerFacts:
    """The member's pending or verified membership (with its community and commune) and the
    staff roles they hold, by commune id. The platform team holds every role everywhere."""

    membership: Membership | None = None
    roles_by_commune: dict[int, frozenset[str]] = field(default_factory=dict)
    superuser: bool = False

    @property
    def verified_membership(self) -> Membership | None:
        membership = self.membership
        if membership is not None and membership.status == MembershipStatus.VERIFIED:
            return membership
        return None

    def roles_in(self, commune) -> frozenset[str]:
        if self.superuser:
            return frozenset(StaffRole.values)
        if commune is None:
            return frozenset()
        return self.roles_by_commune.get(commune.pk, frozenset())

    def verified_member_of(self, commune) -> bool:
        membership = self.verified_membership
        return (
            commune is not None
            and membership is not None
            and membership.community.commune_id == commune.pk
        )

    @property
    def moderates_registrations(self) -> bool:
        """A moderator of some commune, a referent of their community, or the platform team
        (``communities.memberships.communities_moderated_by`` is not empty)."""
        if self.superuser:
            return True
        if any(StaffRole.MODERATOR in roles for roles in self.roles_by_commune.values()):
            return True
        membership = self.verified_membership
        return membership is not None and membership.role == CommunityRole.REFERENT


_ANONYMOUS = ViewerFacts()


def _user_version_key(user_pk) -> str:
    return f"viewer:user:{user_pk}"


def _facts_from_database(user) -> ViewerFacts:
    roles: dict[int, set[str]] = {}
    for commune_id, role in CommuneGroup.objects.filter(group__user=user).values_list(
        "commune_id", "role"
    ):
        roles.setdefault(commune_id, set()).add(role)
    return ViewerFacts(
        membership=active_membership(user=user),
        roles_by_commune={pk: frozenset(values) for pk, values in roles.items()},
        superuser=user.is_superuser,
    )


def _cached_facts(user) -> ViewerFacts:
    # One round trip: both versions and the facts, kept with the versions they were read
    # under (facts of earlier versions are read again).
    version_key, facts_key = _user_version_key(user.pk), f"viewer:facts:{user.pk}"
    found = cache.get_many([GENERATION_KEY, version_key, facts_key])
    generation = found.get(GENERATION_KEY) or _start(GENERATION_KEY)
    user_version = found.get(version_key) or _start(version_key)
    versions = (generation, user_version, user.is_superuser)
    stored = found.get(facts_key)
    if stored is not None and stored[0] == versions:
        return stored[1]
    facts = _facts_from_database(user)
    cache.set(facts_key, (versions, facts), TIMEOUT)
    return facts


def viewer_facts(*, request) -> ViewerFacts:
    """The signed-in user's membership and roles, for this request's pages."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return _ANONYMOUS
    facts = getattr(request, "_viewer_facts", None)
    if facts is None or facts[0] != user.pk:
        facts = (user.pk, _cached_facts(user))
        request._viewer_facts = facts
    return facts[1]


def viewer_forget(*, user_pk) -> None:
    """Make ``user_pk``'s cached facts stale (their membership, groups or account changed)."""
    _bump(_user_version_key(user_pk))


def viewer_facts_invalidate() -> None:
    """Make everybody's cached facts stale (a commune, community or staff group changed)."""
    _bump(GENERATION_KEY)


def _start(key: str) -> int:
    """A version first seen (or evicted): one no earlier copy was stored under."""
    cache.add(key, time.time_ns(), timeout=None)
    return cache.get(key) or 0


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, time.time_ns(), timeout=None)
