"""Communes that require approval: a resident's post waits in the commune's "gazette"
workflow; the commune's moderators approve or request changes in the Wagtail admin, and
the author is told by e-mail, in French."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from communities.models import ModerationPolicy
from gazette.models import GazetteCategory, GazettePost
from gazette.services import gazette_post_create

pytestmark = pytest.mark.django_db

HOST = "cadaujac.localhost"


@pytest.fixture
def submitted(cadaujac, jeanne_resident, marc_moderator):
    cadaujac.gazette_moderation_policy = ModerationPolicy.PRE
    cadaujac.save()
    return gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.NEIGHBOURHOOD_EVENT,
        title="Fête des voisins rue des Vignes",
        body="Apportez un plat à partager !",
        audience="commune",
    )


def _act(client, post, action, **data):
    state = post.current_workflow_task_state
    return client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[post.pk, action, state.pk]), data
    )


def test_a_submitted_post_waits_unseen_and_is_listed_in_my_posts(
    submitted, jeanne_resident, paul_neighbour
):
    assert not submitted.live
    assert submitted.workflow_in_progress
    assert submitted.get_workflow().name.startswith("Gazette — Cadaujac")
    assert not GazettePost.objects.visible_to(paul_neighbour).exists()
    assert Client(HTTP_HOST=HOST).get(submitted.url).status_code in (302, 404)
    client = Client(HTTP_HOST=HOST)
    client.force_login(jeanne_resident)
    mine = client.get("/publier/mes-publications/").content.decode()
    assert "Fête des voisins rue des Vignes" in mine
    assert "En attente de validation par la mairie" in mine


def test_approval_publishes_the_post_and_tells_the_author(
    submitted, marc_moderator, paul_neighbour, sign_in, django_capture_on_commit_callbacks
):
    client = sign_in(Client(HTTP_HOST=HOST), marc_moderator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, submitted, "approve")

    submitted.refresh_from_db()
    assert submitted.live
    assert GazettePost.objects.visible_to(paul_neighbour).filter(pk=submitted.pk).exists()
    to_author = [m for m in mail.outbox if m.to == ["jeanne@cadaujac.test"]]
    assert len(to_author) == 1
    assert "est en ligne" in to_author[0].subject
    assert "a validé votre publication" in to_author[0].body
    assert "/admin/" not in to_author[0].body


def test_requested_changes_keep_the_post_offline_and_tell_the_author_why(
    submitted, marc_moderator, paul_neighbour, sign_in, django_capture_on_commit_callbacks
):
    client = sign_in(Client(HTTP_HOST=HOST), marc_moderator)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _act(client, submitted, "reject", comment="Précisez l'heure, merci.")

    submitted.refresh_from_db()
    assert not submitted.live
    assert not GazettePost.objects.visible_to(paul_neighbour).exists()
    to_author = [m for m in mail.outbox if m.to == ["jeanne@cadaujac.test"]]
    assert len(to_author) == 1
    assert "est à revoir" in to_author[0].subject
    assert "Précisez l'heure, merci." in to_author[0].body


def test_another_communes_moderator_cannot_approve(
    submitted, diane_moderator, sign_in, django_capture_on_commit_callbacks
):
    client = sign_in(Client(HTTP_HOST=HOST), diane_moderator)

    response = _act(client, submitted, "approve")

    assert response.status_code in (302, 403, 404)
    submitted.refresh_from_db()
    assert not submitted.live
    assert submitted.workflow_in_progress


def test_the_author_revises_a_post_sent_back_and_it_is_submitted_again(
    submitted, jeanne_resident, marc_moderator, paul_neighbour, sign_in
):
    from gazette.services import gazette_post_update

    _act(sign_in(Client(HTTP_HOST=HOST), marc_moderator), submitted, "reject", comment="L'heure ?")
    submitted.refresh_from_db()
    assert not submitted.workflow_in_progress

    gazette_post_update(
        post=submitted,
        by=jeanne_resident,
        category=GazetteCategory.NEIGHBOURHOOD_EVENT,
        title="Fête des voisins rue des Vignes, 19 h",
        body="Apportez un plat à partager, rendez-vous à 19 h.",
        audience="commune",
    )

    submitted.refresh_from_db()
    assert submitted.workflow_in_progress
    assert not submitted.live
    assert not GazettePost.objects.visible_to(paul_neighbour).exists()
    assert submitted.get_latest_revision().as_object().title.endswith("19 h")
