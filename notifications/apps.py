from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .push import push_subscription_forget_on_logout

        user_logged_out.connect(
            push_subscription_forget_on_logout, dispatch_uid="push_subscription_forget_on_logout"
        )
