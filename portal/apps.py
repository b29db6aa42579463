from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Voisinage"

    def ready(self):
        from communities.member_pages import member_page_layout_generation_register

        from . import signal_handlers  # noqa: F401  (wiring only)
        from .admin_times import admin_local_times_register
        from .page_cache import GENERATION_KEY
        from .wagtail_french import sites_listing_headers_translate

        sites_listing_headers_translate()
        admin_local_times_register()
        # Members' shared pages show the menu: a published or moved page makes them stale.
        member_page_layout_generation_register(GENERATION_KEY)
