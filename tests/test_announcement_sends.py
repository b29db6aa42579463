"""The mairie publishes an announcement: members who take its news get it, once.

By e-mail (``news_by_email``, on by default) at once; by notification (``news_by_push``)
at once by day, from 8 h when published at night; by SMS only when staff ticked "envoyer
aussi par SMS", and then only the members reached by nothing else. Editing and publishing
again, a translation, a restricted page, another commune's or a pending member: nothing.
Staff see the reach and the SMS's cost in the editor before publishing.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import translation
from wagtail.models import PageViewRestriction

from accounts.models import Profile
from communities.models import MembershipStatus
from mairie_pages.announcement_audience import announcement_sms_text
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage, AnnouncementSend
from notifications.models import Channel, Delivery
from notifications.sms.segments import is_gsm7
from notifications.tasks import outbox_message_fanout
from tests.fakes.celery_broker import task_eta, task_ids

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TUESDAY_NOON = datetime(2026, 12, 1, 12, 0, tzinfo=PARIS)
TUESDAY_NIGHT = datetime(2026, 12, 1, 22, 30, tzinfo=PARIS)


def _draft(commune, *, title="Travaux rue de la Mairie", sms=False):
    index = AnnouncementIndexPage.objects.child_of(commune.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(
            title=title,
            slug="travaux",
            summary="La rue de la Mairie sera fermée lundi de 8 h à 17 h.",
            live=False,
            sms_requested=sms,
        )
    )
    return page


def _publish(page, capture):
    with capture(execute=True):
        page.save_revision().publish()
    page.refresh_from_db()
    return page


@pytest.fixture
def residents(make_member, centre_bourg, tuileries, village, push_device):
    """Cadaujac: Émilie by e-mail, Pauline by push too, Simone by SMS alone, Noé turned the
    news off; Pia waits for verification; Didi lives in Didenheim."""
    emilie = make_member("emilie@cadaujac.test", centre_bourg, first_name="Émilie", last_name="E")
    pauline = make_member("pauline@cadaujac.test", tuileries, first_name="Pauline", last_name="P")
    Profile.objects.create(user=pauline, news_by_push=True)
    pauline_phone = push_device(pauline)
    simone = make_member(
        None, centre_bourg, first_name="Simone", last_name="S", phone="+33612345678"
    )
    noe = make_member("noe@cadaujac.test", centre_bourg, first_name="Noé", last_name="N")
    Profile.objects.create(user=noe, news_by_email=False)
    pia = make_member(
        "pia@cadaujac.test",
        centre_bourg,
        first_name="Pia",
        last_name="A",
        status=MembershipStatus.PENDING,
    )
    didi = make_member("didi@didenheim.test", village, first_name="Didi", last_name="D")
    return {
        "emilie": emilie,
        "pauline": pauline,
        "pauline_phone": pauline_phone,
        "simone": simone,
        "noe": noe,
        "pia": pia,
        "didi": didi,
    }


def _received(channel):
    return set(
        Delivery.objects.filter(channel=channel, message__purpose="announcement").values_list(
            "user__first_name", flat=True
        )
    )


@time_machine.travel(TUESDAY_NOON, tick=False)
def test_publishing_reaches_members_who_take_the_mairies_news_by_email_and_push(
    cadaujac, residents, fake_push, django_capture_on_commit_callbacks
):
    page = _publish(_draft(cadaujac), django_capture_on_commit_callbacks)

    assert _received(Channel.EMAIL) == {"Émilie", "Pauline"}
    assert _received(Channel.PUSH) == {"Pauline"}
    assert _received(Channel.SMS) == set()  # nobody asked for a paid SMS
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects == {
        "emilie@cadaujac.test": "[Cadaujac] Annonce de la mairie : Travaux rue de la Mairie",
        "pauline@cadaujac.test": "[Cadaujac] Annonce de la mairie : Travaux rue de la Mairie",
    }
    assert page.get_full_url() in mail.outbox[0].body
    assert "fermée lundi" in mail.outbox[0].body
    pushes = fake_push.requests_to(residents["pauline_phone"].endpoint)
    assert len(pushes) == 1
    shown = residents["pauline_phone"].decrypt(pushes[0].body)
    assert shown["title"] == "Mairie de Cadaujac"
    assert shown["body"].startswith("Travaux rue de la Mairie — La rue de la Mairie")
    assert shown["url"] == page.get_full_url()


@time_machine.travel(TUESDAY_NOON, tick=False)
def test_sms_goes_only_when_asked_and_only_to_members_reached_by_nothing_else(
    cadaujac, residents, fake_twilio, django_capture_on_commit_callbacks
):
    _publish(_draft(cadaujac, sms=True), django_capture_on_commit_callbacks)

    assert _received(Channel.SMS) == {"Simone"}
    [sms] = fake_twilio.messages.values()
    assert sms["to"] == "+33612345678"
    assert sms["body"].startswith("Mairie de Cadaujac : Travaux rue de la Mairie\n")
    assert is_gsm7(sms["body"])  # one "ê" would bill the whole SMS as UCS-2


@time_machine.travel(TUESDAY_NOON, tick=False)
def test_publishing_again_after_an_edit_sends_nothing_more(
    cadaujac, residents, fake_push, django_capture_on_commit_callbacks
):
    page = _publish(_draft(cadaujac), django_capture_on_commit_callbacks)
    page.title = "Travaux rue de la Mairie : horaires changés"
    _publish(page, django_capture_on_commit_callbacks)

    assert AnnouncementSend.objects.count() == 1
    assert len(mail.outbox) == 2


@time_machine.travel(TUESDAY_NIGHT, tick=False)
def test_at_night_the_email_leaves_and_the_push_waits_for_the_morning(cadaujac, residents, broker):
    _draft(cadaujac).save_revision().publish()
    send = AnnouncementSend.objects.get()

    outbox_message_fanout(send.pk)

    tasks = broker()
    emails = set(Delivery.objects.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    pushes = set(Delivery.objects.filter(channel=Channel.PUSH).values_list("pk", flat=True))
    assert task_ids(t for t in tasks if task_eta(t) is None) == emails
    morning = datetime(2026, 12, 2, 8, 0, tzinfo=PARIS)
    assert task_ids(t for t in tasks if task_eta(t) == morning) == pushes
    assert len(emails) == 2
    assert len(pushes) == 1


@time_machine.travel(TUESDAY_NOON, tick=False)
def test_a_restricted_or_another_communes_announcement_reaches_nobody_here(
    cadaujac, didenheim, residents, django_capture_on_commit_callbacks
):
    restricted = _draft(cadaujac)
    PageViewRestriction.objects.create(page=restricted, restriction_type=PageViewRestriction.LOGIN)
    _publish(restricted, django_capture_on_commit_callbacks)
    assert not AnnouncementSend.objects.exists()

    _publish(_draft(didenheim, title="Fête du village"), django_capture_on_commit_callbacks)
    assert _received(Channel.EMAIL) == {"Didi"}


def test_the_sms_text_is_gsm7_and_short():
    text = announcement_sms_text(
        commune_name="Cadaujac",
        title="Fête de l’école « Les Châtaigniers »",
        summary="Rendez-vous à 14 h ; goûter offert. " * 20,
        url="https://cadaujac.voisinage.fr/actualites/fete/",
    )
    assert is_gsm7(text)
    assert text.endswith("...\nhttps://cadaujac.voisinage.fr/actualites/fete/")
    assert len(text) < 320


def test_the_sms_speaks_french_even_from_an_english_request():
    """An editor browsing in English (or a request that left English active) publishes the
    commune's French announcement: its SMS is signed in French, like its title."""
    with translation.override("en"):
        text = announcement_sms_text(
            commune_name="Le Haillan", title="Travaux", summary="", url="https://x.test/"
        )
    assert text.startswith("Mairie du Haillan : Travaux\n")


@time_machine.travel(TUESDAY_NOON, tick=False)
def test_the_editor_shows_the_reach_and_the_sms_cost_before_publishing(
    cadaujac, residents, alice_editor, sign_in, settings
):
    settings.SMS_PRICE_PER_SEGMENT = 0.05
    page = _draft(cadaujac)
    client = sign_in(Client(), alice_editor)

    response = client.get(f"/admin/pages/{page.pk}/edit/", HTTP_HOST="cadaujac.localhost")

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "Envoi aux habitants" in html
    assert "par e-mail à 2 membre(s) et par notification à 1 membre(s)" in html
    assert "1 membre(s) ne la reçoivent ni par e-mail ni par notification" in html
    # One member (Simone) × one GSM-7 segment × 0.05 €.
    assert "1 segment(s) chacun, environ 0,05 € en tout" in html
