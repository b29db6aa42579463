"""Admin wiring: menu entries for the registrations queue and the reports queue ("Signalements")."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem

from communities.memberships import pending_memberships_for

from .permissions import sees_moderation_menu


class RegistrationsMenuItem(MenuItem):
    """ "Inscriptions à valider (3)": shown to moderators only, with their own queue's count.

    Menu items are shared between requests, so the label is built per request and never
    stored on the instance.
    """

    def is_shown(self, request):
        return sees_moderation_menu(user=request.user)

    def label_for(self, request) -> str:
        count = pending_memberships_for(moderator=request.user).count()
        return _("Inscriptions à valider (%(count)s)") % {"count": count}

    def render_component(self, request):
        return LinkMenuItem(
            self.name,
            self.label_for(request),
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs=self.attrs,
        )


@hooks.register("register_admin_menu_item")
def register_registrations_menu_item():
    return RegistrationsMenuItem(
        gettext_lazy("Inscriptions à valider"),
        reverse("moderation:queue"),
        name="registrations",
        icon_name="user",
        order=250,
    )


@hooks.register("register_admin_viewset")
def register_reports_viewset():
    from .admin_views import ReportsViewSet

    return ReportsViewSet()
