"""``seed_scale --alerts`` writes a year of alerts with their messages and deliveries, spread
over the communities and months, with realistic outcomes; a second run adds nothing; the
tallies it leaves match the deliveries."""

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from alerts.models import Alert, AlertMessage
from notifications.models import Channel, Delivery, DeliveryStatus, DeliveryTally, MessageTally
from notifications.tallies import SETTLE_AFTER

pytestmark = pytest.mark.django_db


def test_seed_scale_writes_a_year_of_alerts_and_their_deliveries(cadaujac, capsys):
    call_command(
        "seed_scale",
        "--members",
        "60",
        "--communities",
        "3",
        "--alerts",
        "24",
        "--commune",
        "cadaujac",
    )

    assert "24 alertes d'essai créées" in capsys.readouterr().out
    alerts = Alert.objects.filter(commune=cadaujac, text__startswith="Alerte d'essai")
    assert alerts.count() == 24
    assert alerts.values("community").distinct().count() == 3
    months = {alert.created_at.strftime("%Y-%m") for alert in alerts}
    assert len(months) >= 6
    assert AlertMessage.objects.filter(alert__in=alerts).count() == 24
    deliveries = Delivery.objects.filter(message__alert_message__alert__in=alerts)
    # 20 members a community, each by SMS, a third by e-mail, half by push.
    assert 24 * 20 * 1.5 < deliveries.count() < 24 * 20 * 2.2
    statuses = dict(deliveries.values_list("status").annotate(n=Count("pk")))
    assert statuses[DeliveryStatus.FAILED] < statuses[DeliveryStatus.DELIVERED]
    assert (
        deliveries.filter(channel=Channel.SMS, segments=1).count()
        == deliveries.filter(channel=Channel.SMS).count()
    )
    # Counted into tallies, settled but for those fanned out in the last hour.
    assert sum(t.delivered + t.failed + t.pending for t in DeliveryTally.objects.all()) == (
        deliveries.count()
    )
    recent = timezone.now() - SETTLE_AFTER
    open_tallies = MessageTally.objects.filter(
        settled=False, message__alert_message__alert__in=alerts
    )
    assert all(tally.message.fanned_out_at > recent for tally in open_tallies)

    call_command(
        "seed_scale",
        "--members",
        "60",
        "--communities",
        "3",
        "--alerts",
        "24",
        "--commune",
        "cadaujac",
    )
    assert alerts.count() == 24
    assert Delivery.objects.filter(message__alert_message__alert__in=alerts).count() == (
        deliveries.count()
    )


def test_a_seed_interrupted_while_writing_deliveries_resumes_where_it_stopped(cadaujac):
    arguments = ["seed_scale", "--members", "30", "--communities", "2", "--alerts", "6"]
    call_command(*arguments, "--commune", "cadaujac")
    deliveries = Delivery.objects.filter(message__alert_message__alert__text__startswith="Alerte")
    written = deliveries.count()
    cut = AlertMessage.objects.filter(alert__text__startswith="Alerte").order_by("pk")[3:]
    Delivery.objects.filter(message__in=cut).delete()

    call_command(*arguments, "--commune", "cadaujac")

    assert deliveries.count() == written
