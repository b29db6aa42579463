"""Replacements for the few Wagtail admin views that ignore the commune boundary.

They are routed under Wagtail's own paths (see ``communities.admin_urls``), and otherwise
behave as the views they replace.
"""

from functools import cache

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from wagtail.admin.views.bulk_action.registry import bulk_action_registry
from wagtail.admin.views.chooser import (
    BrowseView,
    ChosenMultipleView,
    base_page_type_string,
    page_models_from_string,
)
from wagtail.admin.views.reports.audit_logging import LogEntriesView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.documents.models import AbstractDocument
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.images.models import AbstractImage
from wagtail.models import Page
from wagtail_localize.views.report import TranslationsReportView

from .admin_filters import OwnSiteHistoryFilterSet
from .permissions import media_visible_in_admin, pages_visible_in_admin, user_sees_every_commune


class OwnPagesBrowseView(BrowseView):
    """The page chooser's browser, opened only on pages the user may see in the admin.

    Wagtail filters the children it lists (``construct_page_chooser_queryset``) but shows
    the page named in the URL as their parent, title, status and link included: another
    commune's page, community-only gazette post or draft answers 404 here. Without a page
    in the URL, Wagtail starts from the closest ancestor of every page of the requested
    types, which may lie in another commune; this starts from the closest ancestor of those
    the user may see.
    """

    def get(self, request, parent_page_id=None):
        visible = pages_visible_in_admin(user=request.user)
        if parent_page_id is not None:
            if not visible.filter(pk=parent_page_id).exists():
                raise Http404
        else:
            page_type = request.GET.get("page_type") or base_page_type_string
            try:
                page_types = page_models_from_string(page_type)
            except (ValueError, LookupError) as error:
                raise Http404 from error
            if page_types != (Page,):
                parent_page_id = visible.type(*page_types).first_common_ancestor().pk
        return super().get(request, parent_page_id)


class OwnSiteHistoryView(LogEntriesView):
    """The site history report, whose "User" filter names only authors of entries the user
    may read (their commune's staff and residents, not another commune's)."""

    filterset_class = OwnSiteHistoryFilterSet


class ChosenPagesView(ChosenMultipleView):
    """Describes the chosen pages only among those the user may see in the admin."""

    def get(self, request):
        ids = [value for value in request.GET.getlist("id") if value.isdigit()]
        pages = pages_visible_in_admin(user=request.user).filter(pk__in=ids).specific()
        return self.render_chosen_response(
            [
                {
                    "id": page.pk,
                    "parentId": page.get_parent().pk,
                    "adminTitle": page.get_admin_display_title(),
                    "editUrl": reverse("wagtailadmin_pages:edit", args=(page.pk,)),
                    "url": page.url,
                }
                for page in pages
            ]
        )


class PlatformPageTypesUsageReportView(PageTypesUsageReportView):
    """Its counts and last-edited pages span every commune: the platform team's report."""

    def dispatch(self, request, *args, **kwargs):
        if not user_sees_every_commune(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OwnTranslationsReportView(TranslationsReportView):
    """Lists only the translations of pages the user may see in the admin."""

    def get_queryset(self):
        translations = super().get_queryset()
        if user_sees_every_commune(user=self.request.user):
            return translations
        pages = pages_visible_in_admin(user=self.request.user)
        return translations.filter(source__object_id__in=pages.values("translation_key"))


class OwnImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        visible = media_visible_in_admin(user=self.request.user, model=self.model)
        return super().get_queryset().filter(pk__in=visible.values("pk"))


class OwnDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        visible = media_visible_in_admin(user=self.request.user, model=self.model)
        return super().get_queryset().filter(pk__in=visible.values("pk"))


def _visible_in_admin(*, user, model):
    if issubclass(model, Page):
        return pages_visible_in_admin(user=user)
    if issubclass(model, AbstractImage | AbstractDocument):
        return media_visible_in_admin(user=user, model=model)
    return None


class VisibleObjectsOnlyMixin:
    """Leaves out of a bulk action the objects the user may not even see.

    Wagtail lists them, title included, as "items you may not act on": with ``id=all`` that
    would be every page of every commune.
    """

    def get_actionable_objects(self):
        objects, context = super().get_actionable_objects()
        refused = context.get("items_with_no_access")
        visible = _visible_in_admin(user=self.request.user, model=self.model)
        if refused and visible is not None:
            visible_ids = set(
                visible.filter(pk__in=[item.pk for item in refused]).values_list("pk", flat=True)
            )
            context["items_with_no_access"] = [item for item in refused if item.pk in visible_ids]
        return objects, context


@cache
def _visible_objects_only(action_class):
    return type(action_class.__name__, (VisibleObjectsOnlyMixin, action_class), {})


def bulk_action(request, app_label, model_name, action):
    """Wagtail's bulk action dispatcher, with every action limited to visible objects."""
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as error:
        raise Http404 from error
    action_class = bulk_action_registry.get_bulk_action_class(app_label, model_name, action)
    if action_class is None:
        raise Http404
    return _visible_objects_only(action_class)(request, model).dispatch(request)
