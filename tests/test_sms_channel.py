"""The SMS channel: the outbox row, the local backends, the monotonic status, no double send."""

import io
import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured

from notifications.models import OutboundSms, SmsPurpose, SmsStatus, status_may_advance
from notifications.sms.backends import (
    ConsoleSmsBackend,
    SmsBackend,
    SmsError,
    sms_backend,
)
from notifications.sms.service import sms_dispatch, sms_queue, sms_send, sms_status_update

JEAN_YVES = "+33611000001"
MARIE = "+33611000002"

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "outbox"


# --- The status machine -------------------------------------------------------------------------

ORDER = ["queued", "sending", "sent"]
FINAL = ["delivered", "failed", "undelivered"]


FORWARD = list(itertools.combinations([*ORDER, "delivered"], 2))


@pytest.mark.parametrize(("old", "new"), FORWARD)
def test_status_moves_forward(old, new):
    assert status_may_advance(old, new)


@pytest.mark.parametrize(("old", "new"), FORWARD)
def test_status_never_moves_back(old, new):
    assert not status_may_advance(new, old)


@pytest.mark.parametrize("final", FINAL)
@pytest.mark.parametrize("new", [*ORDER, *FINAL])
def test_a_final_status_is_never_overwritten(final, new):
    assert not status_may_advance(final, new)


@pytest.mark.parametrize("status", [*ORDER, *FINAL])
def test_a_repeated_status_changes_nothing(status):
    assert not status_may_advance(status, status)


def test_unknown_statuses_never_win():
    assert not status_may_advance("queued", "read")
    assert not status_may_advance("bogus", "sent")


# --- Validation: nothing written, nothing sent --------------------------------------------------


@pytest.mark.usefixtures("outbox")
@pytest.mark.parametrize("to", ["", "06", "+3361", "not a number", "+33 1 23", "+999123456789"])
def test_an_invalid_number_is_refused_before_anything_is_written(to):
    with pytest.raises(ValueError, match="phone number"):
        sms_send(to=to, body="Bonjour", purpose=SmsPurpose.OTHER)
    assert not OutboundSms.objects.exists()


@pytest.mark.usefixtures("outbox")
@pytest.mark.parametrize("body", ["", "   ", "\n"])
def test_an_empty_text_is_refused(body):
    with pytest.raises(ValueError, match="text"):
        sms_send(to=JEAN_YVES, body=body, purpose=SmsPurpose.OTHER)
    assert not OutboundSms.objects.exists()


@pytest.mark.usefixtures("outbox")
def test_a_text_over_1600_characters_is_refused():
    with pytest.raises(ValueError, match="1600"):
        sms_send(to=JEAN_YVES, body="a" * 1601, purpose=SmsPurpose.OTHER)


@pytest.mark.usefixtures("outbox")
def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError, match="purpose"):
        sms_send(to=JEAN_YVES, body="Bonjour", purpose="marketing")


@pytest.mark.usefixtures("outbox")
@pytest.mark.parametrize("sender", ["Une mairie trop longue", "Mairie!", "12", "+3361"])
def test_an_invalid_sender_is_refused(sender):
    with pytest.raises(ValueError, match=r"sender|phone number"):
        sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT, sender=sender)


@pytest.mark.usefixtures("outbox")
@pytest.mark.parametrize("validity_period", [0, -5, 36001])
def test_a_validity_period_outside_twilio_limits_is_refused(validity_period):
    with pytest.raises(ValueError, match="validity"):
        sms_send(
            to=JEAN_YVES,
            body="Bonjour",
            purpose=SmsPurpose.ALERT,
            validity_period=validity_period,
        )


@pytest.mark.usefixtures("outbox")
def test_a_national_number_is_stored_in_e164():
    sms = sms_send(to="06 11 00 00 01", body="Bonjour", purpose=SmsPurpose.ACCOUNT)
    assert sms.to == JEAN_YVES


# --- The outbox and console backends ------------------------------------------------------------


@pytest.mark.usefixtures("outbox")
def test_outbox_backend_records_the_message_as_sent_with_its_cost():
    sms = sms_send(
        to=JEAN_YVES,
        body="Votre code Voisinage : 482913",
        purpose=SmsPurpose.VERIFICATION_CODE,
        sender="Cadaujac",
        validity_period=600,
    )

    stored = OutboundSms.objects.get()
    assert stored.pk == sms.pk
    assert stored.status == SmsStatus.SENT
    assert stored.to == JEAN_YVES
    assert stored.sender == "Cadaujac"
    assert stored.purpose == SmsPurpose.VERIFICATION_CODE
    assert stored.backend == "outbox"
    assert stored.provider_message_id
    assert (stored.encoding, stored.segments) == ("GSM-7", 1)
    assert stored.validity_period == 600
    assert stored.sent_at is not None
    assert stored.error_code == ""


@pytest.mark.usefixtures("outbox")
def test_ucs2_text_is_recorded_with_its_higher_segment_count():
    sms = sms_send(to=JEAN_YVES, body="Fête des voisins " * 5, purpose=SmsPurpose.BROADCAST)
    assert (sms.encoding, sms.segments) == ("UCS-2", 2)


def test_console_backend_prints_the_message_and_marks_it_sent(settings, capsys):
    settings.SMS_BACKEND = "console"

    sms = sms_send(to=MARIE, body="Alerte : démarcheurs rue de l'Église", purpose=SmsPurpose.ALERT)

    out = capsys.readouterr().out
    assert MARIE in out
    assert "Alerte : démarcheurs rue de l'Église" in out
    assert sms.status == SmsStatus.SENT
    assert OutboundSms.objects.get().backend == "console"


def test_console_backend_writes_to_the_stream_it_is_given():
    stream = io.StringIO()
    sms = OutboundSms(pk=7, to=MARIE, body="Bonjour", purpose="other", segments=1)
    ConsoleSmsBackend(stream=stream).send(sms)
    assert "SMS #7 to +33611000002" in stream.getvalue()
    assert sms.provider_message_id.startswith("local-")


# --- Custom backends by dotted path, failures, never twice --------------------------------------


class RecordingBackend(SmsBackend):
    sent: list[int] = []

    def send(self, sms):
        self.sent.append(sms.pk)
        sms.provider_message_id = f"rec-{sms.pk}"


class RefusingBackend(SmsBackend):
    def send(self, sms):
        raise SmsError("number unsubscribed", permanent=True, code="21610")


class FlakyBackend(SmsBackend):
    def send(self, sms):
        raise SmsError("provider down", permanent=False, code="503")


class BrokenBackend(SmsBackend):
    def send(self, sms):
        raise RuntimeError("bug in the backend")


@pytest.fixture
def recording(settings):
    settings.SMS_BACKEND = f"{__name__}.RecordingBackend"
    RecordingBackend.sent = []
    return RecordingBackend.sent


def test_a_dotted_path_names_a_custom_backend(recording):
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.MESSAGE)
    assert recording == [sms.pk]
    assert sms.provider_message_id == f"rec-{sms.pk}"
    assert sms.backend == f"{__name__}.RecordingBackend"


@pytest.mark.parametrize(
    "name", ["carrier-pigeon", "tests.test_sms_channel.Nothing", "io.StringIO"]
)
def test_an_unknown_backend_fails_loudly_and_leaves_the_row_queued(settings, name):
    settings.SMS_BACKEND = "outbox"
    sms = sms_queue(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.OTHER)
    settings.SMS_BACKEND = name
    with pytest.raises(ImproperlyConfigured):
        sms_dispatch(sms)
    sms.refresh_from_db()
    assert sms.status == SmsStatus.QUEUED


def test_a_queued_row_is_sent_once_however_often_it_is_dispatched(recording):
    sms = sms_queue(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    assert sms.status == SmsStatus.QUEUED
    assert recording == []

    first = sms_dispatch(sms)
    again = sms_dispatch(OutboundSms.objects.get(pk=sms.pk))
    # A task holding a stale copy that still says "queued" cannot send it either.
    stale = sms_dispatch(OutboundSms(pk=sms.pk, status=SmsStatus.QUEUED))

    assert recording == [sms.pk]
    assert first.status == again.status == stale.status == SmsStatus.SENT
    assert stale.provider_message_id == f"rec-{sms.pk}"


@pytest.mark.parametrize("status", ["sending", "sent", "delivered", "failed", "undelivered"])
def test_a_row_past_queued_is_never_sent_again(recording, status):
    sms = sms_queue(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    OutboundSms.objects.filter(pk=sms.pk).update(status=status)

    result = sms_dispatch(sms)

    assert recording == []
    assert result.status == status


def test_a_permanent_refusal_is_recorded_not_raised(settings):
    settings.SMS_BACKEND = f"{__name__}.RefusingBackend"
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED
    assert (sms.error_code, sms.error_permanent) == ("21610", True)
    assert sms.error_message == "number unsubscribed"
    assert sms.recipient_opted_out
    assert sms.sent_at is None


def test_a_transient_failure_is_recorded_as_retryable(settings):
    settings.SMS_BACKEND = f"{__name__}.FlakyBackend"
    sms = sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    sms.refresh_from_db()
    assert sms.status == SmsStatus.FAILED
    assert (sms.error_code, sms.error_permanent) == ("503", False)
    assert not sms.recipient_opted_out


def test_a_bug_in_a_backend_is_recorded_and_raised(settings):
    settings.SMS_BACKEND = f"{__name__}.BrokenBackend"
    with pytest.raises(RuntimeError, match="bug in the backend"):
        sms_send(to=JEAN_YVES, body="Bonjour", purpose=SmsPurpose.ALERT)
    sms = OutboundSms.objects.get()
    assert sms.status == SmsStatus.FAILED
    assert sms.error_code == "exception"


def test_the_backend_is_read_from_settings_at_each_call(settings):
    settings.SMS_BACKEND = "outbox"
    assert type(sms_backend()).__name__ == "OutboxSmsBackend"
    settings.SMS_BACKEND = "console"
    assert type(sms_backend()).__name__ == "ConsoleSmsBackend"


# --- Provider callbacks -------------------------------------------------------------------------


@pytest.fixture
def sent_sms(recording):
    return sms_send(to=JEAN_YVES, body="Alerte", purpose=SmsPurpose.ALERT)


def test_status_callback_moves_the_message_to_delivered(sent_sms):
    updated = sms_status_update(
        provider_message_id=sent_sms.provider_message_id, status="delivered"
    )
    assert updated.pk == sent_sms.pk
    assert updated.status == SmsStatus.DELIVERED


def test_a_late_sent_callback_never_overwrites_delivered(sent_sms):
    sid = sent_sms.provider_message_id
    sms_status_update(provider_message_id=sid, status="delivered")
    for late in ["sent", "sending", "queued", "accepted", "undelivered", "failed"]:
        assert sms_status_update(provider_message_id=sid, status=late).status == "delivered"


def test_an_early_queued_callback_does_not_take_a_sent_message_back(sent_sms):
    updated = sms_status_update(provider_message_id=sent_sms.provider_message_id, status="queued")
    assert updated.status == SmsStatus.SENT


def test_undelivered_callback_records_the_error_code(sent_sms):
    updated = sms_status_update(
        provider_message_id=sent_sms.provider_message_id, status="undelivered", error_code=30006
    )
    assert updated.status == SmsStatus.UNDELIVERED
    assert (updated.error_code, updated.error_permanent) == ("30006", True)


def test_the_same_callback_twice_changes_nothing_more(sent_sms):
    sid = sent_sms.provider_message_id
    first = sms_status_update(provider_message_id=sid, status="delivered")
    second = sms_status_update(provider_message_id=sid, status="delivered")
    assert first.updated_at == second.updated_at


def test_a_callback_for_an_unknown_message_finds_nothing(sent_sms):
    assert sms_status_update(provider_message_id="SM" + "0" * 32, status="delivered") is None
    assert sms_status_update(provider_message_id="", status="delivered") is None


def test_an_unknown_provider_status_is_ignored(sent_sms):
    updated = sms_status_update(provider_message_id=sent_sms.provider_message_id, status="wat")
    assert updated.status == SmsStatus.SENT
