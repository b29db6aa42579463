"""A sentence that names the mairie of a commune with an article reads as French does:
"la mairie du Haillan", "la mairie d'Eysines", never "la mairie de Le Haillan" — in the
feeds, the privacy notice, the accessibility statement, the announcement e-mail, the
moderation notices and the alert's confirmation."""

import html

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client

from alerts.models import AlertCategory
from communities.models import Community
from communities.services import commune_create
from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage
from moderation.notices import warning_notify

pytestmark = pytest.mark.django_db

HAILLAN_HOST = "le-haillan.localhost"
EYSINES_HOST = "eysines.localhost"


@pytest.fixture
def haillan(db):
    return commune_create(name="Le Haillan", insee_code="33200", hostname=HAILLAN_HOST).commune


@pytest.fixture
def bourg(haillan):
    return Community.objects.create(commune=haillan, name="Le Bourg", slug="bourg")


@pytest.fixture
def hugo(make_member, bourg):
    return make_member("hugo@le-haillan.test", bourg, first_name="Hugo", last_name="Lacoste")


@pytest.fixture
def lucie(make_member, bourg):
    return make_member("lucie@le-haillan.test", bourg, first_name="Lucie", last_name="Petit")


def _text(client, path, host=HAILLAN_HOST):
    response = client.get(path, HTTP_HOST=host)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_feeds_and_their_links_name_the_mairie_du_haillan(haillan):
    home = _text(Client(), "/")
    rss = _text(Client(), "/flux/annonces.xml")

    assert 'title="Annonces de la mairie du Haillan (RSS)"' in home
    assert 'title="Annonces de la mairie du Haillan (Atom)"' in home
    assert "Les annonces publiques de la mairie du Haillan." in rss
    assert "de Le Haillan" not in home + rss


def test_the_accessibility_statement_names_the_mairie_d_eysines(db):
    commune_create(name="Eysines", insee_code="33162", hostname=EYSINES_HOST)

    page = _text(Client(), "/accessibilite/", host=EYSINES_HOST)

    assert "La mairie d'Eysines s'engage à rendre ses services numériques accessibles" in page
    assert "disponibles auprès de la mairie d'Eysines." in page
    assert "de Eysines" not in page


def test_the_privacy_notice_names_the_mairie_du_haillan(client, sign_in, hugo):
    sign_in(client, hugo)

    page = _text(client, "/compte/confidentialite/")

    assert "Pour toute question, contactez la mairie du Haillan" in page
    assert "de Le Haillan" not in page


def test_the_announcement_email_names_the_mairie_du_haillan(
    haillan, hugo, django_capture_on_commit_callbacks
):
    index = AnnouncementIndexPage.objects.child_of(haillan.site.root_page).get()
    page = index.add_child(
        instance=AnnouncementPage(
            title="Marché de Noël", slug="marche", summary="Samedi place de la mairie.", live=False
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        page.save_revision().publish()

    (email,) = mail.outbox
    assert email.to == ["hugo@le-haillan.test"]
    assert "Vous recevez les nouvelles de la mairie du Haillan." in email.body
    assert "de Le Haillan" not in email.body


def test_a_moderation_notice_names_the_mairie_du_haillan(
    haillan, hugo, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        warning_notify(author=hugo, commune=haillan, summary={"title": "Vélo"}, note="Hors sujet.")

    (email,) = mail.outbox
    assert "La modération de la mairie du Haillan vous adresse un avertissement" in email.body


def test_the_alert_confirmation_names_the_community_and_the_police_with_contractions(
    client, sign_in, hugo, lucie
):
    sign_in(client, hugo)
    response = client.post(
        "/alertes/nouvelle/",
        {
            "category": AlertCategory.OTHER,
            "text": "Un portail est resté ouvert rue du Lac.",
            "identifying_details": "",
        },
        HTTP_HOST=HAILLAN_HOST,
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Votre alerte est envoyée à l'autre membre vérifié du Bourg, à la mairie et à la "
        "police municipale du Haillan."
    ]
