"""An app publishes in the gazette as the site's form does: the same services, the same
refusals (per field, in French, nothing stored), the same moderation; a report reaches the
mairie's queue; nobody edits or deletes someone else's post."""

import html
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from gazette.models import Comment, GazetteCategory, GazettePhoto, GazettePost
from gazette.services.posts import gazette_post_create
from moderation.models import Report
from tests.api_tokens import app_token
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

GAZETTE = "/api/v1/gazette/"
QUEUE = "/admin/signalements/"


def jpeg(name="chat.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", (800, 600), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _form(**overrides):
    data = {
        "category": GazetteCategory.LOST_FOUND,
        "title": "Chat tigré perdu",
        "body": "Mon chat Pilou a disparu rue des Vignes. Merci de regarder vos garages.",
        "audience": "community",
    }
    data.update(overrides)
    return data


def _app(sign_in, user) -> Client:
    client = Client(HTTP_HOST=CADAUJAC_HOST)
    client.defaults["HTTP_X_SESSION_TOKEN"] = app_token(client, sign_in, user)
    return client


@pytest.fixture
def jeanne_app(sign_in, jeanne_resident):
    return _app(sign_in, jeanne_resident)


@pytest.fixture
def paul_app(sign_in, paul_neighbour):
    return _app(sign_in, paul_neighbour)


def test_a_post_created_by_an_app_appears_in_the_sites_gazette(
    jeanne_app, paul_neighbour, centre_bourg, private_storage
):
    response = jeanne_app.post(
        GAZETTE, _form(photos=[jpeg()], photo_alts=["Chat tigré aux yeux verts"])
    )

    assert response.status_code == 201, response.content
    answer = response.json()
    post = GazettePost.objects.get()
    assert (answer["id"], answer["live"]) == (post.pk, True)
    assert answer["detail"] == "Votre publication est dans la gazette."
    assert post.author.email == "jeanne@cadaujac.test"
    assert list(post.communities.all()) == [centre_bourg]
    photo = GazettePhoto.objects.get(post=post)
    assert photo.alt_text == "Chat tigré aux yeux verts"
    reader = Client(HTTP_HOST=CADAUJAC_HOST)
    reader.force_login(paul_neighbour)
    gazette = html.unescape(reader.get("/gazette/").content.decode())
    assert "Chat tigré perdu" in gazette
    assert reader.get(post.url).status_code == 200


def test_where_the_mairie_reads_first_an_apps_post_waits_for_its_decision(
    jeanne_app, paul_neighbour, cadaujac
):
    cadaujac.gazette_moderation_policy = "pre"
    cadaujac.save()

    response = jeanne_app.post(GAZETTE, _form())

    assert response.status_code == 201, response.content
    assert response.json()["live"] is False
    assert "La mairie relit les publications" in response.json()["detail"]
    post = GazettePost.objects.get()
    assert not post.live
    assert post.current_workflow_state is not None
    assert not GazettePost.objects.visible_to(paul_neighbour).exists()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"title": "   "}, "title", "Donnez un titre à votre publication."),
        ({"body": ""}, "body", "Écrivez le texte de votre publication."),
        ({"category": "mairie"}, "category", "Choisissez une des catégories proposées."),
        ({"expires_on": "2001-01-01"}, "expires_on", "La date d'expiration doit être dans"),
        ({"audience": "everyone"}, "audience", "Choisissez une valeur de la liste."),
        ({"category": "nope"}, "category", "Choisissez une valeur de la liste."),
        (
            {"photos": [SimpleUploadedFile("chat.jpg", b"%PDF-1.4 not a photo")]},
            "photos",
            "n'est pas une photo",
        ),
        (
            {"body": "Nous partons du 12 au 26 août, la maison sera vide."},
            "body",
            "",
        ),
    ],
)
def test_bad_input_is_refused_per_field_in_french_and_nothing_is_stored(
    jeanne_app, private_storage, overrides, field, message
):
    response = jeanne_app.post(GAZETTE, _form(**overrides))

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = {error["field"]: error["detail"] for error in response.json()["errors"]}
    assert field in errors, errors
    assert message in errors[field]
    assert not GazettePost.objects.exists()
    assert not GazettePhoto.objects.exists()


def test_the_author_edits_their_post_and_removes_a_photo(jeanne_app, private_storage):
    created = jeanne_app.post(GAZETTE, _form(photos=[jpeg(), jpeg("b.jpg")])).json()
    first_photo = created["photos"][0]["id"]

    response = jeanne_app.post(
        f"{GAZETTE}{created['id']}",
        _form(title="Chat tigré retrouvé", audience="commune", remove_photos=[first_photo]),
    )

    assert response.status_code == 200, response.content
    post = GazettePost.objects.get()
    assert post.title == "Chat tigré retrouvé"
    assert list(post.communities.all()) == []
    assert [photo["id"] for photo in response.json()["photos"]] == [
        photo.pk for photo in post.photos.all()
    ]
    assert first_photo not in [photo.pk for photo in post.photos.all()]


def test_editing_or_deleting_someone_elses_post_is_refused_and_changes_nothing(
    jeanne_resident, paul_app
):
    post = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOST_FOUND,
        title="Chat tigré perdu",
        body="Il a un collier rouge.",
    )
    missing = paul_app.post(f"{GAZETTE}999999", _form(title="Vendu"))

    edit = paul_app.post(f"{GAZETTE}{post.pk}", _form(title="Vendu"))
    delete = paul_app.delete(f"{GAZETTE}{post.pk}")

    # As for a post that does not exist: nothing says whose post it is.
    assert edit.status_code == delete.status_code == missing.status_code == 404
    assert edit.json() == missing.json()
    post.refresh_from_db()
    assert post.title == "Chat tigré perdu"
    assert post.body == "Il a un collier rouge."


def test_a_refused_edit_changes_nothing(jeanne_app, private_storage):
    created = jeanne_app.post(GAZETTE, _form()).json()

    response = jeanne_app.post(f"{GAZETTE}{created['id']}", _form(title="", body="Vendu"))

    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"title"}
    post = GazettePost.objects.get()
    assert (post.title, post.body) == ("Chat tigré perdu", _form()["body"])


def test_the_author_deletes_their_post(jeanne_app, paul_neighbour):
    created = jeanne_app.post(GAZETTE, _form()).json()

    response = jeanne_app.delete(f"{GAZETTE}{created['id']}")

    assert response.status_code == 204
    assert not GazettePost.objects.exists()
    assert jeanne_app.get(f"{GAZETTE}{created['id']}").status_code == 404


def test_a_comment_by_an_app_shows_under_the_post_on_the_site(
    jeanne_resident, paul_app, paul_neighbour
):
    post = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOST_FOUND,
        title="Chat tigré perdu",
        body="Il a un collier rouge.",
    )

    empty = paul_app.post(
        f"{GAZETTE}{post.pk}/comments", json.dumps({"text": "  "}), "application/json"
    )
    response = paul_app.post(
        f"{GAZETTE}{post.pk}/comments",
        json.dumps({"text": "Je l'ai vu près de l'école ce matin."}),
        "application/json",
    )

    assert empty.status_code == 422
    assert empty.json()["errors"] == [{"field": "text", "detail": "Écrivez votre commentaire."}]
    assert response.status_code == 201
    assert Comment.objects.get().author == paul_neighbour
    reader = Client(HTTP_HOST=CADAUJAC_HOST)
    reader.force_login(jeanne_resident)
    assert "Je l'ai vu près de l'école ce matin." in html.unescape(
        reader.get(post.url).content.decode()
    )


def test_reports_by_an_app_reach_the_moderation_queue(
    client, sign_in, jeanne_resident, paul_app, paul_neighbour, marc_moderator
):
    post = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.CLASSIFIED,
        title="Vends vélo enfant",
        body="Vélo 16 pouces, bon état, 30 euros.",
    )
    comment = Comment.objects.create(post=post, author=jeanne_resident, text="Toujours dispo !")

    empty = paul_app.post(
        f"{GAZETTE}{post.pk}/report", json.dumps({"reason": ""}), "application/json"
    )
    reported = paul_app.post(
        f"{GAZETTE}{post.pk}/report", json.dumps({"reason": "Vente interdite."}), "application/json"
    )
    again = paul_app.post(
        f"{GAZETTE}{post.pk}/report", json.dumps({"reason": "Encore."}), "application/json"
    )
    on_comment = paul_app.post(
        f"{GAZETTE}comments/{comment.pk}/report",
        json.dumps({"reason": "Hors sujet."}),
        "application/json",
    )

    assert empty.status_code == 422
    assert empty.json()["errors"][0]["field"] == "reason"
    assert reported.status_code == on_comment.status_code == 201
    assert reported.json()["detail"].startswith("Merci : votre signalement est transmis")
    assert again.status_code == 422
    assert "déjà signalé" in again.json()["detail"]
    assert Report.objects.count() == 2
    sign_in(client, marc_moderator)
    queue = html.unescape(client.get(QUEUE).content.decode())
    assert "Vends vélo enfant" in queue
    assert "Toujours dispo !" in queue
