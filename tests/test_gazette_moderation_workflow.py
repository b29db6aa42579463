"""The gazette's Wagtail workflow, per commune: a moderator of Cadaujac sees and decides
Cadaujac's residents' posts awaiting approval; a moderator of Didenheim neither sees nor
decides them, whatever URL they craft (dashboard, workflow history, the approve / request
changes modals and their POSTs, task preview, cancellation notice, workflow reports).
"""

import html

import pytest
from django.test import Client
from wagtail.models import TaskState, WorkflowState

from communities.models import ModerationPolicy
from gazette.models import GazetteCategory, GazettePost
from gazette.services import gazette_post_create

CADAUJAC_TITLE = "Tondeuse à prêter au Centre-bourg"
DIDENHEIM_TITLE = "Covoiturage vers Mulhouse"


def body(response) -> str:
    return html.unescape(response.content.decode(errors="replace"))


def _pre_moderated(commune):
    commune.gazette_moderation_policy = ModerationPolicy.PRE
    commune.save(update_fields=["gazette_moderation_policy"])


@pytest.fixture
def awaiting(cadaujac, didenheim, jeanne_resident, dieter_didenheim):
    """One resident's post awaiting approval in each commune's gazette workflow."""
    _pre_moderated(cadaujac)
    _pre_moderated(didenheim)
    ours = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title=CADAUJAC_TITLE,
        body="Je prête ma tondeuse le week-end, passez la prendre.",
    )
    theirs = gazette_post_create(
        author=dieter_didenheim,
        category=GazetteCategory.CARPOOL,
        title=DIDENHEIM_TITLE,
        body="Départ lundi 7 h place de l'église.",
    )
    assert not ours.live
    assert not theirs.live

    def task_state(post):
        return TaskState.objects.get(
            workflow_state__object_id=str(post.pk), status=TaskState.STATUS_IN_PROGRESS
        )

    return {
        "ours": ours,
        "theirs": theirs,
        "ours_task": task_state(ours),
        "theirs_task": task_state(theirs),
    }


@pytest.fixture
def login(request, sign_in):
    def as_(persona):
        client = Client()
        if persona == "anonymous":
            return client
        return sign_in(client, request.getfixturevalue(persona))

    return as_


def _seen(client, url) -> str:
    """The page, and the page a redirect leads to (where Wagtail shows its messages)."""
    response = client.get(url)
    text = body(response)
    if response.status_code == 302:
        text += body(client.get(response["Location"]))
    return text


def _still_waiting(post, task_state):
    post.refresh_from_db()
    task_state.refresh_from_db()
    return not post.live and task_state.status == TaskState.STATUS_IN_PROGRESS


# --- What each moderator sees ------------------------------------------------------------------


def test_the_dashboard_shows_each_moderator_their_own_communes_posts_only(login, awaiting):
    marc = _seen(login("marc_moderator"), "/admin/")
    diane = _seen(login("diane_moderator"), "/admin/")

    assert CADAUJAC_TITLE in marc
    assert DIDENHEIM_TITLE not in marc
    assert DIDENHEIM_TITLE in diane
    assert CADAUJAC_TITLE not in diane


def test_the_platform_team_sees_both(login, awaiting):
    page = _seen(login("platform_admin"), "/admin/")

    assert CADAUJAC_TITLE in page
    assert DIDENHEIM_TITLE in page


def test_a_moderator_reads_their_communes_workflow_history(login, awaiting):
    post = awaiting["ours"]
    state = WorkflowState.objects.get(object_id=str(post.pk))
    client = login("marc_moderator")

    history = client.get(f"/admin/pages/{post.pk}/workflow_history/")
    detail = client.get(f"/admin/pages/{post.pk}/workflow_history/detail/{state.pk}/")

    assert history.status_code == 200
    assert CADAUJAC_TITLE in body(history)
    assert detail.status_code == 200


# --- Crafted URLs from the other commune -------------------------------------------------------


def _side_doors(awaiting):
    post, task = awaiting["ours"], awaiting["ours_task"]
    own_task = awaiting["theirs_task"]  # Diane's own task state, on Didenheim's post
    state = WorkflowState.objects.get(object_id=str(post.pk))
    return [
        f"/admin/pages/{post.pk}/edit/",
        f"/admin/pages/{post.pk}/workflow_history/",
        f"/admin/pages/{post.pk}/workflow_history/detail/{state.pk}/",
        f"/admin/pages/workflow/action/{post.pk}/approve/{task.pk}/",
        f"/admin/pages/workflow/action/{post.pk}/reject/{task.pk}/",
        f"/admin/pages/workflow/action/{post.pk}/approve/{own_task.pk}/",
        f"/admin/pages/workflow/collect_action_data/{post.pk}/approve/{task.pk}/",
        f"/admin/pages/workflow/collect_action_data/{post.pk}/approve/{own_task.pk}/",
        f"/admin/pages/workflow/confirm_cancellation/{post.pk}/",
        f"/admin/pages/workflow/preview/{post.pk}/{task.task_id}/",
        f"/admin/pages/workflow/preview/{post.pk}/{own_task.task_id}/",
        f"/admin/pages/{post.pk}/view_draft/",
        f"/admin/pages/{post.pk}/revisions/",
        f"/admin/pages/{post.pk}/history/",
    ]


# Listings a moderator may open: they must simply not list the other commune's post.
ADMIN_LISTINGS = [
    "/admin/reports/workflow/",
    "/admin/reports/workflow_tasks/",
    "/admin/pages/search/?q=Tondeuse",
    "/admin/pages/",
]


OUTSIDERS = ["diane_moderator", "bob_editor", "jeanne_resident", "paul_neighbour", "anonymous"]


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_nothing_of_a_post_awaiting_review_reaches_anyone_outside_its_moderators(
    persona, login, awaiting
):
    client = login(persona)

    for url in _side_doors(awaiting):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (persona, url, response.status_code)
        assert CADAUJAC_TITLE not in _seen(client, url), (persona, url)
        assert "Cadaujac" not in body(response), (persona, url)
    for url in [*ADMIN_LISTINGS, f"/admin/pages/{awaiting['ours'].get_parent().pk}/"]:
        assert CADAUJAC_TITLE not in _seen(client, url), (persona, url)


@pytest.mark.parametrize("persona", [*OUTSIDERS, "alice_editor"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_nobody_but_the_communes_moderators_approves_or_rejects_by_crafted_url(
    persona, action, login, awaiting
):
    post, task = awaiting["ours"], awaiting["ours_task"]
    client = login(persona)

    for url in (
        f"/admin/pages/workflow/action/{post.pk}/{action}/{task.pk}/",
        f"/admin/pages/workflow/collect_action_data/{post.pk}/{action}/{task.pk}/",
    ):
        response = client.post(url, {"comment": "Vu."}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
        assert response.status_code in (302, 403, 404), (persona, url)

    assert _still_waiting(post, task)


def test_a_moderators_own_task_cannot_be_decided_through_another_communes_page(login, awaiting):
    """Diane's own task state, given with Cadaujac's page id: Wagtail would act on hers
    and describe Cadaujac's page; both ids must belong together."""
    ours, theirs, own_task = awaiting["ours"], awaiting["theirs"], awaiting["theirs_task"]
    client = login("diane_moderator")

    response = client.post(
        f"/admin/pages/workflow/action/{ours.pk}/approve/{own_task.pk}/", {"comment": ""}
    )

    assert response.status_code == 404
    assert _still_waiting(theirs, own_task)


def test_moderators_own_task_through_own_page_still_works(login, awaiting):
    theirs, own_task = awaiting["theirs"], awaiting["theirs_task"]

    response = login("diane_moderator").post(
        f"/admin/pages/workflow/action/{theirs.pk}/approve/{own_task.pk}/", {"comment": ""}
    )

    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.live


# --- The commune's moderator decides ---------------------------------------------------------


@pytest.mark.parametrize("persona", ["marc_moderator", "platform_admin"])
def test_the_communes_moderator_approves_and_the_post_reaches_its_readers(
    persona, login, awaiting, paul_neighbour, lucie_tuileries
):
    post, task = awaiting["ours"], awaiting["ours_task"]

    response = login(persona).post(
        f"/admin/pages/workflow/action/{post.pk}/approve/{task.pk}/", {"comment": ""}
    )

    assert response.status_code == 302
    post.refresh_from_db()
    assert post.live
    assert GazettePost.objects.visible_to(paul_neighbour).filter(pk=post.pk).exists()
    assert not GazettePost.objects.visible_to(lucie_tuileries).filter(pk=post.pk).exists()


def test_the_communes_moderator_requests_changes_and_the_post_stays_unpublished(
    login, awaiting, paul_neighbour
):
    post, task = awaiting["ours"], awaiting["ours_task"]

    response = login("marc_moderator").post(
        f"/admin/pages/workflow/action/{post.pk}/reject/{task.pk}/",
        {"comment": "Précisez le quartier, merci."},
    )

    assert response.status_code == 302
    task.refresh_from_db()
    post.refresh_from_db()
    assert task.status == TaskState.STATUS_REJECTED
    assert not post.live
    assert not GazettePost.objects.visible_to(paul_neighbour).filter(pk=post.pk).exists()
