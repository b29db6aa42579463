"""Admin paths whose Wagtail view is replaced by a commune-aware one.

Included in ``portal.urls`` before Wagtail's admin URLs, under the same paths, so that the
names Wagtail reverses (``wagtailadmin_reports:page_types_usage``…) lead here.
"""

from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access

from .admin_views import (
    ChosenPagesView,
    OwnPagesBrowseView,
    OwnSiteHistoryView,
    OwnTranslationsReportView,
    PlatformPageTypesUsageReportView,
    bulk_action,
)


def _admin(view):
    return never_cache(require_admin_access(view))


urlpatterns = [
    path("bulk/<str:app_label>/<str:model_name>/<str:action>/", _admin(bulk_action)),
    path("choose-page/", _admin(OwnPagesBrowseView.as_view())),
    path("choose-page/<int:parent_page_id>/", _admin(OwnPagesBrowseView.as_view())),
    path("choose-page/chosen-multiple/", _admin(ChosenPagesView.as_view())),
    path("reports/site-history/", _admin(OwnSiteHistoryView.as_view())),
    path("reports/site-history/results/", _admin(OwnSiteHistoryView.as_view(results_only=True))),
    path("reports/page-types-usage/", _admin(PlatformPageTypesUsageReportView.as_view())),
    path(
        "reports/page-types-usage/results/",
        _admin(PlatformPageTypesUsageReportView.as_view(results_only=True)),
    ),
    path("localize/reports/translations/", _admin(OwnTranslationsReportView.as_view())),
    path(
        "localize/reports/translations/results/",
        _admin(OwnTranslationsReportView.as_view(results_only=True)),
    ),
]
