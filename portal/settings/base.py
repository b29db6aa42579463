"""Settings shared by every environment: Django, Wagtail, the database, languages, logs.

Everything comes from the environment (``environment.py``: typed helpers that refuse bad
values). Each integration has its own module, imported below, that reads only its own
variables: sign-in, browser protections, files, cache, background tasks, the delivery
outbox, e-mail, SMS, web push, retention periods, private messages. ``production.py`` and
``development.py`` only tighten or relax these; the entry point ``portal.settings`` picks
one of them, production unless ``DEBUG=true``.
"""

from django.utils.translation import gettext_lazy as _

from .authentication import *  # noqa: F403
from .cache import *  # noqa: F403
from .delivery import *  # noqa: F403
from .environment import BASE_DIR, VAR_DIR, env_bool, env_database, env_int, env_list, env_str
from .mail import *  # noqa: F403
from .maps import *  # noqa: F403
from .messaging import *  # noqa: F403
from .push import *  # noqa: F403
from .retention import *  # noqa: F403
from .security import *  # noqa: F403
from .sms import *  # noqa: F403
from .storage import *  # noqa: F403
from .tasks import *  # noqa: F403

# Off unless asked for: a process started with no environment is production and refuses to
# start without its secrets (see production.py).
DEBUG = env_bool("DEBUG", default=False)

# No default anywhere: production.py and development.py refuse to start without one.
SECRET_KEY = env_str("SECRET_KEY")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1", "[::1]", "testserver"]
)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL").rstrip("/")

INSTALLED_APPS = [
    # Our apps first so that their templates and translations win.
    "accounts",
    "communities",
    "directory",
    "moderation",
    "home",
    "mairie_pages",
    "notifications",
    "alerts",
    "gazette",
    "messaging",
    "search",
    "dashboard",
    "api",
    "demo",
    "portal",
    # Wagtail and wagtail-localize
    "wagtail_localize",
    "wagtail_localize.locales",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.routable_page",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    # Leaflet and Leaflet.draw as static files, for the commune's map
    "leaflet",
    "taggit",
    "phonenumber_field",
    "django_tasks",
    "anymail",
    # Sign-in, sign-up, verification, two-factor (allauth) and brute-force protection (axes)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # The same sign-in for apps (session tokens) and the site's scripts, under /_allauth/
    "allauth.headless",
    "axes",
    # The JSON API (/api/v1/); listed so that its docs page is served from our static files
    "ninja",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which commune's site answers this host: from the cache, not a query per request.
    "portal.site_lookup.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.page_cache.AnonymousPageCacheMiddleware",
    # Inside the page cache: a cached page keeps the header written with its body, so the
    # nonce of its inline <style> still matches.
    "portal.content_security.PortalCSPMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Members' areas: X-Robots-Tag and the robots meta tag say "noindex".
    "portal.robots.RobotsNoindexMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Staff: admin sign-in through allauth, TOTP required, short idle sessions.
    "accounts.middleware.StaffSecurityMiddleware",
    # Members accept a changed charter or terms of use again before their next page.
    "accounts.middleware.TermsAcceptanceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "communities.context_processors.commune",
            ],
        },
    },
]

# --- Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL -----------------
DATABASES = {
    "default": env_database("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'voisinage.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"].setdefault("CONN_MAX_AGE", env_int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Internationalisation ----------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
WAGTAIL_I18N_ENABLED = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILLOCALIZE_MACHINE_TRANSLATOR = None

# --- Wagtail -----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Voisinage"
WAGTAILADMIN_BASE_URL = PUBLIC_BASE_URL or "http://127.0.0.1:8000"
# Documents go through Django so that collection privacy is enforced (wagtail#10457).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
# A shared password is a plain shared secret: only sign-in and group restrictions are offered.
WAGTAIL_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAILDOCS_PRIVATE_PAGE_OPTIONS = {"SHARED_PASSWORD": False}
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False
# PostgreSQL searches in French without accents (``french_unaccent``, created by the search
# app's migration): "chat" finds "chats", "evenement" finds "événement". SQLite ignores it.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "wagtail.search.backends.database",
        "SEARCH_CONFIG": "french_unaccent",
    }
}
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_ALLOW_UNICODE_SLUGS = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Axes logs every sign-in at INFO; failures and lockouts are enough.
        "axes": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        # The twilio client logs every request at INFO (ten lines each, recipients' numbers
        # included): at alert volumes that costs more CPU than the sending itself.
        "twilio.http_client": {"level": "WARNING"},
    },
}
