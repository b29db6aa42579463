"""Every SMS the platform words itself stays in GSM-7 characters (160 a segment, not 70),
and place names take French contractions ("des Graves", never "de Les Graves").

A single "«", "—", "…", "ê" or "ç" of a template bills the whole SMS as UCS-2: two or three
times the price, for every recipient of a commune-wide message.
"""

import pytest
from django.utils import timezone
from django.utils.translation import override

from alerts.models import Alert, AlertCategory
from alerts.moderation import correction_sms_text
from alerts.sms_text import alert_sms_text
from communities.models import Community
from communities.wording import at_place, of_place
from mairie_pages.announcement_audience import announcement_sms_text
from messaging.official import official_sms_text
from notifications.sms.segments import is_gsm7, sms_segments

pytestmark = pytest.mark.django_db


@pytest.fixture
def les_graves(cadaujac):
    return Community.objects.create(commune=cadaujac, name="Les Graves", slug="les-graves")


@pytest.mark.parametrize(
    ("name", "of", "at"),
    [
        ("Cadaujac", "de Cadaujac", "à Cadaujac"),
        ("Les Graves", "des Graves", "aux Graves"),
        ("Le Bouscat", "du Bouscat", "au Bouscat"),
        ("La Teste-de-Buch", "de La Teste-de-Buch", "à La Teste-de-Buch"),
        ("Eysines", "d'Eysines", "à Eysines"),
    ],
)
def test_place_names_take_french_contractions(name, of, at):
    with override("fr"):
        assert (of_place(name), at_place(name)) == (of, at)


def test_in_english_the_place_keeps_its_name():
    with override("en"):
        assert of_place("Les Graves") == "of Les Graves"


def test_the_correction_is_one_gsm7_segment_and_says_des_graves(les_graves, jeanne_resident):
    alert = Alert(
        commune=les_graves.commune,
        community=les_graves,
        author=jeanne_resident,
        category=AlertCategory.CANVASSER,
        text="Faux agent des eaux.",
        created_at=timezone.now(),
    )
    with override("fr"):
        text = correction_sms_text(alert=alert)

    assert "des Graves" in text
    assert "de Les" not in text
    assert is_gsm7(text)
    assert sms_segments(text).segments == 1


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_platform_template_is_gsm7(cadaujac, les_graves, jeanne_resident, language):
    alert = Alert(
        commune=cadaujac,
        community=les_graves,
        author=jeanne_resident,
        category=AlertCategory.BURGLARY,
        created_at=timezone.now(),
    )
    cadaujac.phone = "05 56 00 00 80"
    with override(language):
        texts = {
            "alert": alert_sms_text(alert=alert, text="Volets forcés rue Haute."),
            "correction": correction_sms_text(alert=alert),
            "official": official_sms_text(
                commune=cadaujac,
                subject="Travaux",
                text="Coupure d'eau lundi.",
                replies_allowed=True,
            ),
            "official, no reply": official_sms_text(
                commune=cadaujac, subject="", text="Coupure d'eau lundi.", replies_allowed=False
            ),
            "official, cut": official_sms_text(
                commune=cadaujac,
                subject="Travaux",
                text="Coupure d'eau. " * 80,
                replies_allowed=False,
            ),
            "announcement": announcement_sms_text(
                commune_name="Les Églisottes",
                title="Fête de l'été",
                summary="Rendez-vous à 14 h ; goûter offert.",
                url="https://cadaujac.voisinage.fr/actualites/fete/",
            ),
        }

    not_gsm7 = {name: text for name, text in texts.items() if not is_gsm7(text)}
    assert not_gsm7 == {}


def test_a_notice_by_sms_is_gsm7_and_says_aux_graves(les_graves, make_member):
    """A registration decision to a member who takes part by SMS alone."""
    from communities.memberships import membership_decision_notify
    from notifications.models import Delivery, Notice
    from notifications.sources import outbox_source

    simone = make_member(None, les_graves, first_name="Simone", last_name="S", phone="+33612345678")
    membership = simone.memberships.get()
    with override("fr"):
        membership_decision_notify(membership=membership)
    notice = Notice.objects.get(recipient=simone)

    text = outbox_source(notice.purpose).sms_text(
        Delivery(message=notice, user=simone, channel="sms")
    )

    assert "inscription aux Graves (Cadaujac) est validée" in text
    assert "/mon-quartier/" in text
    assert is_gsm7(text)
