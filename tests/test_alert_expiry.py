"""An alert that is over sends nothing more by SMS or push, however late its turn comes.

An SMS found by the sweep hours after its alert expired, a retry after the alert's end, or a
fan-out that only runs once the alert has expired: the provider is not called, the rows say
why (``expired``, ``ended``), and the call list shows those members as not reached, with
that reason. Follow-ups are refused once the alert has expired, as after its end.
"""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Profile
from alerts.models import Alert, AlertCategory, AlertMessage
from alerts.services import alert_close, alert_follow_up, alert_post
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.tasks import deliveries_recover
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

PAUL = "+33611223355"
LUCIE = "+33611223366"
TEXT = "Camionnette blanche qui tourne lentement rue des Vignes."


@pytest.fixture
def street(make_member, centre_bourg, jeanne_resident, marc_moderator, settings):
    """Jeanne posts; Paul and Lucie receive SMS only (no e-mail alerts); Marc moderates."""
    settings.ALERT_RETRY_BASE_SECONDS = 0.01
    settings.ALERT_RECONCILE_AFTER = 0
    paul = make_member("paul@c.test", centre_bourg, first_name="Paul", last_name="D", phone=PAUL)
    lucie = make_member(
        "lucie@c.test", centre_bourg, first_name="Lucie", last_name="M", phone=LUCIE
    )
    for user in (paul, lucie):
        Profile.objects.create(user=user, alerts_by_email=False)
    return {"jeanne": jeanne_resident, "paul": paul, "lucie": lucie, "marc": marc_moderator}


def _post(street, commit, *, execute=True):
    with commit(execute=execute) as callbacks:
        alert = alert_post(author=street["jeanne"], category=AlertCategory.SCOUTING, text=TEXT)
    return alert, callbacks


def _expire(alert, *, ago=timedelta(hours=3)):
    _expires_at(alert, timezone.now() - ago)


def _expires_at(alert, moment):
    # The outbox reads the expiry its messages were given from the alert when written.
    Alert.objects.filter(pk=alert.pk).update(expires_at=moment)
    AlertMessage.objects.filter(alert=alert).update(expires_at=moment)


def _neighbours_sms():
    return Delivery.objects.filter(channel=Channel.SMS, user__phone__in=[PAUL, LUCIE])


def _call_list(client, sign_in, street, alert):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, street["marc"])
    response = client.get(f"/alertes/{alert.pk}/injoignables/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_sweep_sends_nothing_of_an_alert_that_expired_hours_ago(
    street, fake_twilio, client, sign_in, django_capture_on_commit_callbacks
):
    alert, _ = _post(street, django_capture_on_commit_callbacks, execute=False)
    message = AlertMessage.objects.get(alert=alert)
    deliveries_write(message=message)  # then the broker lost the tasks
    AlertMessage.objects.filter(pk=message.pk).update(fanned_out_at=timezone.now())
    # Paul's SMS was handed over when a worker died: unknown, and not at the provider.
    Delivery.objects.filter(channel=Channel.SMS, user__phone=PAUL).update(
        status=DeliveryStatus.SENDING, claim=uuid.uuid4(), attempts=1
    )
    Delivery.objects.update(updated_at=timezone.now() - timedelta(hours=3))
    _expire(alert)

    deliveries_recover()

    assert fake_twilio.message_requests() == []
    rows = _neighbours_sms()
    assert set(rows.values_list("status", "error_code", "permanent_failure")) == {
        (DeliveryStatus.FAILED, "expired", True)
    }
    page = _call_list(client, sign_in, street, alert)
    assert "Paul D" in page
    assert "Lucie M" in page
    assert page.count("Non envoyé : l&#x27;alerte avait expiré") == 2


def test_a_retry_after_the_alert_expired_is_not_sent(
    street, fake_twilio, settings, django_capture_on_commit_callbacks
):
    settings.TWILIO_HTTP_TIMEOUT = 10
    fake_twilio.failures_before_success = {PAUL: 1}
    fake_twilio.latency = 2.5
    alert, callbacks = _post(street, django_capture_on_commit_callbacks, execute=False)
    # The alert ends its life while the provider is answering the first attempt.
    _expires_at(alert, timezone.now() + timedelta(seconds=2))

    for callback in callbacks:
        callback()

    to_paul = [r for r in fake_twilio.message_requests() if r.params["To"] == PAUL]
    assert [r.status for r in to_paul] == [500]  # tried while it ran, never retried after
    assert fake_twilio.messages_to() == {LUCIE: 1}
    paul = _neighbours_sms().get(user__phone=PAUL)
    assert (paul.status, paul.error_code) == (DeliveryStatus.FAILED, "expired")


def test_a_fan_out_that_runs_after_expiry_writes_the_rows_and_sends_no_sms(
    street, fake_twilio, client, sign_in, django_capture_on_commit_callbacks
):
    alert, callbacks = _post(street, django_capture_on_commit_callbacks, execute=False)
    _expire(alert, ago=timedelta(minutes=1))

    for callback in callbacks:
        callback()

    assert fake_twilio.message_requests() == []
    assert set(_neighbours_sms().values_list("error_code", flat=True)) == {"expired"}
    # E-mails still go (the commune's staff here): read later, they mislead nobody.
    assert mail.outbox
    assert "Non envoyé : l&#x27;alerte avait expiré" in _call_list(client, sign_in, street, alert)


def test_sms_of_an_alert_closed_before_their_turn_stay_unsent_and_the_closing_goes(
    street, fake_twilio, client, sign_in, django_capture_on_commit_callbacks
):
    alert, _ = _post(street, django_capture_on_commit_callbacks, execute=False)
    first = AlertMessage.objects.get(alert=alert)
    deliveries_write(message=first)  # queued, waiting for their paced slot
    AlertMessage.objects.filter(pk=first.pk).update(fanned_out_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        closing = alert_close(alert=alert, by=street["jeanne"], text="Elle est repartie.")
    Delivery.objects.filter(message=first).update(updated_at=timezone.now() - timedelta(hours=1))

    deliveries_recover()

    assert fake_twilio.messages_to() == {PAUL: 1, LUCIE: 1}
    assert {r.params["Body"] for r in fake_twilio.message_requests()} == {closing.text}
    assert set(_neighbours_sms().filter(message=first).values_list("error_code", flat=True)) == {
        "ended"
    }
    assert "Non envoyé : l&#x27;alerte était déjà close" in _call_list(
        client, sign_in, street, alert
    )


@pytest.mark.parametrize("service", [alert_follow_up, alert_close])
def test_an_expired_alert_takes_no_follow_up(street, service, django_capture_on_commit_callbacks):
    from django.core.exceptions import ValidationError

    alert, _ = _post(street, django_capture_on_commit_callbacks)
    _expire(alert, ago=timedelta(minutes=5))

    with pytest.raises(ValidationError) as refusal:
        service(alert=alert, by=street["jeanne"], text="Encore un mot.")

    assert "Cette alerte a expiré" in " ".join(refusal.value.messages)
    assert AlertMessage.objects.filter(alert=alert).count() == 1


def test_the_page_refuses_a_follow_up_after_expiry_in_french(
    street, client, sign_in, django_capture_on_commit_callbacks
):
    alert, _ = _post(street, django_capture_on_commit_callbacks)
    _expire(alert, ago=timedelta(minutes=5))
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, street["jeanne"])

    page = client.get(f"/alertes/{alert.pk}/").content.decode()
    response = client.post(
        f"/alertes/{alert.pk}/suivi/", {"suivi-text": "Elle est revenue."}, follow=True
    )

    assert "Publier un suivi" not in page
    assert "Cette alerte a expiré : elle ne peut plus recevoir de suivi." in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert AlertMessage.objects.filter(alert=alert).count() == 1
