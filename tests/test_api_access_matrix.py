"""Who reaches which API endpoint, signed in by an app's session token: every endpoint ×
anonymous / the author / a neighbour of the same community / a member of another community
/ of another commune / pending / suspended / the mairie's staff by role / the police / an
outsider. A 404 wherever a 403 would confirm that an alert or a post exists.

Jeanne (Centre-bourg) posted an alert with a number plate, and another she will end;
Dieter posted one in Didenheim; Jeanne's gazette post is aimed at Centre-bourg.
"""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.models import Alert, AlertCategory
from alerts.services import alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from gazette.models import GazetteCategory
from gazette.services.posts import gazette_post_create
from moderation.models import ModerationAction, ModerationActionKind
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

PLATE = "GZ-417-KT"
TEXT = "Deux personnes relèvent les numéros des boîtes aux lettres rue du Port depuis 10 h."
OTHER_TEXT = "Démarcheur insistant rue de Mulhouse."
POST_TITLE = "Chat tigré perdu près de l'école"

UNAUTHORIZED, OK, NOT_FOUND, FORBIDDEN, REFUSED = "401", "ok", "404", "403", "422"

ENDPOINTS = [
    "me",
    "alerts",
    "alerts_ended",
    "alert",
    "foreign_alert",
    "alert_create",
    "follow_up",
    "end",
    "police_take",
    "gazette",
    "post",
]


def _row(alert, create, follow_up, end, police_take, post):
    """What a signed-in persona gets: lists and ``me`` always answer (with what they may read)."""
    return {
        "me": OK,
        "alerts": OK,
        "alerts_ended": OK,
        "alert": alert,
        "foreign_alert": NOT_FOUND,
        "alert_create": create,
        "follow_up": follow_up,
        "end": end,
        "police_take": police_take,
        "gazette": OK,
        "post": post,
    }


_NOBODY = _row(NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
MATRIX = {
    "anonymous": dict.fromkeys(ENDPOINTS, UNAUTHORIZED),
    "jeanne_resident": _row(OK, OK, OK, OK, NOT_FOUND, OK),
    "paul_neighbour": _row(OK, OK, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK),
    "suspended_neighbour": _row(OK, REFUSED, FORBIDDEN, FORBIDDEN, NOT_FOUND, OK),
    "lucie_tuileries": _row(NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    # A member of Didenheim calling Cadaujac's site: as on its alert form, not here.
    "dieter_didenheim": _NOBODY,
    "pierre_pending": _NOBODY,
    "charlie_outsider": _NOBODY,
    "marc_moderator": _row(OK, FORBIDDEN, OK, OK, NOT_FOUND, OK),
    "alice_editor": _row(NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, OK),
    "diane_moderator": _NOBODY,
    "police": _row(OK, FORBIDDEN, OK, FORBIDDEN, OK, OK),
    "other_police": _NOBODY,
}
# Who reads the alert's text in the list, and its identifying details on its detail.
SEES_ALERT = {
    "jeanne_resident",
    "paul_neighbour",
    "suspended_neighbour",
    "marc_moderator",
    "police",
}
SEES_DETAILS = {"marc_moderator", "police"}
DETAILED = {"alert", "follow_up", "police_take"}
SEES_POST = {
    "jeanne_resident",
    "paul_neighbour",
    "suspended_neighbour",
    "marc_moderator",
    "alice_editor",
    "police",
}


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def other_police(make_user, didenheim):
    user = make_user("police@didenheim.test", first_name="Agent", last_name="Didenheim")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.POLICE)
    return user


@pytest.fixture
def suspended_neighbour(make_member, centre_bourg, cadaujac, marc_moderator):
    """Sophie, verified in Centre-bourg, suspended by the mairie's moderation for a week."""
    sophie = make_member(
        "sophie@cadaujac.test", centre_bourg, first_name="Sophie", last_name="Laborde"
    )
    ModerationAction.objects.create(
        commune=cadaujac,
        kind=ModerationActionKind.SUSPEND,
        author=sophie,
        actor=marc_moderator,
        suspended_until=timezone.now() + timedelta(days=7),
    )
    return sophie


@pytest.fixture
def world(
    jeanne_resident,
    paul_neighbour,
    suspended_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    charlie_outsider,
    marc_moderator,
    alice_editor,
    diane_moderator,
    police,
    other_police,
    centre_bourg,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        alert = alert_post(
            author=jeanne_resident,
            category=AlertCategory.SCOUTING,
            text=TEXT,
            identifying_details=PLATE,
        )
        to_end = alert_post(
            author=jeanne_resident,
            category=AlertCategory.LOST_ANIMAL,
            text="Chat tigré perdu rue des Vignes, il répond au nom de Filou.",
        )
        foreign = alert_post(
            author=dieter_didenheim,
            category=AlertCategory.CANVASSER,
            text=OTHER_TEXT,
            identifying_details="Société Fenêtres-Plus",
        )
        post = gazette_post_create(
            author=jeanne_resident,
            category=GazetteCategory.LOST_FOUND,
            title=POST_TITLE,
            body="Il a un collier rouge ; merci de me prévenir si vous le voyez.",
        )
    return {"alert": alert, "to_end": to_end, "foreign": foreign, "post": post}


def _call(client, endpoint, world, token):
    headers = {"X-Session-Token": token} if token else {}
    pk, to_end = world["alert"].pk, world["to_end"].pk

    def post(url, data=None):
        return client.post(
            url, json.dumps(data or {}), content_type="application/json", headers=headers
        )

    return {
        "me": lambda: client.get("/api/v1/me/", headers=headers),
        "alerts": lambda: client.get("/api/v1/alerts/", headers=headers),
        "alerts_ended": lambda: client.get("/api/v1/alerts/?state=ended", headers=headers),
        "alert": lambda: client.get(f"/api/v1/alerts/{pk}", headers=headers),
        "foreign_alert": lambda: client.get(
            f"/api/v1/alerts/{world['foreign'].pk}", headers=headers
        ),
        "alert_create": lambda: post(
            "/api/v1/alerts/",
            {"category": "canvasser", "text": "Faux agent des eaux qui sonne rue du Port."},
        ),
        "follow_up": lambda: post(
            f"/api/v1/alerts/{pk}/follow-ups", {"text": "Ils sont repartis vers le bourg."}
        ),
        "end": lambda: post(f"/api/v1/alerts/{to_end}/end", {"text": "Filou est retrouvé."}),
        "police_take": lambda: post(f"/api/v1/alerts/{pk}/police-take"),
        "gazette": lambda: client.get("/api/v1/gazette/", headers=headers),
        "post": lambda: client.get(f"/api/v1/gazette/{world['post'].pk}", headers=headers),
    }[endpoint]()


def _outcome(response) -> str:
    if response.status_code in (200, 201):
        return OK
    assert response["Content-Type"] == "application/problem+json"
    return str(response.status_code)


@pytest.mark.parametrize("persona", list(MATRIX))
def test_api_access_matrix(request, client, sign_in, world, persona):
    """Each persona against every endpoint; a failure lists every cell that differs."""
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    token = app_token(client, sign_in, user) if user is not None else None

    responses = {endpoint: _call(client, endpoint, world, token) for endpoint in ENDPOINTS}
    outcomes = {endpoint: _outcome(response) for endpoint, response in responses.items()}

    assert outcomes == MATRIX[persona]
    bodies = {endpoint: response.content.decode() for endpoint, response in responses.items()}
    for endpoint, body in bodies.items():
        # Identifying details only in the alert's detail (as read, or answered after an
        # action on it), and only to the commune's alert staff; another commune's alert
        # nowhere.
        shown = persona in SEES_DETAILS and outcomes[endpoint] == OK and endpoint in DETAILED
        assert (PLATE in body) == shown, endpoint
        assert "Fenêtres-Plus" not in body, endpoint
        assert OTHER_TEXT not in body, endpoint
    if user is not None:
        assert (TEXT in bodies["alerts"]) == (persona in SEES_ALERT)
        assert (POST_TITLE in bodies["gazette"]) == (persona in SEES_POST)
    if outcomes["alert_create"] == OK:
        assert Alert.objects.filter(author=user, source="api").count() == 1


# --- Reports, delivery, gazette writes and the commune's public content -------------------------
# Jeanne also has a second post ("Vends vélo enfant") that she edits, then deletes; Paul
# commented on her first post. Cadaujac has a page, an announcement and an event anyone may
# read; Didenheim's announcement is read on Didenheim's host only.

BIKE = "Vends vélo enfant"
DIDENHEIM_NEWS = "Fête du village de Didenheim"
DELETED = "204"
CONTENT_ENDPOINTS = [
    "alert_delivery",
    "alert_report",
    "post_create",
    "post_edit",
    "comment",
    "post_report",
    "comment_report",
    "post_delete",
    "pages",
    "page",
    "announcements",
    "announcement",
    "events",
    "event",
]
PUBLIC_ENDPOINTS = ["pages", "page", "announcements", "announcement", "events", "event"]
PUBLIC = dict.fromkeys(PUBLIC_ENDPOINTS, OK)


def _content(delivery, report, create, own_post, comment, post_report, comment_report):
    """A persona's outcomes; ``own_post`` for editing, then deleting, Jeanne's second post.
    The commune's public content answers everyone."""
    return {
        "alert_delivery": delivery,
        "alert_report": report,
        "post_create": create,
        "post_edit": own_post,
        "comment": comment,
        "post_report": post_report,
        "comment_report": comment_report,
        "post_delete": DELETED if own_post == OK else own_post,
        **PUBLIC,
    }


_NO_READER = _content(NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND)
CONTENT_MATRIX = {
    "anonymous": {**dict.fromkeys(CONTENT_ENDPOINTS, UNAUTHORIZED), **PUBLIC},
    # Nobody reports their own alert, post or comment (the same report service as the site).
    "jeanne_resident": _content(OK, REFUSED, OK, OK, OK, REFUSED, OK),
    "paul_neighbour": _content(OK, OK, OK, NOT_FOUND, OK, OK, REFUSED),
    # Suspended: still reads and reports; neither publishes nor comments.
    "suspended_neighbour": _content(OK, OK, REFUSED, NOT_FOUND, REFUSED, OK, OK),
    # Publishes in her commune, reads neither the alert nor the post to Centre-bourg.
    "lucie_tuileries": _content(
        NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND
    ),
    # A member of Didenheim on Cadaujac's site: as on its publishing form, not here.
    "dieter_didenheim": _NO_READER,
    "pierre_pending": _NO_READER,
    "charlie_outsider": _NO_READER,
    # The mairie writes in the gazette; the police municipale does not.
    "marc_moderator": _content(OK, OK, OK, NOT_FOUND, OK, OK, OK),
    "alice_editor": _content(NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK),
    "diane_moderator": _NO_READER,
    "police": _content(OK, OK, FORBIDDEN, NOT_FOUND, OK, OK, OK),
    "other_police": _NO_READER,
}
# Who reads the per-channel figures of the alert's sending, and who the plain counts.
SEES_CHANNELS = {"marc_moderator", "police"}


@pytest.fixture
def content_world(world, jeanne_resident, paul_neighbour, cadaujac, didenheim, private_storage):
    from gazette.models import Comment
    from mairie_pages.models import (
        AnnouncementIndexPage,
        AnnouncementPage,
        EventIndexPage,
        EventPage,
        StandardPage,
    )

    bike = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.CLASSIFIED,
        title=BIKE,
        body="Vélo 16 pouces, bon état, 30 euros.",
    )
    comment = Comment.objects.create(
        post=world["post"], author=paul_neighbour, text="Je l'ai vu près de l'école."
    )
    home = cadaujac.site.root_page
    page = home.add_child(
        instance=StandardPage(title="Horaires de la mairie", slug="horaires", intro="Lundi.")
    )
    news = AnnouncementIndexPage.objects.child_of(home).get()
    announcement = news.add_child(
        instance=AnnouncementPage(title="Travaux rue du Port", slug="travaux", summary="Route.")
    )
    AnnouncementIndexPage.objects.child_of(didenheim.site.root_page).get().add_child(
        instance=AnnouncementPage(title=DIDENHEIM_NEWS, slug="fete", summary="Bal.")
    )
    event = (
        EventIndexPage.objects.child_of(home)
        .get()
        .add_child(
            instance=EventPage(
                title="Loto des écoles",
                slug="loto",
                start=timezone.now() + timedelta(days=3),
                location="Salle des fêtes",
                summary="Venez nombreux.",
            )
        )
    )
    return {
        **world,
        "bike": bike,
        "comment": comment,
        "page": page,
        "announcement": announcement,
        "event": event,
    }


def _content_call(client, endpoint, world, token):
    headers = {"X-Session-Token": token} if token else {}
    alert, post, bike = world["alert"].pk, world["post"].pk, world["bike"].pk
    form = {
        "category": GazetteCategory.LOST_FOUND,
        "title": "Clés trouvées devant la boulangerie",
        "body": "Un trousseau avec un porte-clés rouge, à récupérer chez moi.",
        "audience": "commune",
    }

    def post_json(url, data):
        return client.post(url, json.dumps(data), content_type="application/json", headers=headers)

    def get(url):
        return client.get(url, headers=headers)

    return {
        "alert_delivery": lambda: get(f"/api/v1/alerts/{alert}/delivery"),
        "alert_report": lambda: post_json(
            f"/api/v1/alerts/{alert}/report", {"reason": "Ce sont les releveurs de compteurs."}
        ),
        "post_create": lambda: client.post("/api/v1/gazette/", form, headers=headers),
        "post_edit": lambda: client.post(
            f"/api/v1/gazette/{bike}", {**form, "title": "Vélo vendu"}, headers=headers
        ),
        "comment": lambda: post_json(
            f"/api/v1/gazette/{post}/comments", {"text": "Je regarde dans mon garage."}
        ),
        "post_report": lambda: post_json(
            f"/api/v1/gazette/{post}/report", {"reason": "Ce chat est à moi."}
        ),
        "comment_report": lambda: post_json(
            f"/api/v1/gazette/comments/{world['comment'].pk}/report", {"reason": "Faux."}
        ),
        "post_delete": lambda: client.delete(f"/api/v1/gazette/{bike}", headers=headers),
        "pages": lambda: get("/api/v1/commune/pages/"),
        "page": lambda: get(f"/api/v1/commune/pages/{world['page'].pk}"),
        "announcements": lambda: get("/api/v1/commune/announcements/"),
        "announcement": lambda: get(f"/api/v1/commune/announcements/{world['announcement'].pk}"),
        "events": lambda: get("/api/v1/commune/events/"),
        "event": lambda: get(f"/api/v1/commune/events/{world['event'].pk}"),
    }[endpoint]()


@pytest.mark.parametrize("persona", list(CONTENT_MATRIX))
def test_api_reports_delivery_gazette_writes_and_public_content_access_matrix(
    request, client, sign_in, content_world, persona
):
    """Each persona against every endpoint, in this order (the edit before the delete);
    what each answer reveals; and what a refused write left unchanged."""
    from gazette.models import Comment, GazettePost
    from moderation.models import Report

    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    token = app_token(client, sign_in, user) if user is not None else None

    responses = {
        endpoint: _content_call(client, endpoint, content_world, token)
        for endpoint in CONTENT_ENDPOINTS
    }
    outcomes = {
        endpoint: DELETED if response.status_code == 204 else _outcome(response)
        for endpoint, response in responses.items()
    }

    assert outcomes == CONTENT_MATRIX[persona]
    for endpoint, response in responses.items():
        assert DIDENHEIM_NEWS not in response.content.decode(), endpoint
    if outcomes["alert_delivery"] == OK:
        delivery = responses["alert_delivery"].json()
        assert (delivery["progress"] is not None) == (persona in SEES_CHANNELS)
        assert (delivery["reach"] is not None) == (persona not in SEES_CHANNELS)
    # A refused write changed nothing.
    bike = GazettePost.objects.filter(pk=content_world["bike"].pk).first()
    assert (bike is None) == (outcomes["post_delete"] == DELETED)
    if bike is not None:
        assert bike.title == BIKE
    created = GazettePost.objects.filter(title="Clés trouvées devant la boulangerie")
    assert created.exists() == (outcomes["post_create"] == OK)
    commented = Comment.objects.filter(text="Je regarde dans mon garage.").exists()
    assert commented == (outcomes["comment"] == OK)
    reports = Report.objects.filter(reporter=user) if user is not None else Report.objects.none()
    reported = [outcomes[e] for e in ("alert_report", "post_report", "comment_report")]
    assert reports.count() == reported.count(OK)


@pytest.mark.parametrize("persona", ["jeanne_resident", "marc_moderator", "charlie_outsider"])
def test_an_id_that_is_no_alert_answers_like_one_the_member_may_not_see(
    request, client, sign_in, world, persona
):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    token = app_token(client, sign_in, request.getfixturevalue(persona))
    headers = {"X-Session-Token": token}
    missing = client.get("/api/v1/alerts/999999", headers=headers)
    hidden = client.get(f"/api/v1/alerts/{world['foreign'].pk}", headers=headers)

    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()


# --- The directory, conversations, blocks and search ----------------------------------------------
# Jeanne shows her photo and interests to neighbours, her address and phone to the mairie,
# her e-mail to nobody. She wrote to Paul, who answered; Paul has blocked Dieter. Jeanne's
# gazette post about her ladder is what the search finds.

ADDRESS = "12 chemin des Vignes"
EMAIL = "jeanne@cadaujac.test"
MESSAGE = "Je passe prendre l'escabeau samedi vers 10 h."
LADDER = "Échelle de quatre mètres à prêter"
SOCIAL_ENDPOINTS = [
    "directory",
    "directory_communities",
    "member",
    "member_photo",
    "conversations",
    "conversation",
    "search",
    "blocks",
    "reply",
    "archive",
    "report",
    "start",
    "block",
    "unblock",
]
NO_CONTENT = "204"


def _social(directory, member, start, block, *, conversation=NOT_FOUND, report=None, unblock=None):
    """A signed-in persona's outcomes: their own conversations, blocks and the search
    always answer (with what they may read)."""
    return {
        "directory": directory,
        "directory_communities": OK,
        "member": member,
        "member_photo": member,
        "conversations": OK,
        "conversation": conversation,
        "search": OK,
        "blocks": OK,
        "reply": conversation,
        "archive": conversation,
        "report": report or conversation,
        "start": start,
        "block": block,
        "unblock": unblock or NOT_FOUND,
    }


_STAFF = _social(OK, OK, FORBIDDEN, OK)
_OTHER_STAFF = _social(OK, NOT_FOUND, FORBIDDEN, NOT_FOUND)
_OUTSIDE = _social(FORBIDDEN, NOT_FOUND, FORBIDDEN, NOT_FOUND)
SOCIAL_MATRIX = {
    "anonymous": dict.fromkeys(SOCIAL_ENDPOINTS, UNAUTHORIZED),
    # Jeanne may not block herself: she is nobody she could block.
    "jeanne_resident": _social(OK, OK, OK, NOT_FOUND, conversation=OK),
    # Paul may not report his own message, and he unblocks Dieter.
    "paul_neighbour": _social(
        OK, OK, OK, OK, conversation=OK, report=NOT_FOUND, unblock=NO_CONTENT
    ),
    "suspended_neighbour": _social(OK, OK, REFUSED, OK),
    "lucie_tuileries": _social(OK, NOT_FOUND, REFUSED, NOT_FOUND),
    "dieter_didenheim": _social(OK, NOT_FOUND, REFUSED, NOT_FOUND),
    "pierre_pending": _OUTSIDE,
    "charlie_outsider": _OUTSIDE,
    "marc_moderator": _STAFF,
    "alice_editor": _STAFF,
    "police": _STAFF,
    "diane_moderator": _OTHER_STAFF,
    "other_police": _OTHER_STAFF,
}
STAFF_OF_CADAUJAC = {"marc_moderator", "alice_editor", "police"}
IN_CONVERSATION = {"jeanne_resident", "paul_neighbour"}
READS_LADDER = {"jeanne_resident", "paul_neighbour", "suspended_neighbour"} | STAFF_OF_CADAUJAC


@pytest.fixture
def social_world(
    jeanne_resident,
    paul_neighbour,
    suspended_neighbour,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
    charlie_outsider,
    marc_moderator,
    alice_editor,
    diane_moderator,
    police,
    other_police,
    private_storage,
):
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from accounts.models import Visibility
    from accounts.profiles import profile_photo_prepare, profile_update
    from messaging.services import conversation_start, member_block, message_send

    buffer = BytesIO()
    Image.new("RGB", (80, 60), "#3a7d44").save(buffer, "JPEG")
    profile_update(
        user=jeanne_resident,
        photo=profile_photo_prepare(
            SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
        ),
        photo_visibility=Visibility.NEIGHBOURS,
        email_visibility=Visibility.NOBODY,
    )
    conversation = conversation_start(
        author=jeanne_resident,
        recipients=[paul_neighbour],
        text="Bonjour Paul, l'escabeau est à vous quand vous voulez.",
    )
    answer = message_send(conversation=conversation, author=paul_neighbour, text=MESSAGE)
    member_block(blocker=paul_neighbour, blocked=dieter_didenheim)
    gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title=LADDER,
        body="À venir chercher le samedi matin, chemin des Vignes.",
    )
    return {
        "jeanne": jeanne_resident,
        "paul": paul_neighbour,
        "dieter": dieter_didenheim,
        "conversation": conversation,
        "answer": answer,
    }


def _social_call(client, endpoint, world, token):
    headers = {"X-Session-Token": token} if token else {}
    jeanne, conversation = world["jeanne"].pk, world["conversation"].pk

    def send(method, url, data=None):
        return getattr(client, method)(
            url, json.dumps(data or {}), content_type="application/json", headers=headers
        )

    return {
        "directory": lambda: client.get("/api/v1/directory/", headers=headers),
        "directory_communities": lambda: client.get(
            "/api/v1/directory/communities", headers=headers
        ),
        "member": lambda: client.get(f"/api/v1/directory/{jeanne}", headers=headers),
        "member_photo": lambda: client.get(f"/api/v1/directory/{jeanne}/photo", headers=headers),
        "conversations": lambda: client.get("/api/v1/conversations/", headers=headers),
        "conversation": lambda: client.get(
            f"/api/v1/conversations/{conversation}", headers=headers
        ),
        "search": lambda: client.get("/api/v1/search/", {"q": "échelle"}, headers=headers),
        "blocks": lambda: client.get("/api/v1/blocks/", headers=headers),
        "reply": lambda: send(
            "post", f"/api/v1/conversations/{conversation}/messages", {"text": "Parfait, merci."}
        ),
        "archive": lambda: send("post", f"/api/v1/conversations/{conversation}/archive"),
        "report": lambda: send(
            "post",
            f"/api/v1/conversations/{conversation}/messages/{world['answer'].pk}/report",
            {"reason": "Ce message me met mal à l'aise."},
        ),
        "start": lambda: send(
            "post",
            "/api/v1/conversations/",
            {"recipients": [jeanne, world["paul"].pk], "text": "Une question sur l'échelle."},
        ),
        "block": lambda: send("post", "/api/v1/blocks/", {"member_id": jeanne}),
        "unblock": lambda: send("delete", f"/api/v1/blocks/{world['dieter'].pk}"),
    }[endpoint]()


def _social_outcome(response) -> str:
    if response.status_code == 204:
        return NO_CONTENT
    return _outcome(response)


@pytest.mark.parametrize("persona", list(SOCIAL_MATRIX))
def test_api_directory_messaging_and_search_access_matrix(
    request, client, sign_in, social_world, persona
):
    """Each persona against every endpoint of the directory, conversations, blocks and
    search, in this order (reads, then writes); and which details each answer reveals."""
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    token = app_token(client, sign_in, user) if user is not None else None

    responses = {
        endpoint: _social_call(client, endpoint, social_world, token)
        for endpoint in SOCIAL_ENDPOINTS
    }
    outcomes = {endpoint: _social_outcome(response) for endpoint, response in responses.items()}

    assert outcomes == SOCIAL_MATRIX[persona]
    bodies = {
        endpoint: json.dumps(response.json(), ensure_ascii=False)
        for endpoint, response in responses.items()
        if "json" in response.get("Content-Type", "")
    }
    for endpoint, body in bodies.items():
        # Jeanne's address for the mairie's staff, her e-mail for herself only, the
        # conversation for its two participants, the ladder for those who read the post.
        in_directory = endpoint in {"directory", "member"}
        assert (ADDRESS in body) == (
            in_directory and persona in STAFF_OF_CADAUJAC | {"jeanne_resident"}
        ), endpoint
        assert (EMAIL in body) == (in_directory and persona == "jeanne_resident"), endpoint
        assert (MESSAGE in body) == (
            endpoint in {"conversations", "conversation"} and persona in IN_CONVERSATION
        ), endpoint
        if endpoint == "search":
            assert (LADDER in body) == (persona in READS_LADDER), persona
    if outcomes["member_photo"] == OK:
        assert responses["member_photo"]["Content-Type"] == "image/jpeg"
