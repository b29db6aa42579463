import pytest
from icalendar import Calendar

pytestmark = pytest.mark.django_db


def test_event_downloads_as_icalendar_with_its_date_place_and_link(client, demo):
    response = client.get(
        "/agenda/reunion-voisins-vigilants/ics/", headers={"host": "cadaujac.localhost"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    event = Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Réunion publique Voisins vigilants et solidaires"
    assert str(event["LOCATION"]) == "Salle des fêtes"
    assert event.decoded("DTEND") > event.decoded("DTSTART")
    assert str(event["URL"]).endswith("/agenda/reunion-voisins-vigilants/")


def test_english_event_calendar_is_in_english_with_the_same_uid(client, demo):
    french = client.get(
        "/agenda/reunion-voisins-vigilants/ics/", headers={"host": "cadaujac.localhost"}
    )
    english = client.get(
        "/en/agenda/reunion-voisins-vigilants/ics/", headers={"host": "cadaujac.localhost"}
    )

    french_event = Calendar.from_ical(french.content).walk("VEVENT")[0]
    english_event = Calendar.from_ical(english.content).walk("VEVENT")[0]
    assert str(english_event["LOCATION"]) == "Village hall"
    assert english_event["UID"] == french_event["UID"]


def test_event_ending_before_it_starts_is_refused(cadaujac):
    from datetime import timedelta

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from mairie_pages.models import EventIndexPage, EventPage

    agenda = EventIndexPage.objects.descendant_of(cadaujac.site.root_page).get()
    start = timezone.now() + timedelta(days=3)
    event = EventPage(
        title="Concert",
        slug="concert",
        start=start,
        end=start - timedelta(hours=1),
        location="Église",
        summary="Chorale",
    )
    with pytest.raises(ValidationError) as error:
        agenda.add_child(instance=event)
    assert "end" in error.value.message_dict
    assert not EventPage.objects.filter(slug="concert").exists()
