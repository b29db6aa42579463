"""Admin wiring for alerts: the mairie's broadcast screen and the alert moderation queue."""

from wagtail import hooks

from .admin_views import BroadcastViewSet, ModerationViewSet


@hooks.register("register_admin_viewset")
def register_broadcast_viewset():
    return BroadcastViewSet()


@hooks.register("register_admin_viewset")
def register_alert_moderation_viewset():
    return ModerationViewSet()
