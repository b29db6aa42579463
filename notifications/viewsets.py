"""The SMS outbox in the Wagtail admin: read-only, for the platform team only.

Mairie staff never see it: it holds every commune's messages and residents' numbers.
Nobody adds, edits or deletes a row there: the outbox is an audit trail.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy

from .models import OutboundSms


class PlatformReadOnlyPermissionPolicy(BasePermissionPolicy):
    """Active superusers may view; nobody may add, change or delete."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and user.is_superuser

    def users_with_any_permission(self, actions):
        users = get_user_model()._default_manager
        if "view" not in actions:
            return users.none()
        return users.filter(is_active=True, is_superuser=True)


class OutboundSmsViewSet(ModelViewSet):
    model = OutboundSms
    icon = "mobile-alt"
    menu_label = _("SMS envoyés")
    menu_order = 9000
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    add_to_reference_index = False
    list_display = [
        "created_at",
        "to",
        "purpose",
        "status",
        "segments",
        "encoding",
        "sender",
        "error_code",
    ]
    list_filter = ["status", "purpose", "encoding", "error_permanent"]
    search_fields = ["to", "provider_message_id", "error_code"]
    ordering = ["-created_at"]
    list_per_page = 50
    inspect_view_fields = [
        "to",
        "sender",
        "purpose",
        "body_for_admin",
        "status",
        "backend",
        "provider_message_id",
        "validity_period",
        "segments",
        "encoding",
        "error_code",
        "error_message",
        "error_permanent",
        "created_at",
        "sent_at",
        "updated_at",
    ]
    # Never shown: there is no form, but ModelViewSet insists on knowing the fields.
    form_fields = ["to"]

    def get_permissions_to_register(self):
        # Nothing to grant to groups: viewing is for superusers, changing for nobody.
        return Permission.objects.none()
