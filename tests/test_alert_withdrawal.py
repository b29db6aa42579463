"""Withdrawing an alert from the admin: a confirmation first, showing who the correction
will reach on each channel (those the alert actually reached) and what its SMS cost; only
a confirmed POST withdraws. An alert that has ended has its correction's SMS and push wait
for the end of quiet hours, its e-mails leave at once; a running alert's goes at once.
Only the moderators of the alert's commune (and the platform team) may withdraw.
"""

import html
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core import mail

from accounts.models import User
from alerts.models import AlertCategory, AlertMessage, ModerationStatus
from alerts.moderation import correction_sms_text
from alerts.services import alert_close, alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from notifications.cost import euros
from notifications.models import Channel, DeliveryStatus
from notifications.sms.segments import sms_segments
from notifications.tasks import outbox_message_fanout
from tests.fakes.celery_broker import in_memory_broker, task_eta, task_ids

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
QUEUE = "/admin/moderation-alertes/"
REASON = "Fausse alerte : c'était le releveur des compteurs."


def retract_url(alert):
    return f"{QUEUE}{alert.pk}/retirer/"


def body(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def neighbours(jeanne_resident, paul_neighbour, lucie_tuileries, marc_moderator, fake_twilio):
    User.objects.filter(pk=paul_neighbour.pk).update(phone="+33611223355")
    return {"jeanne": jeanne_resident, "paul": paul_neighbour, "marc": marc_moderator}


@pytest.fixture
def sent(run, neighbours):
    """Jeanne's alert, sent: Paul has it by SMS and e-mail, Marc (the mairie) by e-mail."""
    return run(
        alert_post,
        author=neighbours["jeanne"],
        category=AlertCategory.SCOUTING,
        text="Deux hommes relèvent les numéros des boîtes aux lettres rue du Port.",
    )


def _reached(alert, channel) -> int:
    return (
        alert.messages.get(kind=AlertMessage.Kind.ALERT)
        .deliveries.filter(channel=channel)
        .exclude(status=DeliveryStatus.QUEUED)
        .count()
    )


def _unchanged(alert):
    alert.refresh_from_db()
    assert alert.moderation_status == ModerationStatus.TO_REVIEW
    assert not alert.messages.filter(kind=AlertMessage.Kind.CORRECTION).exists()


def test_the_confirmation_shows_who_receives_the_correction_and_its_cost(
    client, sign_in, sent, neighbours
):
    sign_in(client, neighbours["marc"])

    page = client.get(retract_url(sent))

    assert page.status_code == 200
    text = body(page)
    sms, email = _reached(sent, Channel.SMS), _reached(sent, Channel.EMAIL)
    assert sms >= 1
    assert email >= 2
    assert f"<dt>SMS</dt><dd>{sms}</dd>" in text
    assert f"<dt>E-mail</dt><dd>{email}</dd>" in text
    assert "<dt>Notification</dt><dd>0</dd>" in text
    correction = correction_sms_text(alert=sent)
    assert correction in text
    segments = sms_segments(correction).segments
    cost = Decimal(str(settings.SMS_PRICE_PER_SEGMENT)) * sms * segments
    assert euros(cost.quantize(Decimal("0.01"))) in text
    assert f"{sms} SMS × {segments} segment(s)" in text
    assert "le rectificatif part tout de suite sur tous les canaux" in text


def test_looking_and_an_unconfirmed_post_change_nothing(client, sign_in, sent, neighbours):
    sign_in(client, neighbours["marc"])
    mail.outbox.clear()

    looked = client.get(retract_url(sent))
    first_step = client.post(retract_url(sent), {"reason": REASON})

    assert looked.status_code == 200
    assert first_step.status_code == 200
    assert REASON in body(first_step)  # carried over into the confirmation's form
    assert 'name="confirm" value="1"' in first_step.content.decode()
    _unchanged(sent)
    assert mail.outbox == []


def test_a_confirmed_post_without_a_reason_changes_nothing(client, sign_in, sent, neighbours):
    sign_in(client, neighbours["marc"])

    response = client.post(retract_url(sent), {"reason": "  ", "confirm": "1"})

    assert response.status_code == 400
    assert "Indiquez le motif" in body(response)
    _unchanged(sent)


def test_a_confirmed_post_withdraws_and_sends_the_correction_at_once(
    client, sign_in, sent, neighbours, django_capture_on_commit_callbacks
):
    sign_in(client, neighbours["marc"])
    reached = {
        (user, channel)
        for user, channel in sent.messages.get()
        .deliveries.exclude(status=DeliveryStatus.QUEUED)
        .values_list("user_id", "channel")
    }

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(retract_url(sent), {"reason": REASON, "confirm": "1"})

    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.moderation_status == ModerationStatus.RETRACTED
    correction = sent.messages.get(kind=AlertMessage.Kind.CORRECTION)
    assert correction.not_before is None
    assert correction.text == correction_sms_text(alert=sent)
    assert set(correction.deliveries.values_list("user_id", "channel")) == reached
    page = body(client.get(f"{QUEUE}{sent.pk}/"))
    assert "le rectificatif part vers ceux qui l'ont reçue" in page


# 2026-12-01 is a Tuesday: at 23:00 in Paris, quiet hours last until Wednesday 8:00.
@time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=PARIS), tick=False)
def test_an_ended_alerts_correction_at_night_holds_its_sms_until_morning_but_not_its_email(
    client, sign_in, run, neighbours, django_capture_on_commit_callbacks
):
    alert = run(
        alert_post,
        author=neighbours["jeanne"],
        category=AlertCategory.LOST_ANIMAL,
        text="Chat tigré perdu allée des Graves.",
    )
    run(alert_close, alert=alert, by=neighbours["jeanne"], text="Il est rentré.")
    morning = datetime(2026, 12, 2, 8, 0, tzinfo=PARIS)
    sign_in(client, neighbours["marc"])

    confirmation = body(client.get(retract_url(alert)))
    assert "les SMS et notifications attendent la fin des heures calmes" in confirmation
    assert "mercredi 2 décembre à 08:00" in confirmation

    with in_memory_broker() as drain:
        with django_capture_on_commit_callbacks(execute=True):
            client.post(retract_url(alert), {"reason": REASON, "confirm": "1"})
        correction = alert.messages.get(kind=AlertMessage.Kind.CORRECTION)
        assert correction.not_before == morning
        drain()  # the fan-out's own task: run it here, as the worker would
        outbox_message_fanout(correction.pk)
        tasks = drain()

    deliveries = correction.deliveries
    email_ids = set(deliveries.filter(channel=Channel.EMAIL).values_list("pk", flat=True))
    sms_ids = set(deliveries.filter(channel=Channel.SMS).values_list("pk", flat=True))
    assert email_ids
    assert sms_ids
    now_ids = task_ids(t for t in tasks if task_eta(t) is None or task_eta(t) <= morning)
    held = [t for t in tasks if task_eta(t) and task_eta(t) >= morning]
    assert email_ids <= now_ids
    assert sms_ids.isdisjoint(now_ids)
    assert {pk for t in held for pk in t.payload[0][0]} == sms_ids


@time_machine.travel(datetime(2026, 12, 1, 23, 0, tzinfo=PARIS), tick=False)
def test_a_running_alerts_correction_at_night_goes_at_once(client, sign_in, sent, neighbours):
    sign_in(client, neighbours["marc"])

    client.post(retract_url(sent), {"reason": REASON, "confirm": "1"})

    assert sent.messages.get(kind=AlertMessage.Kind.CORRECTION).not_before is None


# --- Who may withdraw ----------------------------------------------------------------------------


@pytest.fixture
def staff(make_user, cadaujac, didenheim):
    def grant(email, commune, role):
        user = make_user(email, first_name="Staff")
        staff_role_grant(user=user, commune=commune, role=role)
        return user

    return {
        "cadaujac_admin": grant("admin@cadaujac.test", cadaujac, StaffRole.ADMINISTRATOR),
        "cadaujac_broadcaster": grant("diff@cadaujac.test", cadaujac, StaffRole.BROADCASTER),
        "cadaujac_police": grant("police@cadaujac.test", cadaujac, StaffRole.POLICE),
        "didenheim_moderator": grant("mod@didenheim.test", didenheim, StaffRole.MODERATOR),
        "didenheim_admin": grant("admin@didenheim.test", didenheim, StaffRole.ADMINISTRATOR),
    }


# (persona, may withdraw Cadaujac's alert, may withdraw Didenheim's alert)
WHO_MAY_WITHDRAW = [
    ("jeanne", False, False),  # the author
    ("paul", False, False),  # a neighbour
    ("marc", True, False),  # Cadaujac's moderator
    ("cadaujac_admin", False, False),
    ("cadaujac_broadcaster", False, False),
    ("cadaujac_police", False, False),
    ("didenheim_moderator", False, True),
    ("didenheim_admin", False, False),
    ("platform_admin", True, True),
]


@pytest.mark.parametrize(("persona", "here", "there"), WHO_MAY_WITHDRAW)
def test_who_may_withdraw_an_alert(
    persona, here, there, client, sign_in, run, sent, neighbours, staff, dieter_didenheim, request
):
    foreign = run(
        alert_post,
        author=dieter_didenheim,
        category=AlertCategory.CANVASSER,
        text="Démarcheur insistant rue de Mulhouse.",
    )
    people = {**neighbours, **staff}
    user = people.get(persona) or request.getfixturevalue(persona)
    sign_in(client, user)

    for alert, allowed in ((sent, here), (foreign, there)):
        page = client.get(retract_url(alert))
        response = client.post(retract_url(alert), {"reason": REASON, "confirm": "1"})
        alert.refresh_from_db()
        withdrawn = alert.moderation_status == ModerationStatus.RETRACTED
        assert (page.status_code == 200, withdrawn) == (allowed, allowed), alert.commune.name
        if not allowed:
            assert response.status_code in (302, 403, 404)
            assert not alert.messages.filter(kind=AlertMessage.Kind.CORRECTION).exists()


def test_an_alert_already_withdrawn_offers_no_second_correction(client, sign_in, sent, neighbours):
    sign_in(client, neighbours["marc"])
    client.post(retract_url(sent), {"reason": REASON, "confirm": "1"})

    again = client.get(retract_url(sent))
    second = client.post(retract_url(sent), {"reason": REASON, "confirm": "1"})

    assert "Seule une alerte envoyée peut être retirée." in body(again)
    assert 'name="confirm"' not in again.content.decode()
    assert second.status_code == 400
    assert sent.messages.filter(kind=AlertMessage.Kind.CORRECTION).count() == 1
