from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Voisinage"

    def ready(self):
        from . import signal_handlers  # noqa: F401  (wiring only)
        from .wagtail_french import sites_listing_headers_translate

        sites_listing_headers_translate()
