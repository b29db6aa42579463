"""Who a viewer is, for every "may they see this?" question: the one audience rule.

Content aimed at communities (alerts, gazette posts, the mairie's targeted messages) is
visible to the verified members of the communities it targets — or of the whole commune
when it targets none — and to the commune's staff. ``audience_q`` builds that filter once,
for any model with a ``commune`` and a community target, so that every read path (page,
listing, search, feed, digest, API) asks the same question.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from .models import CommuneGroup, Community, Membership, MembershipStatus


@dataclass(frozen=True)
class ViewerScope:
    """Subqueries: the communities a viewer is a verified member of, their communes, and
    the communes where they hold one of the given staff roles."""

    member_of: QuerySet
    member_communes: QuerySet
    staff_communes: QuerySet


def viewer_scope(*, user, staff_roles=None) -> ViewerScope:
    member_of = Membership.objects.filter(user=user, status=MembershipStatus.VERIFIED).values(
        "community_id"
    )
    staff = CommuneGroup.objects.filter(group__user=user)
    if staff_roles is not None:
        staff = staff.filter(role__in=staff_roles)
    return ViewerScope(
        member_of=member_of,
        member_communes=Community.objects.filter(pk__in=member_of).values("commune_id"),
        staff_communes=staff.values("commune_id"),
    )


def audience_q(*, scope: ViewerScope, targets: QuerySet, community_field: str | None = None) -> Q:
    """Rows aimed at the viewer as a member: their community, or their whole commune.

    ``targets`` is the row's many-to-many target table filtered on ``OuterRef("pk")``
    (no target = the whole commune); ``community_field`` names a single-community foreign
    key checked first when the model has one (a resident's alert or post).
    """
    whole_or_mine = ~Exists(targets) | Exists(targets.filter(community_id__in=scope.member_of))
    commune_wide = Q(commune__in=scope.member_communes) & whole_or_mine
    if community_field is None:
        return commune_wide
    return Q(**{f"{community_field}__in": scope.member_of}) | (
        Q(**{community_field: None}) & commune_wide
    )


def targets_of(through_model, *, fk: str) -> QuerySet:
    """The target rows of the outer row, for ``audience_q``."""
    return through_model.objects.filter(**{fk: OuterRef("pk")})
