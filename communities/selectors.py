"""Reads about communes: which commune a request belongs to, who holds which role.

These are the single tenant scope of the platform: every admin screen, view and task asks
them which communes a user may act on, so that staff of one commune never reach another.
"""

import time

from django.core.cache import cache
from django.db.models import QuerySet
from wagtail.models import Site

from .models import Commune, CommuneGroup, StaffRole

COMMUNE_CACHE_GENERATION_KEY = "commune-of-site:generation"
COMMUNE_CACHE_SECONDS = 3600
_NO_COMMUNE = "none"


def commune_for_site(*, site: Site | None) -> Commune | None:
    """The commune of ``site`` (with its logo), from the shared cache: every page asks it,
    and communes change a few times a year. A saved commune, site or logo makes every
    cached answer stale (``commune_cache_invalidate``, ``communities.signal_handlers``)."""
    if site is None:
        return None
    # One round trip: the generation and the answer, kept with the generation it was read
    # under (an answer of an earlier generation is read again).
    key = f"commune-of-site:{site.pk}"
    found = cache.get_many([COMMUNE_CACHE_GENERATION_KEY, key])
    generation = found.get(COMMUNE_CACHE_GENERATION_KEY)
    if generation is None:
        cache.add(COMMUNE_CACHE_GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(COMMUNE_CACHE_GENERATION_KEY)
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        commune = stored[1]
    else:
        commune = Commune.objects.select_related("logo").filter(site_id=site.pk).first()
        cache.set(
            key, (generation, _NO_COMMUNE if commune is None else commune), COMMUNE_CACHE_SECONDS
        )
    if commune is None or commune == _NO_COMMUNE:
        return None
    commune.site = site
    # The layout's cached fragments (header, footer) name the commune's version in their key.
    commune.cache_generation = generation
    return commune


def commune_cache_invalidate() -> None:
    """Forget every cached site → commune answer (a commune, site or logo changed)."""
    try:
        cache.incr(COMMUNE_CACHE_GENERATION_KEY)
    except ValueError:
        cache.set(COMMUNE_CACHE_GENERATION_KEY, time.time_ns(), timeout=None)


def commune_for_page(*, page) -> Commune | None:
    """The commune whose site's tree holds ``page`` (None outside every commune's site, or
    for a page not saved yet)."""
    if page is None or not page.path:
        return None
    ancestors = page.get_ancestors(inclusive=True)
    return Commune.objects.filter(site__root_page__in=ancestors).select_related("site").first()


def commune_for_request(*, request) -> Commune | None:
    """The commune whose site answers this host name, or None on the platform's own site."""
    if not hasattr(request, "_commune_cache"):
        site = Site.find_for_request(request)
        request._commune_cache = commune_for_site(site=site)
    return request._commune_cache


def communes_where(*, user, role: StaffRole | None = None) -> QuerySet[Commune]:
    """Communes in which ``user`` holds ``role`` (any staff role when None).

    The platform team (superusers) holds every role everywhere.
    """
    if not user.is_authenticated or not user.is_active:
        return Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all()
    filters = {"staff_groups__group__user": user}
    if role is not None:
        filters["staff_groups__role"] = role
    return Commune.objects.filter(**filters).distinct()


def user_has_commune_role(*, user, commune: Commune, role: StaffRole) -> bool:
    return communes_where(user=user, role=role).filter(pk=commune.pk).exists()


def roles_in_commune(*, user, commune: Commune) -> set[str]:
    if user.is_superuser:
        return set(StaffRole.values)
    return set(commune.staff_groups.filter(group__user=user).values_list("role", flat=True))


def staff_roles_held(*, request) -> frozenset[str]:
    """The staff roles ``request.user`` holds in at least one commune (every role for the
    platform team), read once per request.

    The Wagtail admin asks on every page whether to show each sidebar entry (and again for
    its search); each entry's rule is a question about these roles, answered here from one
    query instead of one query per entry. Kept on the request only, for its user: a role
    granted or taken away shows at the next page.
    """
    user = request.user
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(StaffRole.values)
    held = getattr(request, "_staff_roles_held", None)
    if held is None or held[0] != user.pk:
        roles = CommuneGroup.objects.filter(group__user=user).values_list("role", flat=True)
        held = (user.pk, frozenset(roles.order_by().distinct()))
        request._staff_roles_held = held
    return held[1]


def staff_roles_of(*, user) -> QuerySet:
    """The (commune, role) pairs ``user`` holds, as ``CommuneGroup`` rows with their commune
    (the platform team's implicit roles everywhere are not listed)."""
    return (
        CommuneGroup.objects.filter(group__user=user)
        .select_related("commune")
        .order_by("commune__name", "role")
    )
