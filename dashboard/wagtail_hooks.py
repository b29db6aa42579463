"""Admin wiring: the *Tableau de bord* menu entry and page, and its summary on the admin's home."""

from wagtail import hooks
from wagtail.admin.ui.components import Component

from .admin_views import SUMMARY_TEMPLATE, DashboardViewSet, commune_chosen, figures_context
from .console_views import ConsoleViewSet
from .permissions import sees_dashboard


@hooks.register("register_admin_viewset")
def register_dashboard_viewset():
    return DashboardViewSet()


@hooks.register("register_admin_viewset")
def register_platform_console_viewset():
    return ConsoleViewSet()


class DashboardSummaryPanel(Component):
    """The commune's key figures first on the admin's home, each linking to its screen."""

    name = "dashboard_summary"
    order = 10
    template_name = "dashboard/admin/home_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        commune, choices = commune_chosen(self.request)
        context = {"communes": choices, "commune": commune}
        if commune is not None:
            context.update(figures_context(self.request, commune, template_name=SUMMARY_TEMPLATE))
        return context


@hooks.register("construct_homepage_panels")
def dashboard_summary_on_admin_home(request, panels):
    if sees_dashboard(request=request):
        panels.insert(0, DashboardSummaryPanel(request))
