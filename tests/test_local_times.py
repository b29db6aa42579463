"""Every time a resident or the mairie reads is French local time (Europe/Paris), never UTC.

The moments chosen are 10:05 UTC in summer (12:05 in Paris) and in winter (11:05 in Paris):
a page that shows "10:05" shows UTC.
"""

from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from alerts.models import Alert, AlertCategory, AlertSource, ModerationStatus
from messaging.services import conversation_start
from notifications.models import OutboundSms
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

SUMMER = datetime(2026, 7, 1, 10, 5, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 10, 5, tzinfo=UTC)


@pytest.fixture
def member(sign_in, jeanne_resident):
    return sign_in(Client(headers={"host": CADAUJAC_HOST}), jeanne_resident)


@pytest.mark.parametrize(("moment", "local"), [(SUMMER, "12:05"), (WINTER, "11:05")])
def test_the_members_pages_show_an_alerts_time_in_paris(
    member, paul_neighbour, centre_bourg, moment, local
):
    with time_machine.travel(moment, tick=False):
        alert = Alert.objects.create(
            commune=centre_bourg.commune,
            community=centre_bourg,
            author=paul_neighbour,
            source=AlertSource.WEB,
            category=AlertCategory.SCOUTING,
            text="Démarcheur insistant",
            moderation_status=ModerationStatus.APPROVED,
            expires_at=datetime(2027, 1, 1, tzinfo=UTC),
        )
        for path in ("/mon-quartier/", "/alertes/", f"/alertes/{alert.pk}/"):
            page = member.get(path).content.decode()
            assert local in page, path
            assert "10:05" not in page, path


def test_the_members_conversations_show_their_time_in_paris(
    member, jeanne_resident, paul_neighbour
):
    with time_machine.travel(SUMMER, tick=False):
        conversation = conversation_start(
            author=paul_neighbour, recipients=[jeanne_resident], text="Bonjour", subject="Haie"
        )
        for path in ("/mon-quartier/", "/messages/", f"/messages/{conversation.pk}/"):
            page = member.get(path).content.decode()
            assert "12:05" in page, path
            assert "10:05" not in page, path


def test_the_sms_outbox_shows_local_times_in_the_admin(client, sign_in, platform_admin):
    with time_machine.travel(WINTER, tick=False):
        sms = OutboundSms.objects.create(to="+33611000001", body="Alerte", purpose="alert")
    sign_in(client, platform_admin)

    for url in (
        reverse("outbound_sms:index"),
        reverse("outbound_sms:inspect", args=[sms.pk]),
    ):
        page = client.get(url).content.decode()
        assert "11:05" in page or "11 h 05" in page, url
        assert "10:05" not in page, url
        assert "10 h 05" not in page, url
