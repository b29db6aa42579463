"""An erased member's past deliveries stay counted in settled tallies (history, and money the
commune spent), and the tallies hold nothing that names them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.gdpr import account_erase
from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.sms_budget import sms_budget
from dashboard import figures
from notifications.models import Delivery, DeliveryTally, MessageTally
from notifications.tallies import tallies_refresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(django_capture_on_commit_callbacks, settings):
    settings.SMS_BACKEND = "outbox"
    settings.SMS_PRICE_PER_SEGMENT = 0.05

    def do(author):
        with django_capture_on_commit_callbacks(execute=True):
            return alert_post(
                author=author,
                category=AlertCategory.SCOUTING,
                text="Voiture grise au pas devant les maisons.",
            )

    return do


def test_an_erased_members_past_deliveries_stay_counted_without_naming_them(
    post, django_capture_on_commit_callbacks, jeanne_resident, paul_neighbour, cadaujac
):
    post(paul_neighbour)
    tallies_refresh(now=timezone.now() + timedelta(hours=2))  # counted and settled
    now = timezone.now()
    before = figures.channels(commune=cadaujac, now=now)
    spent = sms_budget(commune=cadaujac, now=now)
    assert Delivery.objects.filter(user=jeanne_resident).exists()

    with django_capture_on_commit_callbacks(execute=True):
        account_erase(user=jeanne_resident)

    assert not Delivery.objects.filter(user_id=jeanne_resident.pk).exists()
    after = figures.channels(commune=cadaujac, now=now)
    assert after.shares == before.shares  # what the alert reached, as it happened
    assert sms_budget(commune=cadaujac, now=now).cost == spent.cost > 0  # what was paid
    # Counts only: no field of a tally points to a person.
    user_model = get_user_model()
    for model in (DeliveryTally, MessageTally):
        related = {field.related_model for field in model._meta.get_fields() if field.is_relation}
        assert user_model not in related, model
