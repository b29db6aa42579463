"""The Wagtail admin speaks our French on the screens staff use most: the dashboard, the page
editor, the Sites and users listings, the reports; workflows are named in French; and staff
avatars never come from Gravatar.

Wagtail strings are overridden through our own catalogue (see ``portal.wagtail_french``).
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.test import Client
from wagtail.models import Task, Workflow

from communities.services import commune_create
from gazette.models import GazetteIndexPage
from mairie_pages.models import AnnouncementPage

pytestmark = pytest.mark.django_db

PLATFORM = "platform@demo.invalid"


@pytest.fixture
def platform_team(demo, sign_in):
    return sign_in(Client(headers={"accept-language": "fr"}), _user(PLATFORM))


def _user(email):
    return get_user_model().objects.get(email=email)


def _text(response) -> str:
    assert response.status_code == 200
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<script.*?</script>", "", html, flags=re.S))


def test_the_dashboard_counts_pages_in_french(platform_team):
    html = _text(platform_team.get("/admin/"))

    assert re.search(r'\d+ pages <span class="w-sr-only">créées dans Voisinage</span>', html)
    assert "crées dans" not in html
    assert re.search(r'\d+ images <span class="w-sr-only">créées dans', html)


def test_the_page_editor_titles_and_submit_button_are_french(platform_team):
    announcement = AnnouncementPage.objects.live().first()
    gazette = GazetteIndexPage.objects.first()

    announcement_html = _text(platform_team.get(f"/admin/pages/{announcement.pk}/edit/"))
    gazette_html = _text(platform_team.get(f"/admin/pages/{gazette.pk}/edit/"))

    assert "Modification — Annonce" in announcement_html
    assert "Modification de Annonce" not in announcement_html
    assert "Envoyer en validation : Gazette — " in gazette_html
    assert "Soumettre à" not in gazette_html


def test_the_sites_listing_heads_its_columns_in_french(platform_team):
    html = _text(platform_team.get("/admin/sites/"))

    assert "Nom du site" in html
    assert "Page racine" in html
    assert "Site name" not in html
    assert "Root page" not in html


def test_yes_no_and_nobody_are_french_in_listings_and_reports(platform_team):
    users = _text(platform_team.get("/admin/users/"))
    aging = _text(platform_team.get("/admin/reports/aging-pages/"))

    assert '<span class="w-sr-only"> Oui </span>' in users
    assert not re.search(r"> ?(True|False|None) ?<", users)
    # The demo's pages were published by the platform itself, not by a staff member.
    assert "Système" in aging
    assert not re.search(r"> ?None ?<|</span> None </td>", aging)


def test_workflows_and_tasks_are_named_in_french(platform_team):
    names = set(Workflow.objects.values_list("name", flat=True))
    names |= set(Task.objects.values_list("name", flat=True))

    assert "Moderators approval" not in names
    assert "Validation par les modérateurs" in names
    assert any(name.startswith("Modération de la gazette — Cadaujac") for name in names)
    report = _text(platform_team.get("/admin/reports/workflow/"))
    assert "Moderators approval" not in report


def test_a_commune_created_while_browsing_in_english_gets_french_workflow_names(db):
    from django.utils import translation

    with translation.override("en"):
        commune = commune_create(
            name="Le Haillan", insee_code="33200", hostname="le-haillan.localhost"
        ).commune

    gazette = GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()
    workflow = gazette.get_workflow()
    assert workflow.name == "Gazette — Le Haillan (33200)"
    assert [task.name for task in workflow.tasks] == [
        "Modération de la gazette — Le Haillan (33200)"
    ]


def test_staff_avatars_are_local_never_gravatar(platform_team):
    html = platform_team.get("/admin/").content.decode()

    assert "gravatar" not in html.lower()
    # The sidebar's account menu (JSON props) and the dashboard's user panel.
    sources = set(re.findall(r'(?:src="|"avatarUrl": ")([^"]*avatar[^"]*)"', html))
    assert sources, "no avatar on the dashboard"
    for src in sources:
        assert src.startswith("/static/"), src
        assert finders.find(src.removeprefix("/static/").split("?")[0]), src
