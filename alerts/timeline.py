"""What of an alert's history a viewer reads: one rule for its page and the API."""

from django.utils.translation import gettext as _

from communities.wording import mairie_of

from .models import Alert, AlertEvent, AlertSource
from .permissions import AlertRights

# What neighbours see of an alert's history; the commune's alert staff see all of it.
PUBLIC_ACTIONS = [
    AlertEvent.Action.UPDATED,
    AlertEvent.Action.POLICE_UPDATED,
    AlertEvent.Action.CLOSED,
    AlertEvent.Action.POLICE_TAKEN,
    AlertEvent.Action.RETRACTED,
]
# Their texts are for everyone who reads the alert.
FOLLOW_UP_ACTIONS = (
    AlertEvent.Action.UPDATED,
    AlertEvent.Action.POLICE_UPDATED,
    AlertEvent.Action.CLOSED,
)
POLICE_ACTIONS = (AlertEvent.Action.POLICE_TAKEN, AlertEvent.Action.POLICE_UPDATED)


def alert_timeline(*, alert: Alert, rights: AlertRights) -> list[AlertEvent]:
    """The alert's events ``rights`` may read, oldest first, with their actors.

    The commune's alert staff read the whole history (moderation included); the author
    also reads the moderation's refusal and its reason; neighbours read follow-ups, the
    end, the police's take-in-charge and a withdrawal.
    """
    events = AlertEvent.objects.filter(alert=alert).select_related("actor")
    if rights.is_author and not rights.is_alert_staff:
        events = events.filter(action__in=[*PUBLIC_ACTIONS, AlertEvent.Action.REJECTED])
    elif not rights.is_alert_staff:
        events = events.filter(action__in=PUBLIC_ACTIONS)
    return list(events)


def alert_event_by(*, event: AlertEvent, alert: Alert, rights: AlertRights) -> str:
    """Who an event is shown as: the staff read the actor's name; others read "Police
    municipale", the alert's author (as the alert names them) or the mairie."""
    if rights.is_alert_staff:
        return event.actor.get_full_name() if event.actor_id else ""
    if event.action in POLICE_ACTIONS:
        return _("Police municipale")
    if event.actor_id and event.actor_id == alert.author_id:
        return alert_author_label(alert=alert)
    return mairie_of(alert.commune.name)


def alert_event_reason_shown(*, event: AlertEvent, rights: AlertRights) -> bool:
    """A follow-up's and an end's text are for everyone who reads the alert; a moderation
    reason only for the alert's staff and its author."""
    return bool(event.reason) and (
        event.action in FOLLOW_UP_ACTIONS or rights.is_alert_staff or rights.is_author
    )


def alert_author_label(*, alert: Alert) -> str:
    """How an alert names its author: the mairie for its broadcasts, else the member."""
    if alert.source == AlertSource.ADMIN:
        return mairie_of(alert.commune.name)
    if alert.author_id:
        return alert.author.get_full_name()
    return _("ancien membre")
