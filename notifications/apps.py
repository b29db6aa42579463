from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        from .notices import NoticeSource
        from .push_subscriptions import push_subscription_forget_on_logout
        from .sources import outbox_source_register

        user_logged_out.connect(
            push_subscription_forget_on_logout, dispatch_uid="push_subscription_forget_on_logout"
        )
        # Notices to one member (notifications.notices) are the outbox's own kind of message.
        outbox_source_register(NoticeSource())
