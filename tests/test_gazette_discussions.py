"""Neighbours' discussions: comments and reports on gazette posts, and what the stream costs.

Comment endpoints answer only those who may read the post (404 for anyone else, nothing
stored); only authors edit or delete their own; a report upheld hides the content.
"""

import pytest
from django.test import Client

from gazette.models import Comment, GazetteCategory, GazettePost
from gazette.services import comment_create, gazette_post_create
from moderation.models import Report
from moderation.reportables import reportable_for

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


def _client(user):
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


@pytest.fixture
def post(jeanne_resident):
    return gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOST_FOUND,
        title="Chat tigré perdu",
        body="Voir https://exemple.invalid/pilou\n<script>alert(1)</script>",
    )


@pytest.fixture
def comment(post, paul_neighbour):
    return comment_create(post=post, author=paul_neighbour, text="Je l'ai vu près du lavoir.")


def test_a_neighbour_comments_and_the_post_shows_text_escaped_with_links(post, paul_neighbour):
    client = _client(paul_neighbour)
    response = client.post(f"/publier/{post.pk}/commentaires/", {"text": "Je regarde ce soir."})

    assert response.status_code == 302
    page = client.get(post.url).content.decode()
    assert "Je regarde ce soir." in page
    assert "&lt;script&gt;" in page
    assert "<script>alert(1)</script>" not in page
    assert 'href="https://exemple.invalid/pilou"' in page
    assert "Centre-bourg" in page


@pytest.mark.parametrize("viewer", ["lucie_tuileries", "dieter_didenheim", "diane_moderator"])
def test_nobody_outside_the_audience_comments_or_reports(post, comment, viewer, request, sign_in):
    client = sign_in(Client(HTTP_HOST=HOST), request.getfixturevalue(viewer))

    answers = [
        client.post(f"/publier/{post.pk}/commentaires/", {"text": "Coucou"}),
        client.post(f"/publier/{post.pk}/signaler/", {"report-reason": "Spam"}),
        client.get(f"/publier/commentaires/{comment.pk}/modifier/"),
        client.post(f"/publier/commentaires/{comment.pk}/supprimer/"),
        client.post(
            f"/publier/commentaires/{comment.pk}/signaler/",
            {f"report-comment-{comment.pk}-reason": "Spam"},
        ),
    ]

    assert [a.status_code for a in answers] == [404] * 5
    assert list(Comment.objects.values_list("text", flat=True)) == ["Je l'ai vu près du lavoir."]
    assert not Report.objects.exists()


def test_only_the_author_edits_or_deletes_a_comment(post, comment, jeanne_resident, paul_neighbour):
    jeanne = _client(jeanne_resident)
    assert (
        jeanne.post(f"/publier/commentaires/{comment.pk}/modifier/", {"text": "x"}).status_code
        == 404
    )
    assert jeanne.post(f"/publier/commentaires/{comment.pk}/supprimer/").status_code == 404

    paul = _client(paul_neighbour)
    paul.post(f"/publier/commentaires/{comment.pk}/modifier/", {"text": "Vu au lavoir, 8 h."})
    comment.refresh_from_db()
    assert comment.text == "Vu au lavoir, 8 h."
    assert comment.edited_at is not None
    paul.post(f"/publier/commentaires/{comment.pk}/supprimer/")
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Écrivez votre commentaire"),
        ("a" * 2001, "dépasse 2000 caractères"),
        ("On part en vacances samedi, surveillez la rue.", "inoccupé"),
    ],
)
def test_a_bad_comment_is_refused_with_a_message(post, paul_neighbour, text, message):
    response = _client(paul_neighbour).post(f"/publier/{post.pk}/commentaires/", {"text": text})

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Comment.objects.exists()


def test_a_report_upheld_hides_the_post_and_the_comment(
    post, comment, paul_neighbour, jeanne_resident, marc_moderator
):
    _client(paul_neighbour).post(f"/publier/{post.pk}/signaler/", {"report-reason": "Arnaque"})
    _client(jeanne_resident).post(
        f"/publier/commentaires/{comment.pk}/signaler/",
        {f"report-comment-{comment.pk}-reason": "Hors sujet"},
    )

    assert Report.objects.count() == 2
    assert set(Report.objects.values_list("commune_id", flat=True)) == {post.commune_id}
    for content in (comment, post):
        reportable_for(content).uphold(content, by=marc_moderator, note="")
    assert not GazettePost.objects.visible_to(paul_neighbour).exists()
    assert _client(paul_neighbour).get(post.url).status_code == 404
    assert Comment.objects.get().hidden_at is not None


def test_the_gazette_stream_costs_the_same_with_hundreds_of_posts(
    cadaujac, jeanne_resident, paul_neighbour, django_assert_max_num_queries
):
    from mairie_pages.models import AnnouncementIndexPage, AnnouncementPage

    for n in range(150):
        gazette_post_create(
            author=jeanne_resident,
            category=GazetteCategory.OTHER,
            title=f"Publication {n}",
            body="Bonjour à tous.",
            audience="commune" if n % 2 else "community",
        )
    news = AnnouncementIndexPage.objects.descendant_of(cadaujac.site.root_page).get()
    for n in range(20):
        page = news.add_child(
            instance=AnnouncementPage(title=f"Annonce {n}", slug=f"annonce-{n}", summary="Info.")
        )
        page.save_revision().publish()
    client = _client(paul_neighbour)
    client.get("/gazette/")  # warm caches (site, locale)

    with django_assert_max_num_queries(40):
        response = client.get("/gazette/?page=2")

    assert response.status_code == 200
    assert "Page 2 sur 15" in response.content.decode()
    mairie = client.get("/gazette/?categorie=mairie").content.decode()
    assert "Annonce 19" in mairie
    assert "Publication 149" not in mairie
