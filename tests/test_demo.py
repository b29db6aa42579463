"""`load_demo` gives the contract's communes and accounts, and can run any number of times."""

import html

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Revision,
    Site,
)

from communities.models import Commune, Community, Membership, ProofOfAddress, StaffRole
from communities.selectors import roles_in_commune
from demo.content import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

CONTRACT_ACCOUNTS = [
    "platform@demo.invalid",
    "mairie@cadaujac.demo.invalid",
    "police@cadaujac.demo.invalid",
    "jean-yves@cadaujac.demo.invalid",
    "marie@cadaujac.demo.invalid",
    "pending@cadaujac.demo.invalid",
    "claudette@didenheim.demo.invalid",
]


def counts():
    return {
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "communities": Community.objects.count(),
        "users": get_user_model().objects.count(),
        "revisions": Revision.objects.count(),
        "memberships": Membership.objects.count(),
        "proofs": ProofOfAddress.objects.count(),
    }


def test_load_demo_twice_changes_nothing():
    call_command("load_demo")
    before = counts()

    call_command("load_demo")

    assert counts() == before


def test_demo_has_two_communes_with_at_least_three_communities_each(demo):

    communes = Commune.objects.order_by("name")
    assert [c.site.hostname for c in communes] == ["cadaujac.localhost", "didenheim.localhost"]
    for commune in communes:
        assert commune.communities.count() >= 3


def test_every_demo_community_has_verified_residents_some_by_sms_only(demo):
    for community in Community.objects.all():
        verified = Membership.objects.filter(community=community, status="verified")
        assert verified.count() >= 2, community.name
    sms_only = Membership.objects.filter(status="verified", user__email=None)
    assert sms_only.count() >= 4
    assert not any(m.user.has_usable_password() for m in sms_only)


@pytest.mark.parametrize("email", CONTRACT_ACCOUNTS)
def test_every_contract_account_can_sign_in_with_its_email(client, demo, email):

    response = client.post(
        "/accounts/login/",
        {"login": email, "password": DEMO_PASSWORD},
        headers={"host": "cadaujac.localhost"},
    )

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(get_user_model().objects.get(email=email).pk)


def test_resident_can_sign_in_with_a_phone_number_typed_the_french_way(client, demo):

    response = client.post(
        "/accounts/login/", {"login": "06 11 00 00 01", "password": DEMO_PASSWORD}
    )

    assert response.status_code == 302
    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert user.email == "jean-yves@cadaujac.demo.invalid"


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(client, demo):

    wrong_password = client.post(
        "/accounts/login/", {"login": "marie@cadaujac.demo.invalid", "password": "nope"}
    )
    unknown_account = client.post(
        "/accounts/login/", {"login": "nobody@cadaujac.demo.invalid", "password": "nope"}
    )

    assert wrong_password.status_code == unknown_account.status_code == 200
    assert "_auth_user_id" not in client.session
    assert wrong_password.context["form"].errors == unknown_account.context["form"].errors


def test_demo_staff_roles_match_the_contract(demo):
    user_model = get_user_model()
    cadaujac = Commune.objects.get(insee_code="33080")
    didenheim = Commune.objects.get(insee_code="68074")

    mairie = user_model.objects.get(email="mairie@cadaujac.demo.invalid")
    police = user_model.objects.get(email="police@cadaujac.demo.invalid")
    resident = user_model.objects.get(email="jean-yves@cadaujac.demo.invalid")

    assert roles_in_commune(user=mairie, commune=cadaujac) >= {
        StaffRole.EDITOR,
        StaffRole.MODERATOR,
        StaffRole.BROADCASTER,
    }
    assert roles_in_commune(user=mairie, commune=didenheim) == set()
    assert roles_in_commune(user=police, commune=cadaujac) == {StaffRole.POLICE}
    assert roles_in_commune(user=resident, commune=cadaujac) == set()
    assert user_model.objects.get(email="platform@demo.invalid").is_superuser


def test_demo_gives_no_group_rights_over_every_commune(demo):
    # Wagtail's default "Editors" and "Moderators" held rights from the root of every commune.
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not GroupPagePermission.objects.filter(page__depth=1).exists()
    root_collection = Collection.get_first_root_node()
    assert not GroupCollectionPermission.objects.filter(collection=root_collection).exists()


def test_demo_phone_numbers_are_fictitious_french_mobiles_in_e164(demo):

    phones = [str(u.phone) for u in get_user_model().objects.exclude(phone=None)]
    assert phones
    assert all(phone.startswith("+3361") and len(phone) == 12 for phone in phones)


def test_demo_residents_have_the_contract_memberships(demo):
    def membership(email):
        return Membership.objects.select_related("community").get(user__email=email)

    assert membership("jean-yves@cadaujac.demo.invalid").community.name == "Centre-bourg"
    assert membership("jean-yves@cadaujac.demo.invalid").status == "verified"
    assert membership("marie@cadaujac.demo.invalid").community.name != "Centre-bourg"
    assert membership("marie@cadaujac.demo.invalid").status == "verified"
    pending = membership("pending@cadaujac.demo.invalid")
    assert pending.status == "pending"
    assert pending.proof.file.storage.exists(pending.proof.file.name)
    assert membership("claudette@didenheim.demo.invalid").community.commune.name == "Didenheim"


def test_demo_alerts_were_delivered_in_both_communes(demo):
    from alerts.models import Alert
    from notifications.models import Delivery

    for commune in Commune.objects.all():
        alerts = Alert.objects.filter(commune=commune)
        assert alerts.filter(author__isnull=False, community__isnull=False).exists()
        assert alerts.filter(source="admin").exists()
        assert alerts.filter(police_taken_at__isnull=False).exists()
        deliveries = Delivery.objects.filter(message__alert_message__alert__commune=commune)
        assert deliveries.filter(channel="sms", status="sent").exists()
        assert deliveries.filter(channel="email", status="sent").exists()
    assert Alert.objects.filter(closed_at__isnull=False).exists()
    # Identifying details only ever travel to the mairie and the police.
    plate = Delivery.objects.filter(
        message__alert_message__alert__identifying_details__contains="AB-123-CD"
    )
    assert plate.filter(restricted=True).exists()
    assert not plate.filter(restricted=True, user__memberships__isnull=False).exists()


def test_each_demo_commune_has_its_own_pages(client, demo):
    """Didenheim's pages speak of Didenheim (a village near Mulhouse), not of Cadaujac."""

    def text(host, path):
        response = client.get(path, headers={"host": host})
        assert response.status_code == 200, (host, path)
        return html.unescape(response.content.decode())

    for path in ("/", "/voisins-vigilants/", "/contacts/", "/actualites/", "/agenda/"):
        cadaujac = text("cadaujac.localhost", path)
        didenheim = text("didenheim.localhost", path)
        assert "Cadaujac" not in didenheim, path
        assert "05 56" not in didenheim, path
        assert "Didenheim" not in cadaujac, path
    assert "aux portes de Mulhouse" in text("didenheim.localhost", "/voisins-vigilants/")
    assert "03 89 00 00 74" in text("didenheim.localhost", "/contacts/")
    assert "Permanence du maire le samedi matin" in text("didenheim.localhost", "/actualites/")


def test_the_mairies_roadworks_announcement_and_broadcast_tell_the_same_works(demo):
    """One roadworks, told twice by the mairie (the news page and the alert): same road,
    same days."""
    from alerts.models import Alert
    from mairie_pages.models import AnnouncementPage

    announcement = AnnouncementPage.objects.get(
        slug="travaux-route-de-bordeaux", locale__language_code="fr"
    )
    broadcast = Alert.objects.get(commune=demo["33080"], category="roadworks")
    for words in ("route de Bordeaux", "lundi à mercredi", "circulation alternée"):
        assert words.lower() in announcement.summary.lower()
        assert words.lower() in broadcast.text.lower()


def test_the_gazette_shows_the_mairies_demo_news_in_the_order_of_their_dates(client, sign_in, demo):
    sign_in(client, get_user_model().objects.get(email="jean-yves@cadaujac.demo.invalid"))

    page = html.unescape(
        client.get("/gazette/", headers={"host": "cadaujac.localhost"}).content.decode()
    )

    newest_first = [
        "Travaux de voirie route de Bordeaux",  # 2 days ago
        "Opération tranquillité vacances",  # 6 days ago
        "Collecte des encombrants",  # 12 days ago
    ]
    positions = [page.index(title) for title in newest_first]
    assert positions == sorted(positions)
