"""Apps signed in to a member's account: one row per session token handed to an app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppSession(models.Model):
    """A session token given to an app (allauth's headless "app" client).

    The token is the key of a Django session, as allauth's own strategy makes it; this row
    is what lets the member see their devices and revoke one (``api.app_sessions``). A
    token without its row is refused, so deleting the row is enough to sign a device out.
    """

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="app_sessions",
        verbose_name=_("membre"),
    )
    user_agent = models.CharField(_("appareil"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("connecté le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)

    class Meta:
        verbose_name = _("appareil connecté")
        verbose_name_plural = _("appareils connectés")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.user_id} · {self.user_agent[:40]}"
