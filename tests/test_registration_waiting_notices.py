"""A registration waits: the commune's moderators and the community's referents are told,
batched (a few times a day), with how many wait and for how long; the queue shows it too."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from communities.models import CommunityRole, Membership, MembershipStatus
from communities.registration_notices import registrations_waiting_notify
from notifications.models import Channel, Delivery, Notice

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


@pytest.fixture
def waiting(make_member, centre_bourg, tuileries, village):
    """Two requests in Cadaujac (Centre-bourg three days ago, Tuileries today), one in
    Didenheim."""
    pending = MembershipStatus.PENDING
    old = make_member(
        "ana@cadaujac.test", centre_bourg, first_name="Ana", last_name="A", status=pending
    )
    new = make_member(
        "ben@cadaujac.test", tuileries, first_name="Ben", last_name="B", status=pending
    )
    make_member("udo@didenheim.test", village, first_name="Udo", last_name="U", status=pending)
    Membership.objects.filter(user=old).update(requested_at=timezone.now() - timedelta(days=3))
    return {"old": old, "new": new}


@pytest.fixture
def referent(make_member, centre_bourg):
    return make_member(
        "rita@cadaujac.test",
        centre_bourg,
        first_name="Rita",
        last_name="Référente",
        role=CommunityRole.REFERENT,
    )


def _told():
    return {
        notice.recipient.email: notice
        for notice in Notice.objects.filter(kind="registrations_waiting").select_related(
            "recipient"
        )
    }


def test_moderators_and_referents_are_told_what_waits_in_their_own_queue(
    waiting, marc_moderator, diane_moderator, referent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = registrations_waiting_notify()

    told = _told()
    assert sent == 3
    assert set(told) == {"marc@cadaujac.test", "diane@didenheim.test", "rita@cadaujac.test"}
    # Marc decides both of Cadaujac's; Rita only her community's; Diane only Didenheim's.
    assert told["marc@cadaujac.test"].subject == "[Cadaujac] 2 inscriptions à valider"
    # (Django writes "3 jours" with a no-break space.)
    assert "la plus ancienne depuis 3\xa0jours" in told["marc@cadaujac.test"].email_text
    assert "- Centre-bourg : 1" in told["marc@cadaujac.test"].email_text
    assert told["rita@cadaujac.test"].subject == "[Cadaujac] 1 inscription à valider"
    assert told["diane@didenheim.test"].subject == "[Didenheim] 1 inscription à valider"
    queue = "http://cadaujac.localhost/moderation/inscriptions/"
    marc_mail = next(m for m in mail.outbox if m.to == ["marc@cadaujac.test"])
    assert queue in marc_mail.body


def test_a_second_run_tells_nobody_again_until_a_new_request_arrives(
    waiting, marc_moderator, make_member, centre_bourg
):
    registrations_waiting_notify()
    assert registrations_waiting_notify() == 0

    make_member(
        "cleo@cadaujac.test",
        centre_bourg,
        first_name="Cléo",
        last_name="C",
        status=MembershipStatus.PENDING,
    )
    assert registrations_waiting_notify() == 1
    latest = Notice.objects.filter(recipient=marc_moderator).latest("pk")
    assert latest.subject == "[Cadaujac] 3 inscriptions à valider"


def test_a_moderator_without_email_is_told_by_sms(waiting, marc_moderator):
    type(marc_moderator).objects.filter(pk=marc_moderator.pk).update(
        email=None, phone="+33611000111"
    )

    registrations_waiting_notify()

    notice = Notice.objects.get(recipient=marc_moderator)
    assert (notice.by_sms, notice.by_email) == (True, False)
    assert notice.text.startswith("Voisinage Cadaujac : 2 demandes d'inscription attendent")


def test_nobody_is_told_when_nothing_waits(marc_moderator, referent):
    assert registrations_waiting_notify() == 0
    assert not Delivery.objects.filter(channel=Channel.EMAIL).exists()


def test_the_queue_shows_how_long_each_request_has_waited(waiting, marc_moderator, sign_in):
    client = sign_in(Client(HTTP_HOST=HOST), marc_moderator)

    html = " ".join(client.get("/moderation/inscriptions/").content.decode().split())

    assert "2 demandes en attente — la plus ancienne depuis 3 jours" in html
    assert "(en attente depuis 3 jours)" in html
