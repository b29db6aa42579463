"""What the mairie's staff write for the mairie is signed "Mairie de …", never with their
own name: gazette posts and comments, official messages, broadcasts; with French
contractions ("Mairie du Haillan", "Mairie d'Eysines")."""

import html

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from wagtail.test.utils.form_data import querydict_from_html

from alerts.models import AlertCategory
from alerts.services import broadcast_post
from communities.models import Community, StaffRole
from communities.services import commune_create, staff_role_grant
from communities.wording import mairie_of
from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from gazette.services import Audience, comment_create, gazette_post_create
from messaging.models import Conversation
from messaging.official import official_send

pytestmark = pytest.mark.django_db

HAILLAN_HOST = "le-haillan.localhost"


@pytest.mark.parametrize(
    ("commune", "signature"),
    [
        ("Cadaujac", "Mairie de Cadaujac"),
        ("Le Haillan", "Mairie du Haillan"),
        ("Les Eyzies", "Mairie des Eyzies"),
        ("Eysines", "Mairie d'Eysines"),
        ("La Teste-de-Buch", "Mairie de La Teste-de-Buch"),
    ],
)
def test_the_mairie_signs_with_french_contractions(commune, signature):
    with translation.override("fr"):
        assert mairie_of(commune) == signature


@pytest.fixture
def haillan(db):
    return commune_create(name="Le Haillan", insee_code="33200", hostname=HAILLAN_HOST).commune


@pytest.fixture
def bourg(haillan):
    return Community.objects.create(commune=haillan, name="Le Bourg", slug="bourg")


@pytest.fixture
def sylvie_staff(make_user, haillan):
    """Sylvie edits, moderates and broadcasts for the mairie; she lives elsewhere."""
    user = make_user("sylvie@le-haillan.test", first_name="Sylvie", last_name="Castagnet")
    for role in (StaffRole.EDITOR, StaffRole.MODERATOR, StaffRole.BROADCASTER):
        staff_role_grant(user=user, commune=haillan, role=role)
    return user


@pytest.fixture
def hugo_resident(make_member, bourg):
    return make_member("hugo@le-haillan.test", bourg, first_name="Hugo", last_name="Lacoste")


def _page(client, path):
    response = client.get(path, HTTP_HOST=HAILLAN_HOST)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_a_gazette_post_and_comment_by_staff_are_signed_by_the_mairie(
    client, sign_in, haillan, sylvie_staff, hugo_resident
):
    post = gazette_post_create(
        author=sylvie_staff,
        commune=haillan,
        category=GazetteCategory.MAIRIE,
        title="Collecte des encombrants",
        body="Passage le 12 : sortez vos encombrants la veille.",
        audience=Audience.COMMUNE,
    )
    comment_create(post=post, author=sylvie_staff, text="Précision : avant 7 h.")
    comment_create(post=post, author=hugo_resident, text="Merci !")
    sign_in(client, hugo_resident)

    page = _page(client, post.url)
    stream = _page(client, post.get_parent().url)

    assert page.count("Mairie du Haillan") >= 2  # the post and the staff's comment
    assert "Hugo Lacoste" in page  # a resident signs with his name
    assert "Mairie du Haillan" in stream
    assert "Sylvie" not in page + stream
    assert "Castagnet" not in page + stream


def test_a_residents_post_keeps_the_residents_name(client, sign_in, haillan, hugo_resident):
    post = gazette_post_create(
        author=hugo_resident,
        category=GazetteCategory.LOAN,
        title="Je prête une tondeuse",
        body="Tondeuse thermique, à venir chercher.",
    )
    sign_in(client, hugo_resident)

    page = _page(client, post.url)

    assert "Hugo Lacoste" in page
    assert "Mairie du Haillan" not in page.split("<footer")[0]


def test_an_official_message_is_signed_by_the_mairie_with_its_contraction(
    client, sign_in, haillan, sylvie_staff, hugo_resident
):
    official_send(author=sylvie_staff, commune=haillan, target="commune", text="Réunion jeudi.")
    conversation = Conversation.objects.get(participants__user=hugo_resident)
    sign_in(client, hugo_resident)

    listing = _page(client, "/messages/")
    page = _page(client, f"/messages/{conversation.pk}/")

    assert "Message de la mairie du Haillan" in listing
    assert "Mairie du Haillan" in page
    assert "par la mairie du Haillan" in page
    assert "Sylvie" not in page


def test_a_broadcast_is_signed_by_the_mairie_with_its_contraction(
    client, sign_in, haillan, sylvie_staff, hugo_resident, fake_twilio
):
    alert = broadcast_post(
        author=sylvie_staff,
        commune=haillan,
        category=AlertCategory.STRIKE,
        text="Grève : cantine fermée jeudi.",
    )
    sign_in(client, hugo_resident)

    page = _page(client, f"/alertes/{alert.pk}/")

    assert "Mairie du Haillan" in page
    assert "Sylvie" not in page


def test_a_post_written_in_the_admin_is_signed_by_the_mairie(
    client, sign_in, haillan, sylvie_staff, hugo_resident
):
    index = GazetteIndexPage.objects.descendant_of(haillan.site.root_page).get()
    staff = sign_in(Client(HTTP_HOST=HAILLAN_HOST), sylvie_staff)
    add_url = reverse("wagtailadmin_pages:add", args=["gazette", "gazettepost", index.pk])
    data = querydict_from_html(staff.get(add_url).content.decode(), form_id="page-edit-form")
    data.update({"title": "Fête du quartier", "slug": "fete", "category": "event"})
    data["body"] = "Samedi sur la place."
    data["action-publish"] = "publish"

    assert staff.post(add_url, data).status_code == 302
    post = GazettePost.objects.get()
    sign_in(client, hugo_resident)
    page = _page(client, post.url)

    assert "Mairie du Haillan" in page
    assert "Sylvie" not in page
