"""Wagtail admin wiring for communes: scoped permission policies, screens, history, choosers.

Together with ``communities.admin_urls``, this keeps mairie staff within their commune
in every admin screen, listing, chooser and API that Wagtail offers them.
"""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_filters import user_filters_narrow
from .admin_views import OwnDocumentsAdminAPIViewSet, OwnImagesAdminAPIViewSet
from .models import Commune, CommuneLogEntry, Community
from .permissions import pages_visible_in_admin, user_sees_every_commune
from .role_views import LOG_FORMATTERS
from .viewsets import CommunePermissionPolicy, CommuneScopedPermissionPolicy, MairieViewSetGroup

register_permission_policy(Community, CommuneScopedPermissionPolicy(Community), exact_class=True)
register_permission_policy(Commune, CommunePermissionPolicy(Commune), exact_class=True)
user_filters_narrow()


@hooks.register("register_admin_viewset")
def register_mairie_viewsets():
    return MairieViewSetGroup()


@hooks.register("register_log_actions")
def keep_commune_history_within_the_commune(actions):
    actions.register_model(Commune, CommuneLogEntry)
    actions.register_model(Community, CommuneLogEntry)
    for action, formatter in LOG_FORMATTERS.items():
        actions.register_action(action)(formatter)


@hooks.register("construct_page_chooser_queryset")
def page_chooser_shows_own_communes_only(pages, request):
    return pages.filter(pk__in=pages_visible_in_admin(user=request.user).values("pk"))


@hooks.register("construct_admin_api", order=100)
def admin_api_lists_own_communes_media_only(router):
    router.register_endpoint("images", OwnImagesAdminAPIViewSet)
    router.register_endpoint("documents", OwnDocumentsAdminAPIViewSet)


@hooks.register("construct_reports_menu")
def page_types_report_for_the_platform_team(request, menu_items):
    if not user_sees_every_commune(user=request.user):
        menu_items[:] = [item for item in menu_items if item.name != "page-types-usage"]
