"""The gazette in the Wagtail admin: side doors closed, staff kept within their commune.

Previews, revisions, history and the editor of a community post are for the commune's
staff only: residents (even of the same community) and another commune's staff never see
its text there. Staff aim their posts at their own commune's communities only.
"""

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html

from gazette.models import GazetteCategory, GazetteIndexPage, GazettePost
from gazette.services import gazette_post_create

pytestmark = pytest.mark.django_db

SECRET = "Le digicode du portail est 4512"


@pytest.fixture
def post(jeanne_resident):
    made = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.HELP,
        title="Besoin d'aide pour le portail",
        body=SECRET,
    )
    made.body = f"{SECRET} (modifié)"
    made.save_revision(user=jeanne_resident)
    return made


def _admin_paths(post):
    first, latest = post.revisions.order_by("pk")
    return [
        reverse("wagtailadmin_pages:edit", args=[post.pk]),
        reverse("wagtailadmin_pages:view_draft", args=[post.pk]),
        reverse("wagtailadmin_pages:preview_on_edit", args=[post.pk]),
        reverse("wagtailadmin_pages:history", args=[post.pk]),
        reverse("wagtailadmin_pages:revisions_index", args=[post.pk]),
        reverse("wagtailadmin_pages:revisions_view", args=[post.pk, first.pk]),
        reverse("wagtailadmin_pages:revisions_compare", args=[post.pk, "earliest", "latest"]),
        reverse("wagtailadmin_pages:revisions_compare", args=[post.pk, first.pk, latest.pk]),
        reverse("wagtailadmin_pages:workflow_history", args=[post.pk]),
        reverse("wagtailadmin_pages:copy", args=[post.pk]),
    ]


@pytest.mark.parametrize(
    "viewer",
    ["paul_neighbour", "lucie_tuileries", "dieter_didenheim", "diane_moderator", "bob_editor"],
)
def test_admin_previews_and_revisions_of_a_post_stay_with_its_communes_staff(
    post, viewer, request, sign_in
):
    client = sign_in(Client(HTTP_HOST="cadaujac.localhost"), request.getfixturevalue(viewer))

    for path in _admin_paths(post):
        response = client.get(path)
        assert response.status_code in (302, 403, 404), (viewer, path, response.status_code)
        assert SECRET not in response.content.decode(), (viewer, path)


def test_the_communes_editor_reaches_the_revisions(post, alice_editor, sign_in):
    client = sign_in(Client(HTTP_HOST="cadaujac.localhost"), alice_editor)

    first = post.revisions.order_by("pk").first()
    response = client.get(reverse("wagtailadmin_pages:revisions_view", args=[post.pk, first.pk]))

    assert response.status_code == 200
    assert SECRET in response.content.decode()


def test_staff_aim_posts_at_their_own_communes_communities_only(
    cadaujac, centre_bourg, tuileries, village, alice_editor, sign_in
):
    index = GazetteIndexPage.objects.descendant_of(cadaujac.site.root_page).get()
    client = sign_in(Client(HTTP_HOST="cadaujac.localhost"), alice_editor)
    add_url = reverse("wagtailadmin_pages:add", args=["gazette", "gazettepost", index.pk])

    form = client.get(add_url).content.decode()
    assert "Centre-bourg" in form
    assert "Les Tuileries" in form
    assert "Village" not in form

    data = querydict_from_html(form, form_id="page-edit-form")
    data.update({"title": "Collecte des encombrants", "slug": "encombrants", "category": "mairie"})
    data["body"] = "Inscrivez-vous en mairie."
    data.setlist("communities", [str(village.pk)])
    data["action-publish"] = "publish"
    refused = client.post(add_url, data)

    assert refused.status_code == 200
    assert not GazettePost.objects.exists()

    data.setlist("communities", [str(tuileries.pk)])
    accepted = client.post(add_url, data)

    assert accepted.status_code == 302
    post = GazettePost.objects.get()
    assert post.live
    assert list(post.communities.all()) == [tuileries]
    assert post.author == alice_editor
