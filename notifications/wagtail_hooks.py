"""Wagtail admin wiring for notifications: the read-only SMS outbox."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .models import OutboundSms
from .viewsets import OutboundSmsViewSet, PlatformReadOnlyPermissionPolicy

register_permission_policy(
    OutboundSms, PlatformReadOnlyPermissionPolicy(OutboundSms), exact_class=True
)


@hooks.register("register_admin_viewset")
def register_outbound_sms_viewset():
    return OutboundSmsViewSet("outbound_sms")
