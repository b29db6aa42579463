"""The signed-in user of a session comes from the shared cache (``accounts.session_user``),
not from a query on every page: a new password, a deactivated or an erased account still end
the account's other sessions at once."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.gdpr import account_erase

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugo_neighbour(make_member, centre_bourg):
    return make_member("hugo@cadaujac.test", centre_bourg, first_name="Hugo", last_name="Lalanne")


def test_a_signed_in_page_reads_no_user_row(member_client, paul_neighbour):
    phone = member_client(paul_neighbour)
    phone.get("/alertes/")
    with CaptureQueriesContext(connection) as queries:
        assert phone.get("/alertes/").status_code == 200

    assert not [q for q in queries.captured_queries if 'FROM "accounts_user"' in q["sql"]]


def _signed_out(client) -> bool:
    response = client.get("/alertes/")
    return response.status_code == 302 and response["Location"].startswith(settings.LOGIN_URL)


def test_a_new_password_ends_the_other_sessions_at_once(member_client, paul_neighbour):
    phone = member_client(paul_neighbour)
    assert not _signed_out(phone)

    paul_neighbour.set_password("un autre mot de passe 2026")
    paul_neighbour.save()

    assert _signed_out(phone)


def test_a_deactivated_or_erased_account_is_signed_out_at_once(
    member_client, paul_neighbour, hugo_neighbour
):
    paul, hugo = member_client(paul_neighbour), member_client(hugo_neighbour)
    assert not _signed_out(paul)
    assert not _signed_out(hugo)

    paul_neighbour.is_active = False
    paul_neighbour.save(update_fields=["is_active"])
    account_erase(user=hugo_neighbour)

    assert _signed_out(paul)
    assert _signed_out(hugo)


def test_a_phone_confirmed_by_sms_is_seen_by_the_next_request(sponsor_and_neighbour):
    """A neighbour registered by a sponsor answers OUI by SMS: the account read for their
    sessions has the phone confirmed at once, not an hour later."""
    from accounts.session_user import session_user_get
    from alerts.inbound import inbound_sms_receive

    neighbour = sponsor_and_neighbour
    assert session_user_get(user_pk=neighbour.pk).phone_verified_at is None

    inbound_sms_receive(phone=str(neighbour.phone), body="OUI", message_sid="SM" + "1" * 32)

    assert session_user_get(user_pk=neighbour.pk).phone_verified_at is not None


@pytest.fixture
def sponsor_and_neighbour(client, centre_bourg, make_member, settings):
    from django.contrib.auth import get_user_model

    settings.SMS_BACKEND = "outbox"
    sponsor = make_member(
        "parrain@cadaujac.test", centre_bourg, first_name="Paul", last_name="Parrain"
    )
    client.force_login(sponsor)
    response = client.post(
        "/compte/inscrire-un-voisin/",
        {
            "first_name": "Germaine",
            "last_name": "Roux",
            "phone": "06 12 34 56 78",
            "address": "5 rue de la Mairie",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    return get_user_model().objects.get(phone="+33612345678")
