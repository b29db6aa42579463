"""Wiring only: a written alert, history event or list of aimed communities makes the
members' shared alert pages of its commune stale (``communities.member_pages``)."""

from communities.member_pages import member_pages_stale_when_aimed, member_pages_stale_when_written

from .models import Alert, AlertEvent
from .shared_pages import SCOPE


def _commune_of_event(event):
    return Alert.objects.filter(pk=event.alert_id).values_list("commune_id", flat=True)


def connect() -> None:
    member_pages_stale_when_written(
        scope=SCOPE, model=Alert, communes_of=lambda alert: [alert.commune_id]
    )
    member_pages_stale_when_written(scope=SCOPE, model=AlertEvent, communes_of=_commune_of_event)
    member_pages_stale_when_aimed(scope=SCOPE, through=Alert.communities.through)
