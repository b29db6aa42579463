"""Who may take an alert in charge, and when: every role × every state of an alert, through
the real pages (the alert's page, the police feed and its "Non prises en charge" filter) and
the real POST. One rule (``alerts.permissions``) answers all of them alike: only the police
municipale of the alert's commune, only on a residents' alert still running (held ones
included), once.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertEvent, ModerationStatus
from alerts.services import alert_close, alert_post, broadcast_post
from communities.models import ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

STATES = ["running", "held", "ended", "expired", "taken", "retracted", "broadcast"]
TAKEABLE = {"running", "held"}
ROLES = ["paul_neighbour", "marc_moderator", "arnaud_admin", "police", "other_police"]


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def other_police(make_user, didenheim):
    user = make_user("police@didenheim.test", first_name="Agent", last_name="Didenheim")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.POLICE)
    return user


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    user = make_user("barbara@cadaujac.test", first_name="Barbara")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


def _post(author, state):
    alert = alert_post(
        author=author, category=AlertCategory.SCOUTING, text=f"Repérage, état {state}."
    )
    # Out of the hourly limit's reach: the next state is posted by the same author.
    Alert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(hours=2))
    return alert


@pytest.fixture
def states(cadaujac, jeanne_resident, police, barbara_broadcaster):
    """One alert of Cadaujac in each state, all written by Jeanne but the mairie's."""
    alerts = {state: _post(jeanne_resident, state) for state in STATES[2:6]}
    alerts["running"] = _post(jeanne_resident, "running")
    alert_close(alert=alerts["ended"], by=jeanne_resident, text="Ils sont partis.")
    Alert.objects.filter(pk=alerts["expired"].pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    Alert.objects.filter(pk=alerts["taken"].pk).update(
        police_taken_at=timezone.now(), police_taken_by=police
    )
    Alert.objects.filter(pk=alerts["retracted"].pk).update(
        moderation_status=ModerationStatus.RETRACTED
    )
    alerts["broadcast"] = broadcast_post(
        author=barbara_broadcaster,
        commune=cadaujac,
        category=AlertCategory.ROADWORKS,
        text="Repérage, état broadcast.",
        urgent=False,
    )
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])
    alerts["held"] = _post(jeanne_resident, "held")
    assert alerts["held"].moderation_status == ModerationStatus.HELD
    return alerts


def _takes(alert) -> int:
    return AlertEvent.objects.filter(alert=alert, action=AlertEvent.Action.POLICE_TAKEN).count()


@pytest.mark.parametrize("role", ROLES)
def test_who_may_take_which_alert_in_charge(request, client, sign_in, states, role):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    user = request.getfixturevalue(role)
    sign_in(client, user)
    is_police_here = role == "police"
    if is_police_here:
        feed = client.get("/alertes/police/").content.decode()
        to_take = client.get("/alertes/police/?filtre=a-prendre").content.decode()

    seen = {}
    for state, alert in states.items():
        take_url = f"/alertes/{alert.pk}/prise-en-charge/"
        page = client.get(f"/alertes/{alert.pk}/")
        offered = page.status_code == 200 and take_url in page.content.decode()
        listed = is_police_here and f"Repérage, état {state}." in to_take
        in_feed = is_police_here and take_url in feed
        before = _takes(alert)
        response = client.post(take_url)
        took = _takes(alert) > before
        seen[state] = (offered, listed, in_feed, took)
        if role == "other_police":
            assert response.status_code == 404, state

    expected = {state: (is_police_here and state in TAKEABLE,) * 4 for state in states}
    assert seen == expected


def test_taking_it_twice_is_refused_with_a_reason(client, sign_in, states, police):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, police)
    url = f"/alertes/{states['running'].pk}/prise-en-charge/"

    client.post(url)
    again = client.post(url, follow=True)

    assert "déjà prise en charge par la police municipale" in again.content.decode()
    assert _takes(states["running"]) == 1


def test_a_mairie_broadcast_is_refused_with_a_reason(client, sign_in, states, police):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, police)

    page = client.post(f"/alertes/{states['broadcast'].pk}/prise-en-charge/", follow=True)

    assert "information de la mairie" in page.content.decode()
    assert Alert.objects.get(pk=states["broadcast"].pk).police_taken_at is None
