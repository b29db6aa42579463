"""Every notice to a member goes through the outbox, with the alerts' guarantees.

A moderation outcome, a registration decision, an invitation, an inactivity warning: each
is a ``Notice`` written in the transaction that decides it, with one delivery per channel
the member can be reached on, sent after commit, held for quiet hours (SMS, push) unless
urgent, retried and reconciled with the provider, and erased with the member.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.gdpr import account_erase
from accounts.inactivity import inactive_accounts_warn
from accounts.models import User
from alerts.models import AlertCategory
from alerts.notices import alert_outcome_notify
from alerts.services import alert_post
from communities.memberships import membership_decision_notify, neighbour_register
from communities.models import Membership, MembershipStatus, ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from moderation.notices import warning_notify
from notifications.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Notice,
    OutboxMessage,
)
from notifications.notices import notice_send
from notifications.reachability import sms_opt_out
from notifications.reconciliation import deliveries_reconcile
from notifications.tasks import deliveries_send_task, outbox_message_fanout
from tests.fakes.celery_broker import task_eta, task_ids

pytestmark = pytest.mark.django_db

JEANNE_PHONE = "+33611223344"
# A Tuesday, 23:00 in Paris: quiet hours, whatever day the tests run.
NIGHT = datetime(2026, 11, 24, 23, 0, tzinfo=ZoneInfo("Europe/Paris"))


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for after commit (the outbox's sending)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def germaine(django_user_model, centre_bourg):
    """Germaine takes part by SMS alone: a phone, no e-mail."""
    user = django_user_model.objects.create_user(
        email=None, phone="+33611000555", first_name="Germaine", last_name="Roux"
    )
    Membership.objects.create(
        user=user, community=centre_bourg, address="3 rue", status=MembershipStatus.VERIFIED
    )
    return user


def _channels(user) -> dict[str, str]:
    return dict(Delivery.objects.filter(user=user).values_list("channel", "status"))


def _warn(user, cadaujac):
    return warning_notify(
        author=user, commune=cadaujac, summary={"title": "Vélo à vendre"}, note="Hors sujet."
    )


# --- Each former path: a notice, one delivery per channel chosen, received ---------------------


def test_a_moderation_warning_is_one_email_notice(run, jeanne_resident, cadaujac):
    notice = run(_warn, user=jeanne_resident, cadaujac=cadaujac)

    assert notice.kind == "moderation_warning"
    assert _channels(jeanne_resident) == {Channel.EMAIL: DeliveryStatus.SENT}
    (email,) = mail.outbox
    assert email.to == ["jeanne@cadaujac.test"]
    assert email.subject == notice.subject
    assert "Hors sujet." in email.body


def test_an_alert_outcome_reaches_an_sms_only_author_by_sms(run, germaine, cadaujac, fake_twilio):
    alert = alert_post(author=germaine, category=AlertCategory.OTHER, text="Lampadaire cassé.")

    run(alert_outcome_notify, alert=alert, outcome="rejected", reason="Appelez la mairie.")

    assert _channels(germaine) == {Channel.SMS: DeliveryStatus.SENT}
    (request,) = fake_twilio.message_requests()
    assert request.params["To"] == "+33611000555"
    assert "Appelez la mairie." in request.params["Body"]
    assert mail.outbox == []


def test_a_registration_decision_goes_by_email_and_sms(run, jeanne_resident, fake_twilio):
    membership = Membership.objects.get(user=jeanne_resident)

    run(membership_decision_notify, membership=membership)

    assert _channels(jeanne_resident) == {
        Channel.EMAIL: DeliveryStatus.SENT,
        Channel.SMS: DeliveryStatus.SENT,
    }
    assert [m.to for m in mail.outbox] == [["jeanne@cadaujac.test"]]
    assert "est validée" in mail.outbox[0].body
    assert [r.params["To"] for r in fake_twilio.message_requests()] == [JEANNE_PHONE]


def test_a_sponsored_neighbours_invitation_is_one_sms(run, jeanne_resident, fake_twilio):
    membership = run(
        neighbour_register,
        sponsor=jeanne_resident,
        first_name="Firmin",
        last_name="Lacoste",
        phone="06 55 44 33 22",
        address="21 rue Basse",
    )

    assert _channels(membership.user) == {Channel.SMS: DeliveryStatus.SENT}
    (request,) = fake_twilio.message_requests()
    assert request.params["To"] == "+33655443322"
    assert request.params["Body"].startswith("Jeanne Lafargue vous inscrit")


def test_an_inactivity_warning_is_a_notice_written_with_its_claim(run, jeanne_resident):
    later = timezone.now() + timedelta(days=701)

    assert run(inactive_accounts_warn, now=later) == 1

    notice = Notice.objects.get(recipient=jeanne_resident)
    assert notice.kind == "inactivity_warning"
    assert _channels(jeanne_resident) == {Channel.EMAIL: DeliveryStatus.SENT}
    assert "sera supprimé le" in mail.outbox[0].subject


# --- Reachability: STOP, an undeliverable address ----------------------------------------------


def test_a_member_who_answered_stop_gets_no_sms(run, jeanne_resident, fake_twilio):
    sms_opt_out(user_id=jeanne_resident.pk)

    run(membership_decision_notify, membership=Membership.objects.get(user=jeanne_resident))

    assert _channels(jeanne_resident) == {Channel.EMAIL: DeliveryStatus.SENT}
    assert fake_twilio.message_requests() == []


def test_an_undeliverable_address_makes_the_notice_an_sms(
    run, jeanne_resident, cadaujac, fake_twilio
):
    User.objects.filter(pk=jeanne_resident.pk).update(email_undeliverable_at=timezone.now())
    jeanne_resident.refresh_from_db()

    run(_warn, user=jeanne_resident, cadaujac=cadaujac)

    assert _channels(jeanne_resident) == {Channel.SMS: DeliveryStatus.SENT}
    assert mail.outbox == []
    assert "Hors sujet." in fake_twilio.message_requests()[0].params["Body"]


def test_a_decision_that_rolls_back_tells_nobody(
    jeanne_resident, cadaujac, django_capture_on_commit_callbacks
):
    def decide_then_fail():
        with transaction.atomic():
            _warn(jeanne_resident, cadaujac)
            raise RuntimeError("the moderator's decision failed")

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
    ):
        decide_then_fail()

    assert callbacks == []
    assert not Notice.objects.exists()
    assert not Delivery.objects.exists()
    assert mail.outbox == []


# --- Quiet hours --------------------------------------------------------------------------------


def test_at_night_the_email_leaves_and_the_sms_waits_for_the_morning(
    jeanne_resident, broker, fake_twilio
):
    with time_machine.travel(NIGHT, tick=False):
        membership_decision_notify(membership=Membership.objects.get(user=jeanne_resident))
        notice = Notice.objects.get(recipient=jeanne_resident)
        outbox_message_fanout(notice.pk)
        tasks = broker()

    assert notice.not_before == NIGHT.replace(day=25, hour=8)
    sms_ids = set(Delivery.objects.filter(channel=Channel.SMS).values_list("pk", flat=True))
    at_once = [t for t in tasks if task_eta(t) is None or task_eta(t) <= NIGHT]
    held = [t for t in tasks if t not in at_once]
    assert task_ids(held) == sms_ids
    assert all(task_eta(t) >= notice.not_before for t in held)
    for task in at_once:
        deliveries_send_task(*task.payload[0])
    assert [m.to for m in mail.outbox] == [["jeanne@cadaujac.test"]]
    assert fake_twilio.message_requests() == []
    assert set(Delivery.objects.filter(pk__in=sms_ids).values_list("status", flat=True)) == {
        DeliveryStatus.QUEUED
    }


def test_a_held_alert_reaches_its_moderators_sms_at_night(
    cadaujac, jeanne_resident, make_user, broker, fake_twilio, settings
):
    settings.SMS_RATE_PER_SECOND = 0  # no pacing: what is due now has no ETA
    mona = make_user("mona@cadaujac.test", first_name="Mona", phone="+33612345670")
    staff_role_grant(user=mona, commune=cadaujac, role=StaffRole.MODERATOR)
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])

    with time_machine.travel(NIGHT, tick=False):
        alert_post(
            author=jeanne_resident,
            category=AlertCategory.BURGLARY,
            text="Tentative d'effraction au 4 impasse des Pins.",
        )
        notice = Notice.objects.get(recipient=mona)
        outbox_message_fanout(notice.pk)
        tasks = broker()

    assert notice.urgent
    assert notice.not_before is None
    sms = Delivery.objects.get(user=mona, channel=Channel.SMS)
    assert sms.pk in task_ids(tasks)
    assert all(task_eta(t) is None or task_eta(t) <= NIGHT for t in tasks)
    for task in tasks:
        deliveries_send_task(*task.payload[0])
    assert [r.params["To"] for r in fake_twilio.message_requests()] == ["+33612345670"]


# --- Provider failures: retried, reconciled, fallen back ---------------------------------------


def test_a_notice_sms_the_provider_refuses_once_is_retried_and_never_sent_twice(
    run, germaine, cadaujac, fake_twilio
):
    fake_twilio.failures_before_success = {"+33611000555": 1}

    run(_warn, user=germaine, cadaujac=cadaujac)

    assert [r.status for r in fake_twilio.message_requests()] == [500, 201]
    sms = Delivery.objects.get(user=germaine, channel=Channel.SMS)
    assert sms.status == DeliveryStatus.SENT
    assert sms.attempts == 2
    # A worker killed before it wrote the outcome: reconciliation asks Twilio, which has
    # the message, and records it without sending it again.
    sid = sms.provider_message_id
    Delivery.objects.filter(pk=sms.pk).update(
        status=DeliveryStatus.SENDING,
        provider_message_id=None,
        updated_at=timezone.now() - timedelta(hours=1),
    )

    outcome = deliveries_reconcile(ids=[sms.pk])

    assert outcome.sent == [sms.pk]
    sms.refresh_from_db()
    assert sms.status == DeliveryStatus.SENT
    assert sms.provider_message_id == sid
    assert fake_twilio.messages_to() == {"+33611000555": 1}


def test_a_notice_sms_that_fails_for_good_falls_back_to_the_members_email(
    run, jeanne_resident, fake_twilio
):
    fake_twilio.errors_by_number = {JEANNE_PHONE: 21211}  # not a valid number

    run(
        notice_send,
        user=jeanne_resident,
        kind="test",
        subject="Votre inscription sur Voisinage",
        text="Bienvenue.",
        channels=[Channel.SMS],
    )

    assert _channels(jeanne_resident) == {
        Channel.SMS: DeliveryStatus.FAILED,
        Channel.EMAIL: DeliveryStatus.SENT,
    }
    assert [m.to for m in mail.outbox] == [["jeanne@cadaujac.test"]]


# --- Erasure ------------------------------------------------------------------------------------


def test_a_members_erasure_deletes_their_notices_and_deliveries(run, jeanne_resident, cadaujac):
    notice = run(_warn, user=jeanne_resident, cadaujac=cadaujac)

    account_erase(user=jeanne_resident)

    assert not Notice.objects.filter(pk=notice.pk).exists()
    assert not OutboxMessage.objects.filter(pk=notice.pk).exists()
    assert not Delivery.objects.filter(message_id=notice.pk).exists()
