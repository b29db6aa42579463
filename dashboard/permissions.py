"""Who sees which commune's dashboard: the tenant rule of every dashboard screen.

The mairie's dashboard is for the commune's staff who enter the Wagtail admin
(administrators, editors, moderators, broadcasters); the police municipale has its own
reduced dashboard on the commune's site. The platform team sees every commune's. Staff of
one commune never reach another's figures: views and the live endpoint ask these functions,
and an unknown or foreign commune answers 404.
"""

from django.db.models import QuerySet

from alerts.models import ALERT_STAFF_ROLES
from communities.models import Commune, StaffRole
from communities.selectors import roles_in_commune, staff_roles_held

MAIRIE_DASHBOARD_ROLES = [
    StaffRole.ADMINISTRATOR,
    StaffRole.EDITOR,
    StaffRole.MODERATOR,
    StaffRole.BROADCASTER,
]


def dashboard_communes(*, user) -> QuerySet[Commune]:
    """Communes whose mairie dashboard ``user`` may read (every commune for superusers)."""
    if not user.is_authenticated or not user.is_active:
        return Commune.objects.none()
    if user.is_superuser:
        return Commune.objects.all()
    return Commune.objects.filter(
        staff_groups__group__user=user, staff_groups__role__in=MAIRIE_DASHBOARD_ROLES
    ).distinct()


def sees_dashboard(*, request) -> bool:
    """Whether ``dashboard_communes`` is not empty for ``request.user``, from the roles read
    once per request: the admin's menu and home page ask on every page. The platform team
    holds every role but reads no dashboard before a commune exists."""
    if request.user.is_superuser:
        return dashboard_communes(user=request.user).exists()
    return bool(staff_roles_held(request=request) & set(MAIRIE_DASHBOARD_ROLES))


def police_dashboard_allowed(*, user, commune: Commune) -> bool:
    """The reduced dashboard of running alerts: the commune's police municipale, and the
    staff who already receive every alert of the commune (administrators, moderators,
    broadcasters), the platform team included."""
    if not user.is_authenticated or not user.is_active:
        return False
    return _sees_police(roles_in_commune(user=user, commune=commune))


def _sees_police(roles: set[str]) -> bool:
    return bool(roles & set(ALERT_STAFF_ROLES))


def moderates_commune(*, user, commune: Commune) -> bool:
    """Whether the moderation screens a figure leads to (registrations, alerts, reports)
    are ``user``'s: the commune's moderators and the platform team. Others see the figure
    without a link to a screen that would refuse them."""
    return _moderates(roles_in_commune(user=user, commune=commune))


def _moderates(roles: set[str]) -> bool:
    return StaffRole.MODERATOR in roles


def sees_small_counts(*, user, commune: Commune) -> bool:
    """Whether counts below 5 in a community's row are shown as they are.

    Only the mairie's administrators (and the platform team) see them: to anyone else a
    community of three members, or two alerts in a hamlet, is shown as "< 5", since so
    small a number points at people.
    """
    return _sees_small_counts(roles_in_commune(user=user, commune=commune))


def _sees_small_counts(roles: set[str]) -> bool:
    return StaffRole.ADMINISTRATOR in roles


def dashboard_viewer(*, user, commune: Commune) -> dict[str, bool]:
    """What of ``commune``'s dashboard ``user`` sees beyond the figures every reader gets,
    by the three rules above (``sees_small_counts``, ``moderates_commune``,
    ``police_dashboard_allowed``), from one read of their roles: the dashboard's HTML is
    rendered once for each such kind of viewer."""
    active = user.is_authenticated and user.is_active
    roles = roles_in_commune(user=user, commune=commune) if active else set()
    return {
        "exact_counts": _sees_small_counts(roles),
        "moderates": _moderates(roles),
        "sees_police": _sees_police(roles),
    }


def platform_console_allowed(*, user) -> bool:
    """The platform team's console (every commune's figures side by side, creating a
    commune): superusers only, never a commune's staff, whatever their role."""
    return bool(user.is_authenticated and user.is_active and user.is_superuser)
