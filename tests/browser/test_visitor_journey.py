"""A visitor opens a commune's site, switches to English, opens an event and downloads it."""

from pathlib import Path

import pytest
from icalendar import Calendar

from demo.loader import demo_load

# Serialized rollback restores what migrations created (root page, locales) after each flush.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_visitor_switches_to_english_and_downloads_an_event(page, commune_url):
    demo_load()

    page.goto(commune_url("cadaujac"))
    assert page.locator("h1").inner_text() == "Bienvenue à Cadaujac"
    assert page.get_by_text("Danger immédiat : composez le 17 (ou le 112).").is_visible()

    page.get_by_role("navigation", name="Choix de la langue").get_by_role(
        "link", name="English"
    ).click()
    page.wait_for_url("**/en/")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Welcome to Cadaujac"

    page.get_by_role("link", name="Public meeting: watchful and caring neighbours").click()
    page.wait_for_url("**/en/agenda/reunion-voisins-vigilants/")
    assert page.get_by_text("Village hall").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == "reunion-voisins-vigilants.ics"
    event = Calendar.from_ical(Path(download.path()).read_bytes()).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == "Public meeting: watchful and caring neighbours"
    assert str(event["LOCATION"]) == "Village hall"


def test_keyboard_user_can_skip_to_the_content(page, commune_url):
    demo_load()

    page.goto(commune_url("didenheim", "/agenda/"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Aller au contenu")
    assert skip_link.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
