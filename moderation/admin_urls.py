"""Wagtail's workflow screens, closed to staff of other communes.

Wagtail checks a moderation action against the task's groups, but reads the page and the
task state from two independent URL ids and names the page in its messages: a moderator
of Didenheim could open Cadaujac's page in a workflow modal, read its title from an error
message ("… is not currently awaiting moderation"), or see its workflow's name. These
paths come before Wagtail's own (see ``portal.urls``) and answer 404 unless the page is
in the user's reach (``moderation.permissions.workflow_page_reachable``) and the task
state belongs to that page; then Wagtail's own view runs unchanged.
"""

from functools import wraps

from django.http import Http404
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry

from .permissions import task_state_of_page, workflow_page_reachable


def _scoped(view_name: str, *, page_kwarg: str = "page_id"):
    view = page_viewset_registry.as_view(view_name, page_id_kwarg=page_kwarg)

    @wraps(view)
    def scoped(request, *args, **kwargs):
        page_id = kwargs[page_kwarg]
        if not workflow_page_reachable(user=request.user, page_id=page_id):
            raise Http404
        task_state_id = kwargs.get("task_state_id")
        if task_state_id is not None and not task_state_of_page(
            task_state_id=task_state_id, page_id=page_id
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return never_cache(require_admin_access(scoped))


urlpatterns = [
    path(
        "pages/workflow/action/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        _scoped("workflow_action"),
    ),
    path(
        "pages/workflow/collect_action_data/<int:page_id>/<slug:action_name>/<int:task_state_id>/",
        _scoped("collect_workflow_action_data"),
    ),
    path(
        "pages/workflow/confirm_cancellation/<int:page_id>/",
        _scoped("confirm_workflow_cancellation"),
    ),
    path("pages/workflow/preview/<int:page_id>/<int:task_id>/", _scoped("workflow_preview")),
    path("pages/<int:page_id>/workflow_history/", _scoped("workflow_history")),
    path(
        "pages/<int:page_id>/workflow_history/detail/<int:workflow_state_id>/",
        _scoped("workflow_history_detail"),
    ),
]
