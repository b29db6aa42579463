"""Admin wiring: the registrations queue, the reports queue ("Signalements"), proof openings."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.sidebar import LinkMenuItem
from wagtail.permissions import register_permission_policy

from communities.memberships import pending_memberships_for
from notifications.viewsets import PlatformReadOnlyPermissionPolicy

from .models import ProofAccess
from .permissions import sees_moderation_menu

register_permission_policy(
    ProofAccess, PlatformReadOnlyPermissionPolicy(ProofAccess), exact_class=True
)


class RegistrationsMenuItem(MenuItem):
    """ "Inscriptions à valider (3)": shown to moderators only, with their own queue's count.

    Menu items are shared between requests, so the label is built per request and never
    stored on the instance.
    """

    def is_shown(self, request):
        return sees_moderation_menu(request=request)

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


@hooks.register("register_admin_viewset")
def register_proof_access_viewset():
    from .proof_access_admin import ProofAccessViewSet

    return ProofAccessViewSet("proof_access")
