"""`create_commune` builds a whole commune in one go, is idempotent and refuses bad input whole."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
)

from communities.models import Commune, CommuneGroup, StaffRole
from home.models import CommuneHomePage
from mairie_pages.models import AnnouncementIndexPage, EventIndexPage

pytestmark = pytest.mark.django_db

ARGS = ["--name", "Cadaujac", "--insee", "33080", "--hostname", "cadaujac.example.org"]


def snapshot():
    return {
        "sites": Site.objects.count(),
        "pages": Page.objects.count(),
        "collections": Collection.objects.count(),
        "groups": Group.objects.count(),
        "page_permissions": GroupPagePermission.objects.count(),
        "collection_permissions": GroupCollectionPermission.objects.count(),
        "communes": Commune.objects.count(),
    }


def test_creates_site_page_tree_collection_and_groups():
    call_command("create_commune", *ARGS)

    commune = Commune.objects.get(insee_code="33080")
    assert commune.site.hostname == "cadaujac.example.org"
    home = commune.site.root_page.specific
    assert isinstance(home, CommuneHomePage)
    assert AnnouncementIndexPage.objects.child_of(home).live().count() == 1
    assert EventIndexPage.objects.child_of(home).live().count() == 1
    assert commune.collection.get_parent() == Collection.get_first_root_node()
    assert set(commune.staff_groups.values_list("role", flat=True)) == set(StaffRole.values)
    assert commune.sms_sender_name == "Cadaujac"


def test_editor_group_rights_are_limited_to_the_communes_tree_and_collection():
    call_command("create_commune", *ARGS)
    commune = Commune.objects.get(insee_code="33080")
    editors = CommuneGroup.objects.get(commune=commune, role=StaffRole.EDITOR).group

    page_rights = GroupPagePermission.objects.filter(group=editors)
    assert {p.page_id for p in page_rights} == {commune.site.root_page_id}
    assert {p.permission.codename for p in page_rights} >= {
        "add_page",
        "change_page",
        "publish_page",
    }
    media_rights = GroupCollectionPermission.objects.filter(group=editors)
    assert {p.collection_id for p in media_rights} == {commune.collection_id}
    assert {p.permission.codename for p in media_rights} >= {
        "add_image",
        "choose_image",
        "add_document",
        "choose_document",
    }
    assert editors.permissions.filter(codename="access_admin").exists()


def test_second_run_changes_nothing():
    call_command("create_commune", *ARGS)
    before = snapshot()

    call_command("create_commune", *ARGS)

    assert snapshot() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "Nulle-part", "--insee", "99999", "--hostname", "n.example.org"], "INSEE"),
        (["--name", "Nulle-part", "--insee", "3308", "--hostname", "n.example.org"], "INSEE"),
        (
            ["--name", "Autre", "--insee", "68074", "--hostname", "cadaujac.example.org"],
            "déjà utilisé",
        ),
        (
            ["--name", "Cadaujac", "--insee", "33080", "--hostname", "autre.example.org"],
            "existe déjà",
        ),
        (["--name", "Bad", "--insee", "68074", "--hostname", "pas un hôte!"], "nom d'hôte"),
        (["--name", " ", "--insee", "68074", "--hostname", "vide.example.org"], "obligatoire"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_created(args, message):
    call_command("create_commune", *ARGS)
    before = snapshot()

    with pytest.raises(CommandError, match=message):
        call_command("create_commune", *args)

    assert snapshot() == before


def test_platform_default_site_is_kept_apart_from_communes():
    call_command("create_commune", *ARGS)

    default = Site.objects.get(is_default_site=True)
    assert not Commune.objects.filter(site=default).exists()
    assert default.root_page.specific_class.__name__ == "PlatformHomePage"
