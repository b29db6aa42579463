"""Who may moderate what: the registrations queue (the mairie's moderators and communities'
referents) and Wagtail's workflow screens (the moderators of the page's commune).

Views ask these functions, and ``communities.memberships`` asks them again before any
decision: a moderator of one commune never reaches another commune's applicants.
"""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from wagtail.models import Page, TaskState

from communities.memberships import communities_moderated_by
from communities.models import Membership, StaffRole
from communities.permissions import pages_visible_in_admin
from communities.selectors import communes_where, staff_roles_held


def moderates_registrations(*, user) -> bool:
    """Whether ``user`` decides registrations of at least one community."""
    return communities_moderated_by(user=user).exists()


def memberships_reviewable_by(*, user) -> QuerySet[Membership]:
    """Requests ``user`` may open, pending or already decided: their communities' only,
    never their own."""
    return (
        Membership.objects.filter(community__in=communities_moderated_by(user=user))
        .exclude(user=user)
        .select_related("user", "community__commune", "sponsor", "decided_by")
    )


def sees_moderation_menu(*, request) -> bool:
    """The admin menu entry is for the mairie's moderators (referents have no admin)."""
    return StaffRole.MODERATOR in staff_roles_held(request=request)


def workflow_page_reachable(*, user, page_id: int) -> bool:
    """Whether ``user`` may open a Wagtail workflow screen about the page ``page_id``.

    The pages of the admin they may see (their commune's tree), or any page of a commune
    where they moderate (the gazette's pre-moderation): a moderator of Didenheim never
    learns the title, task or state of a page of Cadaujac through a crafted URL.
    """
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if pages_visible_in_admin(user=user).filter(pk=page_id).exists():
        return True
    page = Page.objects.filter(pk=page_id).only("path").first()
    if page is None:
        return False
    roots = Page.objects.filter(
        pk__in=communes_where(user=user, role=StaffRole.MODERATOR).values("site__root_page")
    ).only("path")
    return any(page.path.startswith(root.path) for root in roots)


def task_state_of_page(*, task_state_id: int, page_id: int) -> bool:
    """Whether the task state belongs to a workflow run on the page ``page_id``.

    Wagtail's action views take both ids and check the action against the task state's
    own task: without this, a moderator could act on their own task while Wagtail
    describes (and redirects to) another commune's page.
    """
    return TaskState.objects.filter(
        pk=task_state_id,
        workflow_state__base_content_type=ContentType.objects.get_for_model(Page),
        workflow_state__object_id=str(page_id),
    ).exists()
