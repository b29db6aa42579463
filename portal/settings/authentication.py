"""Signing in: accounts, passwords, sessions, django-allauth (e-mail or phone, codes, TOTP)
and django-axes (lockouts).

Every sign-in door (the site's, the Wagtail admin's, Wagtail's private pages) goes through
allauth: one rate limiter, one lockout, one two-factor step.
"""

from datetime import timedelta

from .environment import env_int

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
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=14 * 24 * 3600)
# Mairie staff and the platform team are signed out after this much inactivity.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", default=30 * 60)
# ... and this long after signing in, however active they stay.
STAFF_SESSION_MAX_SECONDS = env_int("STAFF_SESSION_MAX_SECONDS", default=12 * 3600)
# Paths where staff must have two-factor authentication (optional language prefix allowed).
STAFF_TWO_FACTOR_PATH_PREFIXES = ("/admin/", "/moderation/")
PHONENUMBER_DEFAULT_REGION = "FR"
PHONENUMBER_DB_FORMAT = "E164"

# Client address for rate limits and lockouts: X-Forwarded-For is read only when a number of
# trusted proxies is configured (the TLS-terminating proxy in production), never otherwise.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)

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

# allauth's headless mode (/_allauth/{browser,app}/v1/…): the same sign-in flows, adapters,
# rate limits, axes lockouts and TOTP step as the site's forms, for apps and the site's scripts.
# Apps get a session token (``X-Session-Token``) that the member lists and revokes in
# *Mon compte → Appareils connectés*; each is a row of ``api.AppSession``.
HEADLESS_CLIENTS = ("browser", "app")
HEADLESS_TOKEN_STRATEGY = "api.app_sessions.AppSessionTokenStrategy"  # noqa: S105 (a class path)
HEADLESS_SERVE_SPECIFICATION = False
