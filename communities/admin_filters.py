"""The people Wagtail's admin filters offer, narrowed to what the viewer may already see.

Wagtail builds the choices of its listing and report filters ("Owner", "Edited by",
"Locked by", "Requested by", the site history's "User") from every page and log entry of
the installation: a Cadaujac editor would read, in a checkbox list, the names of
Didenheim's staff and of the residents who post in Didenheim's gazette. Each list here is
built from the pages and log entries the viewer may see in the admin
(``pages_visible_in_admin``), so it names nobody from another commune.
"""

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from wagtail.admin.views.pages.listing import PageFilterSet
from wagtail.admin.views.reports.audit_logging import (
    SiteHistoryReportFilterSet,
    get_users_for_filter,
)
from wagtail.admin.views.reports.locked_pages import LockedPagesReportFilterSet
from wagtail.admin.views.reports.workflows import WorkflowReportFilterSet
from wagtail.models import Page, PageLogEntry, WorkflowState

from .permissions import pages_visible_in_admin


def _by_username(users: QuerySet) -> QuerySet:
    return users.order_by(get_user_model().USERNAME_FIELD)


def page_owners_for_filter(request) -> QuerySet:
    """Owners of the pages the viewer may see (gazette authors of their commune included)."""
    pages = pages_visible_in_admin(user=request.user).order_by()
    return _by_username(get_user_model().objects.filter(pk__in=pages.values("owner_id")))


def page_editors_for_filter(request) -> QuerySet:
    """Who edited the pages the viewer may see."""
    edits = PageLogEntry.objects.viewable_by_user(request.user).filter(action="wagtail.edit")
    return _by_username(get_user_model().objects.filter(pk__in=edits.order_by().values("user_id")))


def page_lockers_for_filter(request) -> QuerySet:
    """Who locked the pages the viewer may see."""
    pages = pages_visible_in_admin(user=request.user).filter(locked=True).order_by()
    return _by_username(get_user_model().objects.filter(pk__in=pages.values("locked_by_id")))


def workflow_requesters_for_filter(request) -> QuerySet:
    """Who submitted the pages the viewer may see to a workflow."""
    page_ids = (
        pages_visible_in_admin(user=request.user)
        .order_by()
        .values_list(Cast("id", output_field=CharField()), flat=True)
    )
    states = WorkflowState.objects.filter(
        base_content_type=ContentType.objects.get_for_model(Page), object_id__in=page_ids
    )
    return _by_username(
        get_user_model().objects.filter(pk__in=states.order_by().values("requested_by_id"))
    )


class OwnSiteHistoryFilterSet(SiteHistoryReportFilterSet):
    """Wagtail means the report's "User" filter to list the authors of the entries the viewer
    may read (``get_users_for_filter``), but its base filter set lists every author of every
    page entry; this one lists the former."""

    def get_users_queryset(self):
        return get_users_for_filter(self.request.user)


def _narrow(filterset_class, name: str, users_for) -> None:
    # Subclasses (the explorer's per-type filter sets, the forms listing's) share the filter
    # objects declared on their base: narrowing the base narrows them all. A KeyError here
    # at start-up means Wagtail renamed a filter that must stay narrowed.
    filterset_class.declared_filters[name].queryset = users_for


def user_filters_narrow() -> None:
    """Narrow every admin filter that lists people (called once, from ``wagtail_hooks``)."""
    _narrow(PageFilterSet, "owner", page_owners_for_filter)
    _narrow(PageFilterSet, "edited_by", page_editors_for_filter)
    _narrow(LockedPagesReportFilterSet, "locked_by", page_lockers_for_filter)
    _narrow(WorkflowReportFilterSet, "requested_by", workflow_requesters_for_filter)
