"""A large fan-out is written by several statements at once (``FANOUT_WRITERS``), each on
its own connection: together they write exactly what one statement writes, once, and leave
no connection open behind them."""

import pytest
from django.db import connection

from accounts.models import User
from alerts.models import AlertCategory, AlertMessage
from alerts.services import alert_post
from communities.models import Membership, MembershipStatus
from notifications.fanout import deliveries_write
from notifications.models import Channel, Delivery

# Outside a transaction, as the worker writes: the writers' connections must see the rows.
# The flush after the test removes what the migrations wrote (Wagtail's locale and root
# page), which serialized_rollback puts back for the tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MEMBERS = 301


@pytest.fixture
def street(centre_bourg, make_user):
    """301 verified neighbours with a phone, every other one with an e-mail address too."""
    users = User.objects.bulk_create(
        User(
            email=f"voisin{number}@rue.test" if number % 2 else None,
            phone=f"+3361300{number:04d}",
            first_name="Voisin",
            last_name=f"n° {number}",
        )
        for number in range(MEMBERS)
    )
    Membership.objects.bulk_create(
        Membership(
            user=user, community=centre_bourg, address="2 rue", status=MembershipStatus.VERIFIED
        )
        for user in users
    )
    author = make_user("auteur@rue.test", phone="+33613999999")
    Membership.objects.create(
        user=author, community=centre_bourg, address="1 rue", status=MembershipStatus.VERIFIED
    )
    return author


def _alert_message(author, text):
    """An alert's message with its deliveries still to write (as the sweep finds a message
    whose task was lost): the test settings fan out at once, after commit."""
    alert = alert_post(author=author, category=AlertCategory.CANVASSER, text=text)
    message = AlertMessage.objects.get(alert=alert)
    Delivery.objects.filter(message=message).delete()
    return message


def _rows(message):
    return sorted(
        Delivery.objects.filter(message=message).values_list("user_id", "channel", "restricted")
    )


def _connections() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_three_writers_write_what_one_writes_once_each(street, settings):
    settings.FANOUT_WRITERS = 1
    alone = _alert_message(street, "Démarchage suspect rue des Écoles, ne pas ouvrir.")
    written_alone = deliveries_write(message=alone)

    settings.FANOUT_WRITERS = 3
    together = _alert_message(street, "Même démarcheur vu rue du Port, soyez prudents.")
    open_before = _connections()
    written_together = deliveries_write(message=together)

    rows = _rows(together)
    # Every neighbour by SMS, half of them by e-mail too: nobody twice on a channel.
    assert written_together == written_alone == len(rows)
    assert [(user, channel, r) for user, channel, r in rows] == [
        (user, channel, r) for user, channel, r in _rows(alone)
    ]
    sms = [user for user, channel, _r in rows if channel == Channel.SMS]
    assert len(sms) == len(set(sms)) >= MEMBERS
    assert street.pk not in sms  # the author has the acknowledgement, not a copy
    # A second run, as when the sweep fans out a message whose task was slow, adds nothing.
    assert deliveries_write(message=together) == 0
    assert _rows(together) == rows
    # Each writer's connection is closed once its part is written.
    assert _connections() <= open_before


def test_a_fan_out_cut_short_is_completed_by_its_rerun_without_doubles(street, settings):
    """A worker killed after one writer's part was committed: the rerun writes the rest,
    and every neighbour still has exactly one row per channel."""
    settings.FANOUT_WRITERS = 2
    message = _alert_message(street, "Portail forcé rue des Vignes, restez vigilants.")
    deliveries_write(message=message)
    complete = _rows(message)
    # The part of the odd user ids is lost, as if its writer's transaction never committed.
    lost = Delivery.objects.filter(message=message, user_id__in=[u for u, _c, _r in complete])
    lost = [pk for pk, user_id in lost.values_list("pk", "user_id") if user_id % 2]
    Delivery.objects.filter(pk__in=lost).delete()
    assert len(_rows(message)) == len(complete) - len(lost) > 0

    assert deliveries_write(message=message) == len(lost)
    assert _rows(message) == complete
