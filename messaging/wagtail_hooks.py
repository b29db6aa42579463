"""Admin wiring for messaging: the mairie's targeted messages."""

from wagtail import hooks

from .admin_views import OfficialViewSet


@hooks.register("register_admin_viewset")
def register_official_messages_viewset():
    return OfficialViewSet()
