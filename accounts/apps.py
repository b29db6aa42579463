from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes")

    def ready(self):
        from allauth.account.signals import email_changed, email_confirmed
        from anymail.signals import tracking
        from django.conf import settings
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_delete, post_save

        from . import personal_data
        from .email_bounces import (
            email_address_changed,
            email_tracking_received,
            email_undeliverable_notice,
        )
        from .inactivity import inactivity_warning_reset
        from .models import TermsOfUse
        from .session_user import user_saved_or_deleted
        from .terms import terms_saved

        tracking.connect(email_tracking_received, dispatch_uid="accounts_email_tracking")
        email_changed.connect(email_address_changed, dispatch_uid="accounts_email_changed")
        email_confirmed.connect(email_address_changed, dispatch_uid="accounts_email_confirmed")
        user_logged_in.connect(email_undeliverable_notice, dispatch_uid="accounts_email_notice")
        user_logged_in.connect(inactivity_warning_reset, dispatch_uid="accounts_inactivity_reset")
        # A saved or erased account (a new password, deactivation) is read afresh by the
        # next request of every session (accounts.session_user).
        for signal in (post_save, post_delete):
            signal.connect(
                user_saved_or_deleted,
                sender=settings.AUTH_USER_MODEL,
                dispatch_uid=f"accounts_session_user_{signal}",
            )
        post_save.connect(terms_saved, sender=TermsOfUse, dispatch_uid="accounts_terms_saved")
        # The identity layer's sections of the GDPR export and erasure (accounts.gdpr).
        personal_data.register()
