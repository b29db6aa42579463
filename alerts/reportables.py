"""Alerts in the reports queue (``moderation.reportables``): how moderators see a reported
alert and withdraw it.

Registered from ``AlertsConfig.ready`` so that reports filed on alerts join the same queue
as the gazette's and messages'. Visibility and withdrawal are the alerts' own rules
(``Alert.objects.visible_to``, ``alerts.moderation``): nothing here decides anew.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from moderation.reportables import Reportable, reportable_register

from .models import Alert, AlertEvent, ModerationStatus
from .moderation import alert_reject, alert_retract


def _visible_to(alert, user) -> bool:
    return Alert.objects.visible_to(user).filter(pk=alert.pk).exists()


def _summary(alert) -> dict:
    where = alert.community.name if alert.community_id else alert.commune.name
    path = reverse("alerts:detail", args=(alert.pk,))
    return {
        "kind": _("Alerte"),
        "title": f"{alert.get_category_display()} — {where}",
        "text": alert.text or _("(texte effacé : durée de conservation écoulée)"),
        "url": f"{alert.commune.site.root_url}{path}",
    }


def _uphold(alert, *, by, note: str) -> None:
    """A held alert is refused (nothing was sent); a sent one is withdrawn with a
    correction to those who received it. Either way the author is told why."""
    if alert.moderation_status == ModerationStatus.HELD:
        alert_reject(alert=alert, by=by, reason=note)
    else:
        alert_retract(alert=alert, by=by, reason=note)


def _on_report(alert, *, report) -> None:
    AlertEvent.objects.create(
        alert=alert, actor=report.reporter, action=AlertEvent.Action.REPORTED, reason=report.reason
    )


def register() -> None:
    reportable_register(
        Reportable(
            model=Alert,
            visible_to=_visible_to,
            commune_id_of=lambda alert: alert.commune_id,
            author_of=lambda alert: alert.author,
            summary=_summary,
            uphold=_uphold,
            on_report=_on_report,
            uphold_tells_author=True,
            queue_queryset=lambda alerts: alerts.select_related(
                "community", "commune__site", "author"
            ),
        )
    )
