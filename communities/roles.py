"""A mairie's team: who holds which staff role in a commune, and who refers a community.

Roles are managed by the platform team (every commune) and by a commune's administrators
(their own commune only): ``can_manage_team`` is the one rule, asked by the admin screens
and again by every write below. Each change is logged in the commune's history
(``CommuneLogEntry``, through ``wagtail.log_actions.log``) with the actor, the role and the
person's id only — no name or address is copied there, so erasing an account leaves none
behind.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.models import normalize_email

from .models import (
    Commune,
    CommuneGroup,
    CommuneLogEntry,
    CommunityRole,
    Membership,
    MembershipStatus,
    StaffRole,
)
from .selectors import communes_where, staff_roles_held, user_has_commune_role
from .services import staff_role_grant

ACTION_ROLE_GRANTED = "communities.staff_role.grant"
ACTION_ROLE_REVOKED = "communities.staff_role.revoke"
ACTION_REFERENT_SET = "communities.referent.set"
ACTION_REFERENT_UNSET = "communities.referent.unset"
TEAM_ACTIONS = (
    ACTION_ROLE_GRANTED,
    ACTION_ROLE_REVOKED,
    ACTION_REFERENT_SET,
    ACTION_REFERENT_UNSET,
)


def no_such_member_message() -> str:
    """The one answer for an address that is not a member of the commune, whatever the reason
    (no account, an account elsewhere, not verified): never reveals whether it exists."""
    return _("Aucun membre de la commune avec cette adresse")


# --- Permissions and reads ---------------------------------------------------------------------


def can_manage_team(*, user, commune: Commune) -> bool:
    """Whether ``user`` manages ``commune``'s staff roles and referents.

    The commune's administrators, and the platform team (superusers) for every commune.
    """
    return user_has_commune_role(user=user, commune=commune, role=StaffRole.ADMINISTRATOR)


def communes_managed_by(*, user) -> QuerySet[Commune]:
    """Communes whose team ``user`` manages (every commune for the platform team)."""
    return communes_where(user=user, role=StaffRole.ADMINISTRATOR)


def manages_a_team(*, request) -> bool:
    """Whether ``request.user`` manages some commune's team (``communes_managed_by`` is not
    empty), from the roles read once per request: the admin's menu asks on every page."""
    return StaffRole.ADMINISTRATOR in staff_roles_held(request=request)


def role_holders(*, commune: Commune, role: StaffRole) -> QuerySet:
    """Accounts holding ``role`` in ``commune`` through its staff group (by name)."""
    return (
        get_user_model()
        .objects.filter(groups__commune_role__commune=commune, groups__commune_role__role=role)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def team_of(*, commune: Commune) -> list[tuple[StaffRole, list]]:
    """Every staff role of ``commune`` with its holders, in the roles' order."""
    return [(role, list(role_holders(commune=commune, role=role))) for role in StaffRole]


def team_candidates(*, commune: Commune) -> QuerySet:
    """Who may be given a role in ``commune``: its verified residents and its current staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(
                memberships__status=MembershipStatus.VERIFIED,
                memberships__community__commune=commune,
            )
            | Q(groups__commune_role__commune=commune)
        )
        .distinct()
    )


def team_candidate_by_email(*, commune: Commune, email: str, by):
    """The account a role may be given to in ``commune``, found by e-mail address, or None.

    A commune's administrator finds only the commune's verified residents and staff: the
    same None for an unknown address as for a resident of another commune. The platform
    team, which already sees every account, finds any active account (a new commune's first
    administrator need not live there).
    """
    email = normalize_email(email)
    if email is None or not can_manage_team(user=by, commune=commune):
        return None
    if by.is_superuser:
        accounts = get_user_model().objects.filter(is_active=True)
    else:
        accounts = team_candidates(commune=commune)
    return accounts.filter(email=email).first()


def referents_of(*, commune: Commune) -> QuerySet[Membership]:
    """Verified memberships holding the referent role in ``commune``'s communities."""
    return verified_memberships_of(commune=commune).filter(role=CommunityRole.REFERENT)


def verified_memberships_of(*, commune: Commune) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(community__commune=commune, status=MembershipStatus.VERIFIED)
        .select_related("user", "community")
        .order_by("community__name", "user__last_name", "user__first_name", "pk")
    )


def team_history(*, commune: Commune) -> QuerySet[CommuneLogEntry]:
    """The commune's log of role and referent changes, newest first."""
    return CommuneLogEntry.objects.filter(commune=commune, action__in=TEAM_ACTIONS).select_related(
        "user"
    )


# --- Writes ------------------------------------------------------------------------------------


def _check_manager(*, by, commune: Commune) -> None:
    if not can_manage_team(user=by, commune=commune):
        raise PermissionDenied(_("Vous ne gérez pas l'équipe de cette commune."))


def _eligible(*, user, commune: Commune, by) -> bool:
    if not user.is_active:
        return False
    if by.is_superuser:
        return True
    return team_candidates(commune=commune).filter(pk=user.pk).exists()


@transaction.atomic
def staff_role_assign(*, user, commune: Commune, role: StaffRole, by) -> bool:
    """Give ``user`` ``role`` in ``commune``, on behalf of ``by``. Returns False if already held.

    Only for the commune's verified residents and staff (any account for the platform
    team); anyone else gets the same neutral refusal. A new staff member must activate
    two-factor authentication at their next admin visit (``StaffSecurityMiddleware``).
    """
    role = StaffRole(role)
    _check_manager(by=by, commune=commune)
    if not _eligible(user=user, commune=commune, by=by):
        raise ValidationError({"email": no_such_member_message()})
    if role_holders(commune=commune, role=role).filter(pk=user.pk).exists():
        return False
    staff_role_grant(user=user, commune=commune, role=role)
    log(instance=commune, action=ACTION_ROLE_GRANTED, user=by, data=_role_data(user, role))
    return True


@transaction.atomic
def staff_role_revoke(*, user, commune: Commune, role: StaffRole, by) -> bool:
    """Take ``role`` in ``commune`` away from ``user``. Returns False if they did not hold it.

    A commune always keeps an administrator: an administrator cannot remove their own
    administrator role, and nobody removes the last one.
    """
    role = StaffRole(role)
    _check_manager(by=by, commune=commune)
    link = (
        CommuneGroup.objects.select_for_update(of=("self",))
        .select_related("group")
        .filter(commune=commune, role=role)
        .first()
    )
    if link is None or not link.group.user_set.filter(pk=user.pk).exists():
        return False
    if role == StaffRole.ADMINISTRATOR:
        if user.pk == by.pk and not by.is_superuser:
            raise ValidationError(
                _(
                    "Vous ne pouvez pas retirer votre propre rôle d'administrateur : demandez-le "
                    "à un autre administrateur de la commune ou à l'équipe de la plateforme."
                )
            )
        if not link.group.user_set.exclude(pk=user.pk).filter(is_active=True).exists():
            raise ValidationError(
                _(
                    "La commune doit garder au moins un administrateur : nommez-en un autre "
                    "avant de retirer celui-ci."
                )
            )
    link.group.user_set.remove(user)
    log(instance=commune, action=ACTION_ROLE_REVOKED, user=by, data=_role_data(user, role))
    return True


@transaction.atomic
def referent_set(*, membership: Membership, referent: bool, by) -> bool:
    """Make a verified member their community's referent, or a resident again.

    A referent decides their own community's registrations. Returns False if nothing changed.
    """
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("community__commune")
        .get(pk=membership.pk)
    )
    _check_manager(by=by, commune=membership.commune)
    if membership.status != MembershipStatus.VERIFIED:
        raise ValidationError(_("Seul un membre vérifié de la communauté peut en être référent."))
    role = CommunityRole.REFERENT if referent else CommunityRole.RESIDENT
    if membership.role == role:
        return False
    membership.role = role
    membership.save(update_fields=["role"])
    log(
        instance=membership.community,
        action=ACTION_REFERENT_SET if referent else ACTION_REFERENT_UNSET,
        user=by,
        data={"user_id": membership.user_id, "membership_id": membership.pk},
    )
    return True


def _role_data(user, role: StaffRole) -> dict:
    return {"user_id": user.pk, "role": str(role.value)}
