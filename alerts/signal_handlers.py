"""Wiring only: a written alert, history event or list of aimed communities makes the
members' shared alert pages of its commune stale (``communities.member_pages``)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import Alert, AlertEvent
from .shared_pages import alert_pages_invalidate


def _alert_changed(instance, **kwargs):
    alert_pages_invalidate(commune_id=instance.commune_id)


def _event_changed(instance, **kwargs):
    commune_id = Alert.objects.filter(pk=instance.alert_id).values_list("commune_id", flat=True)
    for pk in commune_id:
        alert_pages_invalidate(commune_id=pk)


def _targets_changed(instance, action, **kwargs):
    # ``instance`` is the alert, or a community when changed from its side: both have one.
    if action.startswith("post_") or action == "pre_clear":
        alert_pages_invalidate(commune_id=instance.commune_id)


def connect() -> None:
    for signal in (post_save, post_delete):
        signal.connect(_alert_changed, sender=Alert, dispatch_uid=f"alert_pages_a_{signal}")
        signal.connect(_event_changed, sender=AlertEvent, dispatch_uid=f"alert_pages_e_{signal}")
    m2m_changed.connect(
        _targets_changed, sender=Alert.communities.through, dispatch_uid="alert_pages_targets"
    )
