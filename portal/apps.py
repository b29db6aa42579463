from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Voisinage"

    def ready(self):
        from . import signal_handlers  # noqa: F401  (wiring only)
        from .admin_times import admin_local_times_register
        from .wagtail_french import sites_listing_headers_translate

        sites_listing_headers_translate()
        admin_local_times_register()
