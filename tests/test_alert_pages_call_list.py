"""The call list: the members an alert could not reach, for referents to phone, with the
contact details each member lets the mairie see, and nobody the alert did reach."""

import pytest
from django.utils import timezone

from accounts.models import Profile, Visibility
from alerts.models import AlertCategory
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from notifications.models import Delivery, DeliveryStatus
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db


@pytest.fixture
def unreachable(make_member, centre_bourg):
    """Three neighbours of Jeanne the alert cannot reach, each for another reason."""
    people = {}
    # Texted STOP, and takes part by SMS only.
    people["simone"] = make_member(
        None, centre_bourg, first_name="Simone", last_name="Arrêt", phone="+33612340001"
    )
    Profile.objects.create(user=people["simone"], sms_opted_out_at=timezone.now())
    # Turned every alert channel off.
    people["yves"] = make_member(
        "yves@cadaujac.test", centre_bourg, first_name="Yves", last_name="Silence"
    )
    Profile.objects.create(
        user=people["yves"],
        alerts_by_email=False,
        alerts_by_push=False,
        email_visibility=Visibility.NOBODY,
    )
    # Reachable on paper, but the provider refused every message.
    people["bruno"] = make_member(
        "bruno@cadaujac.test",
        centre_bourg,
        first_name="Bruno",
        last_name="Échec",
        phone="+33612340003",
    )
    return people


def test_staff_get_the_members_the_alert_did_not_reach_with_their_reason(
    client,
    sign_in,
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    unreachable,
    marc_moderator,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_post(
            author=jeanne_resident, category=AlertCategory.BURGLARY, text="Volet forcé."
        )
    Delivery.objects.filter(user=unreachable["bruno"]).update(
        status=DeliveryStatus.FAILED, permanent_failure=True, error_code="21211"
    )
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, marc_moderator)

    response = client.get(f"/alertes/{alert.pk}/injoignables/")

    page = response.content.decode()
    assert response.status_code == 200
    rows = {row["membership"].user.last_name: row for row in response.context["rows"]}
    assert set(rows) == {"Arrêt", "Silence", "Échec"}  # not Paul (reached), Lucie, Jeanne
    assert str(rows["Arrêt"]["reason"]) == "SMS refusés (STOP) et aucun autre moyen"
    assert str(rows["Silence"]["reason"]) == "Alertes désactivées dans ses préférences"
    assert str(rows["Échec"]["reason"]) == "Tous les envois ont échoué"
    assert "3 membres injoignables" in page
    # Phone and e-mail as each member shows them to the mairie (the default), or hidden.
    assert "06 12 34 00 01" in page
    assert "bruno@cadaujac.test" in page
    assert "yves@cadaujac.test" not in page
    assert "masqué par le membre" in page
    assert "Paul" not in page.split("<table", 1)[1]


def test_the_call_list_waits_until_the_deliveries_are_written(
    client, sign_in, jeanne_resident, unreachable, make_user, cadaujac
):
    police = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=police, commune=cadaujac, role=StaffRole.POLICE)
    alert = alert_post(author=jeanne_resident, category=AlertCategory.BURGLARY, text="Volet forcé.")
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, police)

    response = client.get(f"/alertes/{alert.pk}/injoignables/")

    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "Les envois ne sont pas encore préparés" in response.content.decode()
