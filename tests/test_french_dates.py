"""Dates read "1er janvier" in French, on pages, in notices and in refusals.

Django prints the first day of a month "1 janvier"; French writes "1er janvier". Every date
with its day and month goes through ``communities.dates.date_display`` or the ``human_date``
filter; other days, numeric formats and other languages are Django's.
"""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import Client
from django.utils import timezone, translation

from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.dates import date_display
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage
from moderation.models import ModerationAction, ModerationActionKind

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "fmt", "shown"),
    [
        (datetime.date(2027, 1, 1), "j F Y", "1er janvier 2027"),
        (datetime.date(2027, 1, 2), "j F Y", "2 janvier 2027"),
        (datetime.date(2027, 3, 1), "DATE_FORMAT", "1er mars 2027"),
        (
            datetime.datetime(2027, 5, 1, 7, 30, tzinfo=datetime.UTC),
            "l j F à H:i",
            "samedi 1er mai à 09:30",
        ),
        (datetime.date(2027, 1, 1), "d/m/Y", "01/01/2027"),
        (datetime.date(2027, 1, 1), "\\j\\o\\u\\r j", "jour 1er"),
    ],
)
def test_the_first_of_a_month_reads_premier_in_french(value, fmt, shown):
    with translation.override("fr"):
        assert date_display(value, fmt) == shown


def test_a_late_evening_of_december_31st_utc_is_the_first_of_january_in_paris():
    new_year_eve = datetime.datetime(2026, 12, 31, 23, 30, tzinfo=datetime.UTC)

    with translation.override("fr"):
        assert date_display(new_year_eve, "DATETIME_FORMAT") == "1er janvier 2027 00:30"


def test_english_keeps_its_own_day_numbers():
    with translation.override("en"):
        assert date_display(datetime.date(2027, 1, 1), "j F Y") == "1 January 2027"


def test_the_template_filter_takes_the_date_filters_formats():
    template = Template('{% load french_dates %}{{ day|human_date:"j F Y" }}|{{ none|human_date }}')

    with translation.override("fr"):
        shown = template.render(Context({"day": datetime.date(2027, 4, 1), "none": None}))

    assert shown == "1er avril 2027|"


def test_an_announcement_of_the_first_says_so_on_its_page(cadaujac):
    index = AnnouncementIndexPage.objects.child_of(cadaujac.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(
            title="Vœux du maire",
            slug="voeux",
            summary="Rendez-vous à la salle des fêtes.",
            date=datetime.date(2027, 1, 1),
        )
    )

    html = Client().get(page.url, HTTP_HOST="cadaujac.localhost").content.decode()

    assert "1er janvier 2027" in html
    assert "1 janvier 2027" not in html


def test_a_suspension_until_the_first_is_told_with_premier(
    jeanne_resident, cadaujac, marc_moderator
):
    until = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    until = (until + timedelta(days=40)).replace(day=1)
    ModerationAction.objects.create(
        commune=cadaujac,
        kind=ModerationActionKind.SUSPEND,
        author=jeanne_resident,
        actor=marc_moderator,
        note="Propos répétés contre un voisin",
        suspended_until=until,
    )

    with translation.override("fr"), pytest.raises(ValidationError) as refused:
        alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text="Voiture suspecte")

    assert f"jusqu'au 1er {date_display(until, 'F Y')} 18:00" in str(refused.value)
