"""Reported gazette posts and comments in the reports queue: the moderator sees the item
alone, hides it, and it disappears from every reader's views; its author is told why.
Suspensions answer for one commune at a time and end by themselves."""

import html
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from gazette.models import Comment, GazetteCategory, GazetteIndexPage, GazettePost
from gazette.selectors import gazette_posts_for
from moderation.models import ModerationAction, ModerationActionKind, Report, ReportStatus
from moderation.reportables import report_create
from moderation.suspensions import member_is_suspended, member_suspension_refuse

QUEUE = "/admin/signalements/"
HOST = "cadaujac.localhost"


def body(response) -> str:
    return html.unescape(response.content.decode())


def item_url(content, action=""):
    content_type = ContentType.objects.get_for_model(content)
    return f"{QUEUE}{content_type.pk}/{content.pk}/" + (f"{action}/" if action else "")


def _post(commune, author, title, body_text, communities):
    index = GazetteIndexPage.objects.descendant_of(commune.site.root_page).get()
    page = GazettePost(
        title=title,
        slug=title.lower().replace(" ", "-"),
        category=GazetteCategory.CLASSIFIED,
        body=body_text,
        author=author,
        owner=author,
    )
    page.communities = communities
    index.add_child(instance=page)
    return page


@pytest.fixture
def thread(cadaujac, centre_bourg, jeanne_resident, paul_neighbour):
    """Jeanne's community post with Paul's rude comment and Jeanne's own private reply."""
    post = _post(
        cadaujac,
        jeanne_resident,
        "Vends vélo enfant",
        "Vélo 16 pouces, bon état, 30 euros.",
        [centre_bourg],
    )
    rude = Comment.objects.create(post=post, author=paul_neighbour, text="Arnaque, fuyez !")
    reply = Comment.objects.create(
        post=post, author=jeanne_resident, text="Réponse privée : mon code de portail est 1234."
    )
    return {"post": post, "rude": rude, "reply": reply}


@pytest.fixture
def moderator(client, marc_moderator, sign_in):
    return sign_in(client, marc_moderator)


def test_a_reported_post_is_hidden_from_every_reader(
    thread,
    moderator,
    cadaujac,
    paul_neighbour,
    jeanne_resident,
    django_capture_on_commit_callbacks,
):
    post = thread["post"]
    report_create(content=post, reporter=paul_neighbour, reason="Vente interdite ici.")
    assert "Vends vélo enfant" in body(moderator.get(QUEUE))
    reader = Client(HTTP_HOST=HOST)
    reader.force_login(paul_neighbour)
    assert reader.get(post.url).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = moderator.post(item_url(post, "masquer"), {"masquer-note": "Hors charte."})

    assert response.status_code == 302
    assert not GazettePost.objects.visible_to(paul_neighbour).filter(pk=post.pk).exists()
    assert post not in gazette_posts_for(viewer=paul_neighbour, commune=cadaujac)
    assert reader.get(post.url).status_code == 404
    assert Report.objects.get().status == ReportStatus.UPHELD
    action = ModerationAction.objects.get()
    assert (action.kind, action.author, action.note) == (
        ModerationActionKind.HIDE,
        jeanne_resident,
        "Hors charte.",
    )
    assert [message.to for message in mail.outbox] == [["jeanne@cadaujac.test"]]
    assert "Vends vélo enfant" in mail.outbox[0].body
    assert "Hors charte." in mail.outbox[0].body
    assert "Vends vélo enfant" not in body(moderator.get(QUEUE))


def test_a_reported_comment_shows_alone_and_hiding_it_leaves_the_post(
    thread, moderator, jeanne_resident, paul_neighbour
):
    rude = thread["rude"]
    report_create(content=rude, reporter=jeanne_resident, reason="Insultant.")

    detail = body(moderator.get(item_url(rude)))

    assert "Arnaque, fuyez !" in detail
    assert "mon code de portail" not in detail  # the discussion around it stays private
    assert "Vélo 16 pouces" not in detail

    response = moderator.post(item_url(rude, "masquer"), {"masquer-note": "Propos injurieux."})

    assert response.status_code == 302
    rude.refresh_from_db()
    assert rude.hidden_at is not None
    reader = Client(HTTP_HOST=HOST)
    reader.force_login(jeanne_resident)
    page = body(reader.get(thread["post"].url))
    assert "Vends vélo enfant" in page
    assert "Arnaque, fuyez !" not in page
    assert GazettePost.objects.visible_to(paul_neighbour).filter(pk=thread["post"].pk).exists()


def test_dismissing_a_posts_reports_keeps_it_visible(thread, moderator, paul_neighbour):
    post = thread["post"]
    report_create(content=post, reporter=paul_neighbour, reason="Trop cher.")

    response = moderator.post(item_url(post, "classer"), {"classer-note": "Prix libre."})

    assert response.status_code == 302
    assert GazettePost.objects.visible_to(paul_neighbour).filter(pk=post.pk).exists()
    assert Report.objects.get().status == ReportStatus.DISMISSED
    assert ModerationAction.objects.get().kind == ModerationActionKind.DISMISS


def test_another_communes_moderator_cannot_see_or_hide_a_reported_post(
    thread, diane_moderator, sign_in, paul_neighbour
):
    post = thread["post"]
    report_create(content=post, reporter=paul_neighbour, reason="Vente interdite ici.")
    client = sign_in(Client(), diane_moderator)

    assert "Vends vélo enfant" not in body(client.get(QUEUE))
    assert client.get(item_url(post)).status_code == 404
    response = client.post(item_url(post, "masquer"), {"masquer-note": "Hors charte."})

    assert response.status_code == 404
    assert GazettePost.objects.visible_to(paul_neighbour).filter(pk=post.pk).exists()
    assert not ModerationAction.objects.exists()


def test_a_deleted_post_leaves_reports_that_can_only_be_dismissed(
    thread, moderator, paul_neighbour
):
    post = thread["post"]
    report_create(content=post, reporter=paul_neighbour, reason="Vente interdite ici.")
    url = item_url(post)
    GazettePost.objects.filter(pk=post.pk).delete()

    detail = body(moderator.get(url))
    refused = moderator.post(url + "masquer/", {"masquer-note": "Trop tard."})
    dismissed = moderator.post(url + "classer/", {"classer-note": "Supprimé par l'auteur."})

    assert "Contenu supprimé depuis le signalement" in detail
    assert "Classer les signalements" in detail
    assert "Masquer" not in detail.split('id="item-decide"')[1].split("</section>")[0]
    assert refused.status_code == 400
    assert dismissed.status_code == 302
    assert Report.objects.get().status == ReportStatus.DISMISSED


# --- Suspension: the function posting services call -----------------------------------------


def test_a_suspended_author_is_refused_in_that_commune_with_the_end_date(
    thread, moderator, jeanne_resident, paul_neighbour, cadaujac, didenheim
):
    report_create(content=thread["post"], reporter=paul_neighbour, reason="Spam.")
    moderator.post(
        item_url(thread["post"], "suspendre"),
        {"suspendre-note": "Annonces répétées.", "suspendre-days": "3"},
    )

    assert member_is_suspended(user=jeanne_resident, commune=cadaujac)
    assert not member_is_suspended(user=jeanne_resident, commune=didenheim)
    assert not member_is_suspended(user=paul_neighbour, commune=cadaujac)
    with pytest.raises(ValidationError, match="suspendu votre participation jusqu'au"):
        member_suspension_refuse(user=jeanne_resident, commune=cadaujac)
    member_suspension_refuse(user=jeanne_resident, commune=didenheim)  # no error

    ModerationAction.objects.update(suspended_until=timezone.now() - timedelta(minutes=1))

    assert not member_is_suspended(user=jeanne_resident, commune=cadaujac)
    member_suspension_refuse(user=jeanne_resident, commune=cadaujac)


def test_nobody_is_suspended_by_default(jeanne_resident, cadaujac, charlie_outsider):
    from django.contrib.auth.models import AnonymousUser

    assert not member_is_suspended(user=jeanne_resident, commune=cadaujac)
    assert not member_is_suspended(user=AnonymousUser(), commune=cadaujac)
    assert not member_is_suspended(user=charlie_outsider, commune=None)
