"""Settings shared by every environment, read from the environment (12-factor).

Every variable is optional for the demo; with ``DEBUG=false`` the same entry point
becomes production and secrets must be given (see ``production.py``).
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

# Secrets have no default outside development: production.py refuses to start without them.
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", ".localhost", "127.0.0.1", "[::1]", "testserver"]
)
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

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
    "taggit",
    "phonenumber_field",
    "django_tasks",
    "anymail",
    # Sign-in, sign-up, verification, two-factor (allauth) and brute-force protection (axes)
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
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

# --- Content-Security-Policy (django-csp; admin policy: portal.content_security) -------------
# Public and member pages: scripts only from our own static files, never inline code or eval
# (the live counters and polling are static files; the json_script blocks they read are data,
# which CSP does not govern). Styles from our static CSS too: no style="" attributes; the one
# <style> element, the commune's colour in base.html, carries the request's nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        # data: for the TOTP set-up QR code (allauth renders it as a data: SVG).
        "img-src": [SELF, "data:"],
        # The alert progress and conversation polling, the push subscription API.
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# The Wagtail admin (and its preview of pages and the userbar's edit links) still uses inline
# scripts and style attributes: same policy with those allowed, and blob: images for its upload
# previews. Framing stays refused except for the preview panel (see portal.content_security).
ADMIN_CONTENT_SECURITY_POLICY = {
    "PATH_PREFIXES": ("/admin/",),
    "DIRECTIVES": {
        **CONTENT_SECURITY_POLICY["DIRECTIVES"],
        "script-src": [SELF, UNSAFE_INLINE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
    },
}
# Nor does the admin fetch staff avatars from Gravatar (that would also hand Gravatar a hash
# of each staff member's e-mail address): Wagtail shows its default avatar instead.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

# --- Database: SQLite under var/ by default, PostgreSQL through DATABASE_URL -----------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'voisinage.sqlite3'}")
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(exist_ok=True)
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache and Celery broker when configured ------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voisinage",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous pages are served from the cache for this many seconds at most; publishing
# anything in a commune's tree invalidates that commune's pages at once.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=300)

# --- Celery: in-process without a broker, Redis when configured --------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# The Redis transport reads a worker's queues in the order given (``-Q alerts,default``)
# rather than in turn: an alert never waits behind a digest.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "queue_order_strategy": "priority"}
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"alerts.tasks.*": {"queue": "alerts"}}
# The delivery sweep (seconds): queued rows untouched this long were lost with their task;
# rows in sending this long belonged to a dead worker and are reconciled with the provider.
ALERT_SWEEP_QUEUED_AFTER = env.int("ALERT_SWEEP_QUEUED_AFTER", default=120)
ALERT_SWEEP_SENDING_AFTER = env.int("ALERT_SWEEP_SENDING_AFTER", default=600)
ALERT_SWEEP_EVERY = env.float("ALERT_SWEEP_EVERY", default=60.0)
# Messages posted this many seconds ago and never fanned out (their task was not published,
# the broker being down, or was lost) are fanned out by the sweep.
ALERT_SWEEP_FANOUT_AFTER = env.int("ALERT_SWEEP_FANOUT_AFTER", default=60)
# /readyz answers 503 when the oldest due delivery, or the oldest message never fanned out,
# has waited longer than this (seconds; 0 turns the check off).
READYZ_MAX_QUEUED_AGE_SECONDS = env.int("READYZ_MAX_QUEUED_AGE_SECONDS", default=600)
READYZ_MAX_FANOUT_AGE_SECONDS = env.int("READYZ_MAX_FANOUT_AGE_SECONDS", default=600)
# Transient send errors: retried after about base × 2^(attempt-1) seconds (±50 %), capped,
# until a delivery has been tried this many times.
ALERT_SEND_MAX_ATTEMPTS = env.int("ALERT_SEND_MAX_ATTEMPTS", default=5)
ALERT_RETRY_BASE_SECONDS = env.float("ALERT_RETRY_BASE_SECONDS", default=2.0)
ALERT_RETRY_MAX_SECONDS = env.float("ALERT_RETRY_MAX_SECONDS", default=60.0)
# A timed-out SMS request is looked up at the provider this many seconds later.
ALERT_RECONCILE_AFTER = env.float("ALERT_RECONCILE_AFTER", default=5.0)
CELERY_TIMEZONE = "Europe/Paris"
# CNIL: accounts without activity are warned after ~23 months, erased after 24 (see
# accounts/inactivity.py; staff accounts are warned, never erased automatically).
ACCOUNT_INACTIVITY_WARN_DAYS = env.int("ACCOUNT_INACTIVITY_WARN_DAYS", default=700)
ACCOUNT_INACTIVITY_ERASE_DAYS = env.int("ACCOUNT_INACTIVITY_ERASE_DAYS", default=730)
ACCOUNT_INACTIVITY_NOTICE_DAYS = env.int("ACCOUNT_INACTIVITY_NOTICE_DAYS", default=30)
CELERY_BEAT_SCHEDULE: dict = {
    # CNIL: accounts two years without activity are erased, after a warning at 23 months.
    "accounts-inactivity": {
        "task": "accounts.inactive_accounts_sweep",
        "schedule": crontab(hour=4, minute=15),
    },
    # Deliveries a lost task, a restarted broker or a killed worker left behind.
    "alerts-deliveries-recover": {
        "task": "alerts.tasks.deliveries_recover",
        "schedule": ALERT_SWEEP_EVERY,
    },
    # GDPR: alert texts and identifying details do not outlive their retention periods.
    "alerts-retention": {
        "task": "alerts.retention_apply",
        "schedule": crontab(hour=3, minute=45),
    },
    # The gazette's weekly e-mail digest (idempotent per member and week).
    "gazette-digest-weekly": {
        "task": "gazette.tasks.gazette_digest_send",
        "schedule": crontab(day_of_week="fri", hour=17, minute=0),
    },
    # CNIL: no proof of address outlives 30 days without a decision.
    "memberships-expire-stale": {
        "task": "communities.memberships_expire_stale",
        "schedule": crontab(hour=3, minute=30),
    },
    # Private messages: one batched e-mail or push per member, and held SMS of the mairie.
    "messaging-notify": {"task": "messaging.messages_notify", "schedule": 60.0},
    "messaging-official-sms": {"task": "messaging.official_sms_sweep", "schedule": 60.0},
    # GDPR: private messages do not outlive MESSAGE_RETENTION_DAYS.
    "messaging-retention": {
        "task": "messaging.retention_apply",
        "schedule": crontab(hour=4, minute=0),
    },
}

# Wagtail's own background work (search index, reference index) runs through django-tasks.
# It stays in-process: those updates are small and must not wait behind alert fan-outs.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Authentication -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# Axes first: it refuses locked-out credentials before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.EmailOrPhoneBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# CNIL 2022-100: length and a common-password list, no character-class rules.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    # Django's common passwords and the most common French ones, even with digits added.
    {"NAME": "accounts.password_validation.FrenchCommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"
# The Wagtail admin and Wagtail's private pages sign in through allauth too
# (StaffSecurityMiddleware also sends /admin/login/ and /_util/login/ there): one rate
# limiter, one lockout, one two-factor step for every door.
WAGTAILADMIN_LOGIN_URL = "/accounts/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Mairie staff and the platform team are signed out after this much inactivity.
STAFF_SESSION_IDLE_SECONDS = env.int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
# ... and this long after signing in, however active they stay.
STAFF_SESSION_MAX_SECONDS = env.int("STAFF_SESSION_MAX_SECONDS", default=12 * 3600)
# Paths where staff must have two-factor authentication (optional language prefix allowed).
STAFF_TWO_FACTOR_PATH_PREFIXES = ("/admin/", "/moderation/")
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# Client address for rate limits and lockouts: X-Forwarded-For is read only when a number of
# trusted proxies is configured (the TLS-terminating proxy in production), never otherwise.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# django-allauth: sign-in by e-mail or mobile number, sign-up with verification of both.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    "login": "accounts.forms.LoginForm",
    "signup": "accounts.registration.RegistrationForm",
}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
# "phone" is listed but optional here so that staff without a number can sign in; the
# registration form itself requires it.
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_ENABLED = True
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_EMAIL_VERIFICATION_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_EMAIL_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_TIMEOUT = 10 * 60
ACCOUNT_PHONE_VERIFICATION_MAX_ATTEMPTS = 3
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = True
ACCOUNT_PASSWORD_RESET_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_PASSWORD_RESET_BY_CODE_MAX_ATTEMPTS = 3
# Password reset by SMS (accounts.password_reset_sms): same lifetime and tries as by e-mail.
PASSWORD_RESET_SMS_TIMEOUT = 10 * 60
PASSWORD_RESET_SMS_MAX_ATTEMPTS = 3
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_REDIRECT_URL = "accounts:pending"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Voisinage] "
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_RATE_LIMITS = {
    # Per address and per number across all IPs; axes adds the per-IP lockout below.
    "login_failed": "10/m/ip,10/15m/key",
    "reset_password": "20/m/ip,5/h/key",
    "reset_password_sms": "1/m/key,5/h/key,10/h/ip",
    "verify_phone": "1/30s/key,5/h/key,20/h/ip",
    "signup": "20/m/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT  # same rule as accounts.network
MFA_ADAPTER = "allauth.mfa.adapter.DefaultMFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Voisinage"
MFA_RECOVERY_CODE_COUNT = 10

# django-axes: five failures for one login from one address, then a 15-minute wait. Never a
# permanent lock, and failures during the wait do not extend it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "accounts.network.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.auth_views.lockout"
# Successful sign-ins are not logged by axes (no need to keep every member's IP address).
AXES_DISABLE_ACCESS_LOG = True

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

# --- Static and media files --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
# Private files (proofs of address, members' photos) never sit under MEDIA_URL: they are
# served only by permission-checked views.
PRIVATE_ROOT = env.path("PRIVATE_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

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

# --- E-mail (django-anymail in production; console in the demo) -------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Voisinage <ne-pas-repondre@voisinage.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in env.ENVIRON.items()
    if key.startswith("ANYMAIL_")
}

# --- SMS (Twilio through our own backend interface) -------------------------------------------
SMS_BACKEND = env.str("SMS_BACKEND", default="console")
SMS_RELAY_NUMBER = env.str("SMS_RELAY_NUMBER", default="")
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="demo-twilio-token" if DEBUG else "")
TWILIO_MESSAGING_SERVICE_SID = env.str("TWILIO_MESSAGING_SERVICE_SID", default="")
TWILIO_FROM_NUMBER = env.str("TWILIO_FROM_NUMBER", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
TWILIO_HTTP_TIMEOUT = env.float("TWILIO_HTTP_TIMEOUT", default=10.0)

# Alert fan-outs pace SMS to the contracted provider rate (an alphanumeric sender gets about
# 10 SMS/s, a short code about 100/s) and keep this many requests in flight per worker.
SMS_RATE_PER_SECOND = env.float("SMS_RATE_PER_SECOND", default=10.0)
SMS_SEND_CONCURRENCY = env.int("SMS_SEND_CONCURRENCY", default=16)

# The mairie's broadcast screen estimates a broadcast's cost with this price (euros, excl.
# VAT) per SMS segment; a text with ê, ç or ’ takes up to three times as many segments.
SMS_PRICE_PER_SEGMENT = env.float("SMS_PRICE_PER_SEGMENT", default=0.045)
# Non-urgent SMS (and push) only Monday to Saturday, 8h–20h, Paris time (French SMS rules);
# urgent alerts and residents' alerts go at any time.
QUIET_HOURS = {"START_HOUR": 20, "END_HOUR": 8, "TIME_ZONE": "Europe/Paris"}

# --- Alerts ------------------------------------------------------------------------------------
# Texts of alerts are erased after this many days (statistics stay); identifying details
# (number plates, names: data about suspected offences, GDPR art. 10) much sooner.
ALERT_RETENTION_DAYS = env.int("ALERT_RETENTION_DAYS", default=365)
ALERT_DETAILS_RETENTION_DAYS = env.int("ALERT_DETAILS_RETENTION_DAYS", default=30)

# --- Messaging ---------------------------------------------------------------------------------
# Private messages are deleted after this many days (12 months).
MESSAGE_RETENTION_DAYS = env.int("MESSAGE_RETENTION_DAYS", default=365)
# Unread messages are announced once the oldest has waited this long, at most once per
# member per interval (seconds): a lively conversation sends one e-mail, not one per message.
MESSAGE_NOTIFY_DELAY_SECONDS = env.int("MESSAGE_NOTIFY_DELAY_SECONDS", default=120)
MESSAGE_NOTIFY_INTERVAL_SECONDS = env.int("MESSAGE_NOTIFY_INTERVAL_SECONDS", default=600)
# Per member: messages per window, and new conversations per day.
MESSAGE_RATE_LIMIT = env.int("MESSAGE_RATE_LIMIT", default=30)
MESSAGE_RATE_WINDOW_SECONDS = env.int("MESSAGE_RATE_WINDOW_SECONDS", default=600)
CONVERSATION_RATE_LIMIT = env.int("CONVERSATION_RATE_LIMIT", default=10)

# --- Web push ------------------------------------------------------------------------------------
VAPID_PUBLIC_KEY = env.str("VAPID_PUBLIC_KEY", default="")
VAPID_PRIVATE_KEY = env.str("VAPID_PRIVATE_KEY", default="")
# Who push services contact about our traffic (RFC 8292): a mailto: or https: address.
VAPID_SUBJECT = env.str(
    "VAPID_SUBJECT", default="mailto:" + DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
)
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise environ.ImproperlyConfigured("VAPID_SUBJECT must start with mailto: or https://.")
# Push requests in flight per worker, and how long one push service may take to answer.
PUSH_SEND_CONCURRENCY = env.int("PUSH_SEND_CONCURRENCY", default=16)
PUSH_HTTP_TIMEOUT = env.float("PUSH_HTTP_TIMEOUT", default=10.0)
# Push services browsers subscribe with (Chrome and most others, Firefox, Edge, Safari):
# endpoints elsewhere are refused, so that workers never post to an arbitrary machine.
PUSH_SERVICE_HOSTS = env.list(
    "PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
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
