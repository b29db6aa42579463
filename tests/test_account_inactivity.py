"""Two years without activity: the member is warned at 23 months (e-mail, or SMS for those
who take part by SMS alone), the account is erased at 24 (CNIL) by the daily beat task;
signing in or texting the relay number keeps it; staff are warned, never erased."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from twilio.request_validator import RequestValidator

from accounts.models import User
from communities.models import Membership, MembershipStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from portal.celery import app

pytestmark = pytest.mark.django_db

TASK = "accounts.inactive_accounts_sweep"
TOKEN = "test-twilio-token"


@pytest.fixture(autouse=True, scope="module")
def _worker_tasks():
    """Import every app's tasks module, as a starting worker does (autodiscovery)."""
    app.loader.import_default_modules()


@pytest.fixture(autouse=True)
def _sms_to_the_outbox(settings):
    settings.SMS_BACKEND = "outbox"
    settings.TWILIO_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = ""


def sms_only(centre_bourg, *, phone, first_name):
    """A neighbour registered by SMS alone: no e-mail, no password; they never sign in."""
    user = User.objects.create_user(
        phone=phone, first_name=first_name, last_name="Sms", phone_verified_at=timezone.now()
    )
    Membership.objects.create(
        user=user, community=centre_bourg, address="2 rue", status=MembershipStatus.VERIFIED
    )
    return user


@pytest.fixture
def germaine(centre_bourg):
    return sms_only(centre_bourg, phone="+33611000101", first_name="Germaine")


@pytest.fixture
def gaston(centre_bourg):
    return sms_only(centre_bourg, phone="+33611000102", first_name="Gaston")


def run_beat_task(days_after):
    """Run the beat entry's task, by its registered name, ``days_after`` days from now."""
    with time_machine.travel(timezone.now() + timedelta(days=days_after), tick=False):
        return app.tasks[TASK].apply().get()


def text_relay(client, phone, body, sid):
    params = {"From": phone, "To": "+33700000000", "Body": body, "MessageSid": sid}
    signature = RequestValidator(TOKEN).compute_signature("http://testserver/sms/inbound/", params)
    return client.post("/sms/inbound/", params, headers={"x-twilio-signature": signature})


def test_the_task_is_in_the_beat_schedule_under_its_registered_name(settings):
    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert TASK in entries
    assert TASK in app.tasks


def test_members_are_warned_once_at_23_months_by_email_or_sms(
    jeanne_resident, germaine, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert run_beat_task(days_after=690) == {"erased": 0, "warned": 0}
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert run_beat_task(days_after=701) == {"erased": 0, "warned": 2}
    with django_capture_on_commit_callbacks(execute=True):
        assert run_beat_task(days_after=702) == {"erased": 0, "warned": 0}

    [email] = mail.outbox
    assert email.to == ["jeanne@cadaujac.test"]
    assert "sera supprimé le" in email.subject
    assert "connecter" in email.body
    [sms] = Delivery.objects.filter(channel=Channel.SMS)
    assert str(sms.user.phone) == "+33611000101"
    assert sms.status == DeliveryStatus.SENT
    assert "répondez START" in sms.message.text
    assert User.objects.filter(inactivity_warned_at__isnull=False).count() == 2


def test_accounts_are_erased_at_24_months_but_never_staff(
    jeanne_resident, germaine, marc_moderator, platform_admin
):
    run_beat_task(days_after=701)

    assert run_beat_task(days_after=731) == {"erased": 2, "warned": 0}

    assert not User.objects.filter(pk__in=[jeanne_resident.pk, germaine.pk]).exists()
    assert not Membership.objects.filter(user_id=jeanne_resident.pk).exists()
    staff = User.objects.filter(pk__in=[marc_moderator.pk, platform_admin.pk])
    assert staff.count() == 2
    assert all(user.inactivity_warned_at for user in staff)


def test_an_account_first_warned_late_still_gets_its_month_of_notice(jeanne_resident):
    run_beat_task(days_after=800)  # the task's first run, long after 24 months

    assert User.objects.get(pk=jeanne_resident.pk).inactivity_warned_at is not None
    assert run_beat_task(days_after=815) == {"erased": 0, "warned": 0}
    assert run_beat_task(days_after=831) == {"erased": 1, "warned": 0}


def test_signing_in_after_the_warning_keeps_the_account(client, sign_in, jeanne_resident):
    run_beat_task(days_after=701)
    with time_machine.travel(timezone.now() + timedelta(days=710), tick=False):
        sign_in(client, jeanne_resident)

    assert run_beat_task(days_after=731) == {"erased": 0, "warned": 0}
    jeanne_resident.refresh_from_db()
    assert jeanne_resident.inactivity_warned_at is None


def test_an_sms_only_member_who_texts_is_active_and_one_who_never_does_is_not(
    client, germaine, gaston
):
    with time_machine.travel(timezone.now() + timedelta(days=400), tick=False):
        assert text_relay(client, "+33611000101", "AIDE", "SM" + "1" * 32).status_code == 200
    run_beat_task(days_after=701)
    # Gaston was warned by SMS and answers START as it told him to.
    with time_machine.travel(timezone.now() + timedelta(days=705), tick=False):
        text_relay(client, "+33611000102", "START", "SM" + "2" * 32)

    assert run_beat_task(days_after=731) == {"erased": 0, "warned": 0}
    assert User.objects.filter(pk__in=[germaine.pk, gaston.pk]).count() == 2
    assert User.objects.get(pk=germaine.pk).inactivity_warned_at is None
    assert User.objects.get(pk=gaston.pk).inactivity_warned_at is None

    # Left alone, each is warned and erased two years after their own last text.
    assert run_beat_task(days_after=1110) == {"erased": 0, "warned": 1}  # Germaine
    assert run_beat_task(days_after=1150) == {"erased": 1, "warned": 0}
    assert list(User.objects.filter(pk__in=[germaine.pk, gaston.pk])) == [gaston]
    run_beat_task(days_after=1410)
    assert run_beat_task(days_after=1440) == {"erased": 1, "warned": 0}
