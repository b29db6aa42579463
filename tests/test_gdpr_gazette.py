"""GDPR: a member's gazette posts, photos and comments are in their export and go with them.

Jeanne posted a loan (with a photo taken on her phone) and commented on Paul's post; Paul
commented under hers. Her export holds her words and her photo, never Paul's. Erasing her
account deletes her post, its photo file and her comments: no page, listing or table keeps
them. A mairie communication written by a staff member is the commune's, and stays.
"""

import io
import json
import os
import zipfile

import pytest
from django.test import Client
from wagtail.models import PageLogEntry, Revision

from accounts.gdpr import account_erase
from gazette.models import Comment, GazetteCategory, GazetteIndexPage, GazettePhoto, GazettePost
from gazette.services import PhotoUpload, comment_create, gazette_post_create
from tests.conftest import PASSWORD
from tests.test_gazette_publishing import jpeg_upload
from tests.test_gdpr_export_erase import _personal_values_in_database

HOST = "cadaujac.localhost"
JEANNE_TITLE = "Je prête ma tondeuse Husqvarna"
JEANNE_BODY = "Tondeuse thermique, à venir chercher au 12 chemin des Vignes."
JEANNE_COMMENT = "Je peux aussi prêter le bidon d'essence, Paul."
PAUL_TITLE = "Perceuse à emprunter"
PAUL_BODY = "Quelqu'un aurait-il une perceuse à percussion pour samedi ?"
PAUL_COMMENT = "Je passe la prendre dimanche, merci Jeanne !"
PAUL_OWN_COMMENT = "Précision : pour du béton."


@pytest.fixture
def gazette(jeanne_resident, paul_neighbour, private_storage):
    jeannes = gazette_post_create(
        author=jeanne_resident,
        category=GazetteCategory.LOAN,
        title=JEANNE_TITLE,
        body=JEANNE_BODY,
        photos=[PhotoUpload(file=jpeg_upload(size=(120, 90)), alt_text="La tondeuse rouge")],
    )
    pauls = gazette_post_create(
        author=paul_neighbour, category=GazetteCategory.HELP, title=PAUL_TITLE, body=PAUL_BODY
    )
    comment_create(post=pauls, author=jeanne_resident, text=JEANNE_COMMENT)
    comment_create(post=jeannes, author=paul_neighbour, text=PAUL_COMMENT)
    comment_create(post=pauls, author=paul_neighbour, text=PAUL_OWN_COMMENT)
    return {"jeanne": jeannes, "paul": pauls}


def _signed_in(sign_in, user):
    return sign_in(Client(HTTP_HOST=HOST), user)


def _export(client):
    response = client.get("/compte/donnees/")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return archive, json.loads(archive.read("data.json"))


def test_export_holds_the_members_posts_photos_and_comments(sign_in, jeanne_resident, gazette):
    archive, data = _export(_signed_in(sign_in, jeanne_resident))

    [post] = data["gazette"]["posts"]
    assert (post["title"], post["text"]) == (JEANNE_TITLE, JEANNE_BODY)
    assert post["category"] == GazetteCategory.LOAN
    assert post["commune"] == "Cadaujac"
    assert post["communities"] == ["Centre-bourg"]
    assert post["published"] is True
    assert post["first_published_at"]
    [photo] = post["photos"]
    assert photo["alt_text"] == "La tondeuse rouge"
    stored = GazettePhoto.objects.get(post=gazette["jeanne"]).file
    assert archive.read(photo["file"]) == stored.open("rb").read()
    [comment] = data["gazette"]["comments"]
    assert comment["text"] == JEANNE_COMMENT
    assert comment["post"] == gazette["paul"].pk
    assert comment["created_at"]


def test_export_holds_nothing_of_other_members_gazette(sign_in, jeanne_resident, gazette):
    archive, data = _export(_signed_in(sign_in, jeanne_resident))
    text = json.dumps(data, ensure_ascii=False)

    for theirs in (PAUL_BODY, PAUL_COMMENT, PAUL_OWN_COMMENT):
        assert theirs not in text
    assert [p["title"] for p in data["gazette"]["posts"]] == [JEANNE_TITLE]
    # Her one photo, and no file of anyone else's.
    assert [n for n in archive.namelist() if n.startswith("files/gazette-")] == [
        f"files/gazette-{gazette['jeanne'].pk}-photo-1.jpg"
    ]


def test_erasure_removes_the_members_posts_photos_and_comments(
    sign_in, jeanne_resident, paul_neighbour, gazette, private_storage
):
    jeannes, pauls = gazette["jeanne"], gazette["paul"]
    photo_path = GazettePhoto.objects.get(post=jeannes).file.path
    post_url = jeannes.url
    paul = _signed_in(sign_in, paul_neighbour)
    index_url = GazetteIndexPage.objects.get().url
    # The checks below can fail: before erasure, Paul reads her post in his gazette.
    assert JEANNE_TITLE in paul.get(index_url).content.decode()
    assert paul.get(post_url).status_code == 200
    assert _personal_values_in_database([JEANNE_TITLE, JEANNE_BODY, JEANNE_COMMENT])

    response = _signed_in(sign_in, jeanne_resident).post(
        "/compte/supprimer/", {"confirm": "on", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert not GazettePost.objects.filter(pk=jeannes.pk).exists()
    assert not Comment.objects.filter(text=JEANNE_COMMENT).exists()
    assert not GazettePhoto.objects.filter(post_id=jeannes.pk).exists()
    assert not os.path.exists(photo_path)
    assert [p for p in private_storage.rglob("*") if p.is_file() and "gazette" in p.parts] == []
    # No page, listing, revision, log or search index keeps her words.
    assert _personal_values_in_database([JEANNE_TITLE, JEANNE_BODY, JEANNE_COMMENT]) == []
    assert not Revision.page_revisions.filter(object_id=str(jeannes.pk)).exists()
    assert not PageLogEntry.objects.filter(page_id=jeannes.pk).exists()
    listing = paul.get(index_url).content.decode()
    assert JEANNE_TITLE not in listing
    assert PAUL_TITLE in listing
    assert paul.get(post_url).status_code == 404
    assert paul.get("/publier/mes-publications/").status_code == 200
    # Paul's own post and comment stay; his comment under her post went with it.
    page = paul.get(pauls.url).content.decode()
    assert PAUL_OWN_COMMENT in page
    assert JEANNE_COMMENT not in page
    assert not Comment.objects.filter(text=PAUL_COMMENT).exists()


def test_erasure_keeps_the_mairies_communications_without_their_writer(
    alice_editor, cadaujac, centre_bourg, private_storage
):
    communication = gazette_post_create(
        author=alice_editor,
        commune=cadaujac,
        category=GazetteCategory.MAIRIE,
        title="Fermeture de la mairie le 14 juillet",
        body="La mairie sera fermée le 14 juillet.",
        audience="commune",
    )

    account_erase(user=alice_editor)

    communication.refresh_from_db()
    assert communication.live
    assert communication.author is None


def test_erasure_removes_a_post_still_waiting_for_approval(
    cadaujac, jeanne_resident, marc_moderator, private_storage
):
    from wagtail.models import WorkflowState

    from communities.models import ModerationPolicy

    cadaujac.gazette_moderation_policy = ModerationPolicy.PRE
    cadaujac.save()
    waiting = gazette_post_create(
        author=jeanne_resident, category=GazetteCategory.OTHER, title=JEANNE_TITLE, body=JEANNE_BODY
    )
    assert WorkflowState.objects.for_instance(waiting).active().exists()

    account_erase(user=jeanne_resident)

    assert not GazettePost.objects.filter(pk=waiting.pk).exists()
    assert not WorkflowState.objects.filter(object_id=str(waiting.pk)).exists()
    assert _personal_values_in_database([JEANNE_TITLE, JEANNE_BODY]) == []
