"""iCalendar (RFC 5545) export of events, through the icalendar library."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

DEFAULT_EVENT_DURATION = timedelta(hours=2)


def event_to_ical(event, *, url: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Voisinage//Agenda de la mairie//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")

    item = Event()
    # The translation key is shared by a page and its translations: one event, one UID.
    item.add("uid", f"{event.translation_key}@{settings.WAGTAIL_SITE_NAME.lower()}")
    item.add("dtstamp", timezone.now())
    item.add("dtstart", event.start)
    item.add("dtend", event.end or event.start + DEFAULT_EVENT_DURATION)
    item.add("summary", event.title)
    item.add("location", event.location)
    item.add("description", event.summary)
    item.add("url", url)
    calendar.add_component(item)
    return calendar.to_ical()
