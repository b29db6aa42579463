"""Sign-in, sign-up, verification, password reset and two-factor pages under /accounts/.

allauth's views keep their own names (``account_login``, ``mfa_activate_totp``…), which
allauth reverses itself; ours are in the ``accounts`` namespace (``accounts:login``…).
"""

from allauth.account import views as allauth_views
from django.urls import include, path

from . import auth_views, sign_out

app_urls = [
    path("login/", allauth_views.login, name="login"),
    path("logout/", sign_out.logout, name="logout"),
    path("signup/", auth_views.registration, name="signup"),
    path("en-attente/", auth_views.registration_pending, name="pending"),
    path("password/reset/sms/", auth_views.password_reset_sms, name="password_reset_sms"),
    path(
        "password/reset/sms/code/",
        auth_views.password_reset_sms_code,
        name="password_reset_sms_code",
    ),
    path(
        "password/reset/sms/new/",
        auth_views.password_reset_sms_new,
        name="password_reset_sms_new",
    ),
]

urlpatterns = [
    path("", include((app_urls, "accounts"))),
    # Replacements of allauth views, under allauth's paths and names.
    path("signup/", auth_views.registration, name="account_signup"),
    path(
        "password/reset/confirm/",
        auth_views.confirm_password_reset_code,
        name="account_confirm_password_reset_code",
    ),
    path("2fa/totp/activate/", auth_views.totp_activate, name="mfa_activate_totp"),
    path("2fa/recovery-codes/", auth_views.recovery_codes, name="mfa_view_recovery_codes"),
    path("", include("allauth.urls")),
]
