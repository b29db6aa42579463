"""A gazette post is read by its audience only: page URL, the gazette's listing, its photos.

Matrix: each path × anonymous / pending / verified same community / verified other
community of the commune / verified member of another commune / staff of the commune /
staff of another commune / outsider, for a community post, a commune-wide post and a post
aimed at another community. Absence is asserted as strictly as presence.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from PIL import Image

from gazette.models import GazetteCategory, GazetteIndexPage, GazettePhoto, GazettePost
from gazette.selectors import gazette_posts_for

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


def _jpeg() -> ContentFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "orange").save(buffer, "JPEG")
    return ContentFile(buffer.getvalue(), name="chat.jpg")


@pytest.fixture
def posts(cadaujac, centre_bourg, tuileries, jeanne_resident, private_storage):
    index = GazetteIndexPage.objects.descendant_of(cadaujac.site.root_page).get()

    def post(slug, title, communities):
        page = GazettePost(
            title=title,
            slug=slug,
            category=GazetteCategory.LOST_FOUND,
            body=f"{title} : merci de me prévenir.",
            author=jeanne_resident,
            owner=jeanne_resident,
        )
        page.communities = communities
        index.add_child(instance=page)
        return page

    made = {
        "community": post("chat-tigre", "Chat tigré perdu", [centre_bourg]),
        "commune": post("fete-voisins", "Fête des voisins", []),
        "other_community": post("velo-trouve", "Vélo trouvé aux Tuileries", [tuileries]),
    }
    made["photo"] = GazettePhoto.objects.create(post=made["community"], file=_jpeg())
    return made


@pytest.fixture
def viewers(
    jeanne_resident,
    paul_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    marc_moderator,
    diane_moderator,
    alice_editor,
    charlie_outsider,
):
    return {
        "anonymous": None,
        "pending": pierre_pending,
        "same_community": paul_neighbour,
        "other_community": lucie_tuileries,
        "other_commune": dieter_didenheim,
        "staff": marc_moderator,
        "editor": alice_editor,
        "other_staff": diane_moderator,
        "outsider": charlie_outsider,
    }


# Which posts each viewer reads.
EXPECTED = {
    "anonymous": set(),
    "pending": set(),
    "same_community": {"community", "commune"},
    "other_community": {"commune", "other_community"},
    "other_commune": set(),
    "staff": {"community", "commune", "other_community"},
    "editor": {"community", "commune", "other_community"},
    "other_staff": set(),
    "outsider": set(),
}


def _client(user):
    client = Client(HTTP_HOST=HOST)
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("viewer", EXPECTED)
def test_post_pages_answer_only_their_audience(posts, viewers, viewer):
    client = _client(viewers[viewer])

    for name in ("community", "commune", "other_community"):
        response = client.get(posts[name].url)
        if name in EXPECTED[viewer]:
            assert response.status_code == 200, (viewer, name)
            assert posts[name].title in response.content.decode()
        elif viewer == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code == 404, (viewer, name)


@pytest.mark.parametrize("viewer", EXPECTED)
def test_the_gazette_lists_exactly_what_the_viewer_may_read(posts, viewers, viewer, cadaujac):
    user = viewers[viewer]
    response = _client(user).get("/gazette/")

    if user is None:
        assert response.status_code == 302
        return
    page = response.content.decode()
    for name in ("community", "commune", "other_community"):
        assert (posts[name].title in page) == (name in EXPECTED[viewer]), (viewer, name)
    listed = {p.pk for p in gazette_posts_for(viewer=user, commune=cadaujac)}
    assert listed == {posts[name].pk for name in EXPECTED[viewer]}


@pytest.mark.parametrize("viewer", EXPECTED)
def test_a_community_posts_photo_is_served_to_its_audience_only(posts, viewers, viewer):
    response = _client(viewers[viewer]).get(f"/gazette-fichiers/photos/{posts['photo'].pk}/")

    if "community" in EXPECTED[viewer]:
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert "private" in response["Cache-Control"]
    else:
        assert response.status_code == 404


def test_hidden_expired_and_draft_posts_are_read_by_nobody(posts, paul_neighbour, marc_moderator):
    from datetime import timedelta

    from django.utils import timezone

    GazettePost.objects.filter(pk=posts["community"].pk).update(hidden_at=timezone.now())
    GazettePost.objects.filter(pk=posts["commune"].pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    posts["other_community"].unpublish()

    for user in (paul_neighbour, marc_moderator):
        assert not GazettePost.objects.visible_to(user).exists()
        assert _client(user).get(posts["community"].url).status_code == 404
        assert (
            _client(user).get(f"/gazette-fichiers/photos/{posts['photo'].pk}/").status_code == 404
        )


def test_posts_take_the_commune_of_the_tree_they_are_created_in(posts, cadaujac):
    assert {p.commune_id for p in posts.values() if isinstance(p, GazettePost)} == {cadaujac.pk}


def test_the_public_sitemap_names_no_gazette_page(posts):
    response = Client(HTTP_HOST=HOST).get("/sitemap.xml")

    assert response.status_code == 200
    sitemap = response.content.decode()
    assert "/actualites/" in sitemap
    assert "gazette" not in sitemap


@pytest.mark.parametrize("viewer", EXPECTED)
def test_comment_endpoints_answer_only_the_posts_audience(posts, viewers, viewer):
    from gazette.models import Comment

    target = posts["community"]
    existing = Comment.objects.create(post=target, author=target.author, text="Toujours perdu.")
    user = viewers[viewer]
    client = _client(user)

    posted = client.post(f"/publier/{target.pk}/commentaires/", {"text": "Vu au lavoir."})
    reported = client.post(
        f"/publier/commentaires/{existing.pk}/signaler/",
        {f"report-comment-{existing.pk}-reason": "Hors sujet"},
    )

    from moderation.models import Report

    stored = set(Comment.objects.values_list("text", flat=True))
    if "community" in EXPECTED[viewer]:
        assert posted.status_code == 302
        assert stored == {"Toujours perdu.", "Vu au lavoir."}
        assert reported.status_code == 302
        assert Report.objects.count() == 1
        assert "Toujours perdu." in client.get(target.url).content.decode()
    else:
        expected = 302 if user is None else 404
        assert posted.status_code == expected
        assert reported.status_code == expected
        assert stored == {"Toujours perdu."}
        assert not Report.objects.exists()
