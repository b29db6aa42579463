from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from accounts import terms_views
from alerts import sms_views
from mairie_pages.feeds import AnnouncementsAtomFeed, AnnouncementsRssFeed
from notifications import views as push_views
from notifications import webhooks as outbox_webhooks

from . import pwa_manifest, pwa_offline
from .accessibility import accessibility_statement
from .documents import document_serve
from .health import healthz, readyz
from .icons import icon_png, icon_svg
from .member_home import member_home

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # Commune-aware replacements of a few Wagtail admin views, under the same paths.
    path("admin/", include("communities.admin_urls")),
    path("admin/", include("moderation.admin_urls")),
    path("admin/", include(wagtailadmin_urls)),
    # Restricted collections: 404 without rights, private attachments with (same path).
    re_path(r"^documents/(\d+)/(.*)$", document_serve),
    path("documents/", include(wagtaildocs_urls)),
    path("accounts/", include("accounts.urls")),
    # Where a member lands after signing in: their community's running alerts, gazette, messages.
    path("mon-quartier/", member_home, name="member_home"),
    path("compte/appareils/", include("api.device_urls")),
    path("compte/", include("accounts.settings_urls")),
    path("annuaire/", include("directory.urls")),
    path("moderation/", include("moderation.urls")),
    path("alertes/", include("alerts.urls")),
    path("tableau-de-bord/police/", include("dashboard.urls")),
    path("messages/", include("messaging.urls")),
    path("gazette-fichiers/", include("gazette.urls")),
    path("publier/", include("gazette.publish_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("sms/inbound/", sms_views.sms_inbound, name="sms_inbound"),
    path("sms/status/", outbox_webhooks.sms_status, name="sms_status"),
    path("sitemap.xml", sitemap, name="sitemap"),
    # Each commune's public announcements (never the gazette), for feed readers.
    path("flux/annonces.xml", AnnouncementsRssFeed(), name="announcements_rss"),
    path("flux/annonces.atom", AnnouncementsAtomFeed(), name="announcements_atom"),
    # The PWA: the service worker must be served from the root for its scope to be "/".
    path("manifest.webmanifest", pwa_manifest.manifest, name="pwa_manifest"),
    path("service-worker.js", push_views.service_worker, name="pwa_service_worker"),
    path("hors-connexion/", pwa_offline.offline, name="pwa_offline"),
    path("hors-connexion/alerte/", pwa_offline.offline_alert, name="pwa_offline_alert"),
    # Each commune's icons (favicon, touch icon, the manifest's), answered per host name.
    path("icone.svg", icon_svg, name="commune_icon_svg"),
    path("icone-<int:size>.png", icon_png, name="commune_icon_png"),
    path(
        "icone-maskable-512.png",
        icon_png,
        {"size": 512, "maskable": True},
        name="commune_icon_maskable",
    ),
    path("api/v1/push/", include("notifications.urls")),
    path("api/v1/", include("api.urls")),
    # allauth's headless sign-in for apps (``app``) and the site's scripts (``browser``).
    path("_allauth/", include("allauth.headless.urls")),
    # E-mail providers' delivery reports: 404 outside the demo until their secret is set.
    path("anymail/", include("portal.email_webhooks")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# French pages live at the root, their English translations under /en/.
urlpatterns += i18n_patterns(
    path("recherche/", include("search.urls")),
    path("accessibilite/", accessibility_statement, name="accessibility_statement"),
    path("charte/", terms_views.charter, name="charter"),
    path("charte/accepter/", terms_views.terms_accept_view, name="terms_accept"),
    path("conditions-d-utilisation/", terms_views.terms, name="terms"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
