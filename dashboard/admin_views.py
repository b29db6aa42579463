"""The mairie's *Tableau de bord* in the Wagtail admin: the full page and its live fragment.

Both ask ``dashboard.permissions`` which communes the user may read: staff see their own
commune's figures, the platform team chooses a commune, and a commune the user may not read
answers 404 as if it did not exist.
"""

from django.http import Http404, HttpResponse, JsonResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from communities.models import Commune
from communities.selectors import commune_for_request

from . import charts, exports
from .commune_map import commune_map_for, commune_map_json
from .figures import PERIODS
from .live import POLL_SECONDS, figures_for, figures_rendered
from .permissions import (
    dashboard_communes,
    dashboard_viewer,
    police_dashboard_allowed,
    sees_dashboard,
    sees_small_counts,
)


def commune_chosen(request) -> tuple[Commune | None, list[Commune]]:
    """The commune whose dashboard ``request`` asks for, and those the user may choose from
    (none: the user reads no dashboard, and every dashboard address answers 404).

    ``?commune=<id>`` names one (404 unless the user may read it); otherwise the user's only
    commune, or the commune of the site the admin is opened on; otherwise none (the page
    then offers the choice).
    """
    choices = list(dashboard_communes(user=request.user).order_by("name"))
    if not choices:
        raise Http404
    wanted = request.GET.get("commune", "")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        commune = next((choice for choice in choices if choice.pk == int(wanted)), None)
        if commune is None:
            raise Http404
        return commune, choices
    if len(choices) == 1:
        return choices[0], choices
    here = commune_for_request(request=request)
    if here is not None and any(c.pk == here.pk for c in choices):
        return here, choices
    return None, choices


FIGURES_TEMPLATE = "dashboard/_figures.html"
SUMMARY_TEMPLATE = "dashboard/_summary.html"


def figures_context(request, commune: Commune, *, template_name: str = FIGURES_TEMPLATE) -> dict:
    """What the dashboard's templates need, for ``commune`` and the user looking at it:
    ``figures_html`` is ``template_name`` rendered once per read of the figures for each
    kind of viewer (see ``dashboard.live.figures_rendered``), not once per poll."""
    viewer = dashboard_viewer(user=request.user, commune=commune)

    def template_context(figures) -> dict:
        return {
            "commune": commune,
            "figures": figures,
            "periods": PERIODS,
            "alerts_chart": charts.alerts_chart(figures.alerts.by_month),
            "members_chart": charts.members_chart(figures.members.joins_by_month),
            "channels_chart": charts.channels_chart(figures.channels),
            **viewer,
        }

    return {
        "commune": commune,
        "periods": PERIODS,
        "figures_html": figures_rendered(
            commune=commune, template_name=template_name, viewer=viewer, context=template_context
        ),
        "refresh_url": f"{reverse('dashboard:figures')}?commune={commune.pk}",
        "poll_seconds": POLL_SECONDS,
        **viewer,
    }


class DashboardView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "dashboard/admin/dashboard.html"
    page_title = gettext_lazy("Tableau de bord")
    header_icon = "home"

    def dispatch(self, request, *args, **kwargs):
        self.commune, self.communes = commune_chosen(request)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.commune.name if self.commune else ""

    def get_breadcrumbs_items(self):
        label = self.get_page_title()
        if self.commune is not None:
            label = f"{label} — {self.commune.name}"
        return [*self.breadcrumbs_items, {"url": "", "label": label}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(communes=self.communes, **kwargs)
        if self.commune is not None:
            context.update(figures_context(self.request, self.commune))
        return context


@never_cache
def figures_fragment(request):
    """The figures' HTML alone, polled by ``dashboard.js`` every few seconds (``?vue=resume``:
    the summary of the admin's home)."""
    commune, _choices = commune_chosen(request)
    if commune is None:
        raise Http404
    summary = request.GET.get("vue") == "resume"
    template_name = SUMMARY_TEMPLATE if summary else FIGURES_TEMPLATE
    return HttpResponse(
        figures_context(request, commune, template_name=template_name)["figures_html"]
    )


@never_cache
@require_GET
def map_data(request):
    """The commune's map as JSON (``?commune=<id>&periode=week|month|year``): boundaries,
    their alert counts and the period's alerts at their community's centre, under the
    dashboard's rule. Markers go only to those who read the commune's alerts anyway (the
    alert staff): an editor sees the communities coloured, without markers."""
    commune, _choices = commune_chosen(request)
    if commune is None:
        raise Http404
    commune_map = commune_map_for(commune=commune, period_key=request.GET.get("periode"))
    return JsonResponse(
        commune_map_json(
            commune_map,
            exact_counts=sees_small_counts(user=request.user, commune=commune),
            with_markers=police_dashboard_allowed(user=request.user, commune=commune),
        )
    )


@never_cache
def figures_export(request):
    """Every figure of the page as a CSV file, alerts over ``?periode=`` (week, month,
    year), for the municipal council's report: the page's access rule and its "< 5"."""
    commune, _choices = commune_chosen(request)
    if commune is None:
        raise Http404
    figures = figures_for(commune=commune)
    return exports.csv_response(
        filename=exports.export_filename(subject=commune.name, now=figures.now),
        sections=exports.figures_sections(
            commune=commune,
            figures=figures,
            period=exports.period_chosen(request.GET.get("periode", "")),
            exact_counts=sees_small_counts(user=request.user, commune=commune),
        ),
    )


class DashboardMenuItem(MenuItem):
    """Shown to the staff who may read a commune's dashboard."""

    def is_shown(self, request):
        return sees_dashboard(request=request)


class DashboardViewSet(ViewSet):
    name = "dashboard"
    url_prefix = "tableau-de-bord"
    icon = "home"
    menu_label = gettext_lazy("Tableau de bord")
    menu_item_class = DashboardMenuItem
    add_to_admin_menu = True
    menu_order = 50

    def get_urlpatterns(self):
        return [
            path("", DashboardView.as_view(), name="index"),
            path("chiffres/", figures_fragment, name="figures"),
            path("export.csv", figures_export, name="export"),
            path("carte/", map_data, name="map"),
        ]
