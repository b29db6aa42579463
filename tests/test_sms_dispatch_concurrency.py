"""Workers racing for the same outbox row: exactly one of them sends it."""

import threading
import time

import pytest
from django.db import connection

from notifications.models import OutboundSms, SmsPurpose, SmsStatus
from notifications.sms.backends import SmsBackend
from notifications.sms.service import sms_dispatch, sms_queue

WORKERS = 8


class SlowRecordingBackend(SmsBackend):
    """Slow enough that every worker reaches the claim while the first is still sending."""

    sent: list[int] = []
    lock = threading.Lock()

    def send(self, sms):
        time.sleep(0.2)
        with self.lock:
            self.sent.append(sms.pk)
        sms.provider_message_id = f"slow-{sms.pk}"


@pytest.mark.skipif(
    connection.vendor == "sqlite", reason="SQLite serialises writers; the race needs PostgreSQL"
)
# Serialized rollback restores the rows data migrations made (Wagtail root page, site).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_dispatches_of_one_row_send_it_once(settings):
    settings.SMS_BACKEND = f"{__name__}.SlowRecordingBackend"
    SlowRecordingBackend.sent = []
    sms = sms_queue(to="+33611000001", body="Alerte", purpose=SmsPurpose.ALERT)
    start = threading.Barrier(WORKERS)
    errors = []

    def worker():
        try:
            start.wait()
            sms_dispatch(OutboundSms.objects.get(pk=sms.pk))
        except Exception as error:  # reported below, with the thread's failure
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)

    assert errors == []
    assert SlowRecordingBackend.sent == [sms.pk]
    sms.refresh_from_db()
    assert sms.status == SmsStatus.SENT
    assert sms.provider_message_id == f"slow-{sms.pk}"
