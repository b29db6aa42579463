"""Mairie staff reach, in the Wagtail admin, their own commune's content and nothing else.

Every refusal is paired with the same request on the actor's own commune, which must succeed:
a test that could not fail would prove nothing. Wagtail answers a refused page or media action
with a redirect to the dashboard (its handling of PermissionDenied); our own screens answer 404
for another commune's records, as if they did not exist.
"""

import json
from io import BytesIO

import pytest
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.test import Client
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.log_actions import log
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Locale,
    Page,
    WorkflowPage,
)
from wagtail.test.utils.form_data import querydict_from_html
from wagtail_localize.models import Translation, TranslationSource

from communities.models import Commune, Community, ModerationPolicy
from gazette.models import GazetteCategory, GazetteIndexPage
from gazette.services import gazette_post_create
from home.models import CommuneHomePage
from mairie_pages.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    EventIndexPage,
    EventPage,
    StandardPage,
)

ADMIN_HOME = "/admin/"
Image = get_image_model()
Document = get_document_model()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _png(name):
    buffer = BytesIO()
    PILImage.new("RGB", (2, 2), "#1d4e89").save(buffer, "PNG")
    return ImageFile(BytesIO(buffer.getvalue()), name=name)


class Tree:
    """A commune's admin content: live and draft pages, an image, a document, a community."""

    def __init__(self, commune, label):
        self.commune = commune
        self.label = label
        self.home = commune.site.root_page.specific
        self.news = AnnouncementIndexPage.objects.child_of(self.home).get()
        self.agenda = EventIndexPage.objects.child_of(self.home).get()
        self.announcement = self.news.add_child(
            instance=AnnouncementPage(
                title=f"Annonce de {label}", slug="annonce", summary=f"Résumé {label}"
            )
        )
        self.council = self.home.add_child(
            instance=StandardPage(title=f"Conseil municipal de {label}", slug="conseil")
        )
        self.draft = self.home.add_child(
            instance=StandardPage(
                title=f"Brouillon secret de {label}", slug="brouillon", live=False
            )
        )
        self.draft.save_revision()
        self.image = Image.objects.create(
            title=f"Photo de {label}", file=_png(f"{label}.png"), collection=commune.collection
        )
        self.document = Document.objects.create(
            title=f"Compte rendu de {label}",
            file=ContentFile(b"%PDF-1.4 compte rendu", name=f"{label}.pdf"),
            collection=commune.collection,
        )
        self.community = Community.objects.create(
            commune=commune, name=f"Quartier de {label}", slug="quartier"
        )

    def reload(self, obj):
        return type(obj).objects.filter(pk=obj.pk).first()

    @property
    def page_titles(self):
        return [self.announcement.title, self.council.title, self.draft.title]


@pytest.fixture
def trees(cadaujac, didenheim):
    return {"cadaujac": Tree(cadaujac, "Cadaujac"), "didenheim": Tree(didenheim, "Didenheim")}


@pytest.fixture
def platform_client(platform_admin, sign_in):
    """A second browser, the platform team's, used to read valid form data for any page."""
    return sign_in(Client(), platform_admin)


@pytest.fixture
def form_data(platform_client):
    def read(url, form_id="page-edit-form", **changes):
        response = platform_client.get(url)
        assert response.status_code == 200, url
        data = querydict_from_html(response.content.decode(), form_id=form_id)
        data.setdefault("body-count", "0")
        data.update(changes)
        return data

    return read


@pytest.fixture
def login(client, request, sign_in):
    def as_(persona):
        return sign_in(client, request.getfixturevalue(persona))

    return as_


def assert_refused_by_wagtail(response):
    assert response.status_code == 302, response.status_code
    assert response["Location"] == ADMIN_HOME


def assert_not_found(response):
    assert response.status_code == 404, response.status_code


def body(response):
    return response.content.decode()


CROSS_COMMUNE = [
    pytest.param("alice_editor", "didenheim", id="cadaujac_editor-on-didenheim"),
    pytest.param("bob_editor", "cadaujac", id="didenheim_editor-on-cadaujac"),
    pytest.param("arnaud_admin", "didenheim", id="cadaujac_admin-on-didenheim"),
]
OWN_COMMUNE = [
    pytest.param("alice_editor", "cadaujac", id="cadaujac_editor-on-cadaujac"),
    pytest.param("arnaud_admin", "cadaujac", id="cadaujac_admin-on-cadaujac"),
    pytest.param("platform_admin", "didenheim", id="platform-on-didenheim"),
]
OTHER = {"cadaujac": "didenheim", "didenheim": "cadaujac"}


# --- Pages: reading ---------------------------------------------------------------------------

PAGE_SCREENS = {
    "edit": lambda t: f"/admin/pages/{t.council.pk}/edit/",
    "history": lambda t: f"/admin/pages/{t.council.pk}/history/",
    "revision": lambda t: f"/admin/pages/{t.draft.pk}/revisions/{t.draft.latest_revision_id}/view/",
    "view_draft": lambda t: f"/admin/pages/{t.draft.pk}/view_draft/",
    "usage": lambda t: f"/admin/pages/{t.council.pk}/usage/",
    "move": lambda t: f"/admin/pages/{t.council.pk}/move/",
    "copy": lambda t: f"/admin/pages/{t.council.pk}/copy/",
    "delete": lambda t: f"/admin/pages/{t.council.pk}/delete/",
    "unpublish": lambda t: f"/admin/pages/{t.council.pk}/unpublish/",
    "add_form": lambda t: f"/admin/pages/add/mairie_pages/standardpage/{t.home.pk}/",
}


@pytest.mark.parametrize("screen", PAGE_SCREENS)
@pytest.mark.parametrize(("persona", "commune"), CROSS_COMMUNE)
def test_staff_cannot_open_page_screens_of_another_commune(login, trees, persona, commune, screen):
    response = login(persona).get(PAGE_SCREENS[screen](trees[commune]))
    assert_refused_by_wagtail(response)


@pytest.mark.parametrize("screen", PAGE_SCREENS)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE)
def test_staff_can_open_page_screens_of_their_commune(login, trees, persona, commune, screen):
    response = login(persona).get(PAGE_SCREENS[screen](trees[commune]))
    assert response.status_code == 200


def test_choosing_a_page_type_is_refused_under_another_communes_home(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]
    client = login("alice_editor")

    assert_refused_by_wagtail(client.get(f"/admin/pages/{other.home.pk}/add_subpage/"))
    response = client.get(f"/admin/pages/{own.home.pk}/add_subpage/")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/add/mairie_pages/standardpage/{own.home.pk}/"


def test_explorer_sends_staff_from_another_communes_home_back_to_their_own(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]
    client = login("alice_editor")

    response = client.get(f"/admin/pages/{other.home.pk}/")

    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{own.home.pk}/"
    listing = body(client.get(response["Location"]))
    assert own.council.title in listing
    assert own.draft.title in listing
    for title in other.page_titles:
        assert title not in listing


def test_explorer_root_shows_staff_only_their_communes_home(login, trees):
    response = login("bob_editor").get("/admin/pages/", follow=True)

    assert response.redirect_chain == [(f"/admin/pages/{trees['didenheim'].home.pk}/", 302)]
    listing = body(response)
    assert trees["didenheim"].council.title in listing
    assert trees["cadaujac"].council.title not in listing


def test_platform_team_explores_every_commune(login, trees):
    listing = body(login("platform_admin").get(f"/admin/pages/{Page.get_first_root_node().pk}/"))

    assert "Cadaujac" in listing
    assert "Didenheim" in listing


@pytest.mark.parametrize(
    "url",
    [
        "/admin/pages/search/?q=Conseil",
        "/admin/pages/search/?q=Brouillon",
        "/admin/choose-page/search/?q=Conseil",
        "/admin/choose-page/search/?q=Brouillon",
    ],
)
def test_page_search_and_chooser_search_find_only_own_communes_pages(login, trees, url):
    results = body(login("alice_editor").get(url))

    own, other = trees["cadaujac"], trees["didenheim"]
    word = url.rsplit("=", 1)[1]
    assert next(t for t in own.page_titles if t.startswith(word)) in results
    for title in other.page_titles:
        assert title not in results


def test_page_chooser_browses_only_own_communes_tree(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]
    client = login("alice_editor")

    root = body(client.get("/admin/choose-page/"))
    inside_other = body(client.get(f"/admin/choose-page/{other.home.pk}/"))
    inside_own = body(client.get(f"/admin/choose-page/{own.home.pk}/"))

    assert f"/admin/choose-page/{own.home.pk}/" in root
    assert f"/admin/choose-page/{other.home.pk}/" not in root
    for title in other.page_titles:
        assert title not in inside_other
    assert own.council.title in inside_own
    assert own.draft.title in inside_own


def test_page_chooser_does_not_describe_another_communes_page_by_id(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]

    response = login("alice_editor").get(
        f"/admin/choose-page/chosen-multiple/?id={other.draft.pk}&id={own.draft.pk}"
    )

    chosen = json.loads(body(response))["result"]
    assert [page["id"] for page in chosen] == [own.draft.pk]


@pytest.fixture
def gazette_posts(trees, jeanne_resident, dieter_didenheim):
    """In each commune, a resident's post for their own community only (members' content)."""
    for tree, author in (
        (trees["cadaujac"], jeanne_resident),
        (trees["didenheim"], dieter_didenheim),
    ):
        tree.post = gazette_post_create(
            author=author,
            category=GazetteCategory.HELP,
            title=f"Entraide de quartier à {tree.label}",
            body="Qui peut m'aider à tailler la haie samedi ?",
        )
        assert tree.post.communities.exists()
    return trees


CHOSEN_PAGES = {
    "community_gazette_post": lambda t: t.post,
    "draft": lambda t: t.draft,
    "published_page": lambda t: t.council,
    "home": lambda t: t.home,
}


@pytest.mark.parametrize("page", CHOSEN_PAGES)
@pytest.mark.parametrize(("persona", "commune"), CROSS_COMMUNE)
def test_page_chooser_answers_404_on_another_communes_page(
    login, gazette_posts, persona, commune, page
):
    target = CHOSEN_PAGES[page](gazette_posts[commune])

    response = login(persona).get(f"/admin/choose-page/{target.pk}/")

    assert_not_found(response)
    assert target.title not in body(response)


@pytest.mark.parametrize("page", CHOSEN_PAGES)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE)
def test_page_chooser_opens_own_communes_page(login, gazette_posts, persona, commune, page):
    target = CHOSEN_PAGES[page](gazette_posts[commune])

    response = login(persona).get(f"/admin/choose-page/{target.pk}/")

    assert response.status_code == 200
    assert target.title in json.loads(body(response))["html"]


def test_page_chooser_search_finds_only_own_communes_posts_and_drafts(login, gazette_posts):
    own, other = gazette_posts["cadaujac"], gazette_posts["didenheim"]
    client = login("alice_editor")

    posts = body(client.get("/admin/choose-page/search/?q=Entraide"))
    drafts = body(client.get("/admin/choose-page/search/?q=Brouillon"))

    assert own.post.title in posts
    assert other.post.title not in posts
    assert own.draft.title in drafts
    assert other.draft.title not in drafts


def test_page_chooser_by_type_starts_within_own_commune(login, trees, dieter_didenheim):
    # Only Didenheim has gazette posts: Wagtail would open the chooser on Didenheim's gazette.
    gazette_post_create(
        author=dieter_didenheim,
        category=GazetteCategory.HELP,
        title="Entraide à Didenheim",
        body="Qui peut m'aider à tailler la haie samedi ?",
    )
    other_gazette = GazetteIndexPage.objects.descendant_of(trees["didenheim"].home).get()

    response = login("alice_editor").get("/admin/choose-page/?page_type=gazette.gazettepost")

    assert response.status_code == 200
    assert json.loads(body(response))["parent_page_id"] != other_gazette.pk
    assert f"/admin/choose-page/{other_gazette.pk}/" not in body(response)


def test_admin_page_api_lists_only_own_communes_pages(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]
    client = login("alice_editor")

    refused = client.get(f"/admin/api/main/pages/?child_of={other.home.pk}&for_explorer=1")
    detail = client.get(f"/admin/api/main/pages/{other.draft.pk}/")
    listed = client.get(f"/admin/api/main/pages/?child_of={own.home.pk}&for_explorer=1")

    assert refused.status_code == 400
    assert detail.status_code == 404
    titles = {item["title"] for item in listed.json()["items"]}
    assert {own.council.title, own.draft.title} <= titles
    assert not titles & set(other.page_titles)


# --- Pages: writing ---------------------------------------------------------------------------


class PageWrite:
    """An attempt on a commune's pages, and how to tell that it took effect."""

    def __init__(self, attempt, happened):
        self.attempt = attempt
        self.happened = happened


def _save_draft(client, tree, form_data):
    url = f"/admin/pages/{tree.council.pk}/edit/"
    return client.post(url, form_data(url, title="Titre modifié"))


def _publish(client, tree, form_data):
    url = f"/admin/pages/{tree.draft.pk}/edit/"
    return client.post(url, form_data(url, **{"action-publish": "action-publish"}))


def _preview(client, tree, form_data):
    url = f"/admin/pages/{tree.draft.pk}/edit/"
    return client.post(f"{url}preview/", form_data(url, title="Aperçu modifié"))


def _create(client, tree, form_data):
    url = f"/admin/pages/add/mairie_pages/standardpage/{tree.home.pk}/"
    return client.post(url, form_data(url, title="Nouvelle page", slug="nouvelle-page"))


def _copy(client, tree, form_data):
    return client.post(
        f"/admin/pages/{tree.council.pk}/copy/",
        {
            "new_title": "Copie du conseil",
            "new_slug": "copie-conseil",
            "new_parent_page": tree.home.pk,
            "publish_copies": "",
            "alias": "",
        },
    )


PAGE_WRITES = {
    "save_draft": PageWrite(
        _save_draft,
        lambda t: (
            Page.objects.get(pk=t.council.pk).get_latest_revision_as_object().title
            == "Titre modifié"
        ),
    ),
    "publish": PageWrite(_publish, lambda t: Page.objects.get(pk=t.draft.pk).live),
    "preview": PageWrite(_preview, lambda t: None),
    "create": PageWrite(
        _create,
        lambda t: StandardPage.objects.child_of(t.home).filter(slug="nouvelle-page").exists(),
    ),
    "copy": PageWrite(
        _copy, lambda t: Page.objects.child_of(t.home).filter(slug="copie-conseil").exists()
    ),
    "move": PageWrite(
        lambda client, t, _: client.post(f"/admin/pages/{t.draft.pk}/move/{t.council.pk}/confirm/"),
        lambda t: Page.objects.get(pk=t.draft.pk).get_parent().pk == t.council.pk,
    ),
    "unpublish": PageWrite(
        lambda client, t, _: client.post(f"/admin/pages/{t.announcement.pk}/unpublish/"),
        lambda t: not Page.objects.get(pk=t.announcement.pk).live,
    ),
    "lock": PageWrite(
        lambda client, t, _: client.post(f"/admin/pages/{t.council.pk}/lock/"),
        lambda t: Page.objects.get(pk=t.council.pk).locked,
    ),
    "delete": PageWrite(
        lambda client, t, _: client.post(f"/admin/pages/{t.announcement.pk}/delete/"),
        lambda t: not Page.objects.filter(pk=t.announcement.pk).exists(),
    ),
}


@pytest.mark.parametrize("action", PAGE_WRITES)
@pytest.mark.parametrize(("persona", "commune"), CROSS_COMMUNE)
def test_staff_cannot_change_another_communes_pages(
    login, trees, form_data, persona, commune, action
):
    write, tree = PAGE_WRITES[action], trees[commune]
    client = login(persona)

    response = write.attempt(client, tree, form_data)

    assert_refused_by_wagtail(response)
    assert not write.happened(tree)


@pytest.mark.parametrize("action", PAGE_WRITES)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE)
def test_staff_can_change_their_communes_pages(login, trees, form_data, persona, commune, action):
    write, tree = PAGE_WRITES[action], trees[commune]

    response = write.attempt(login(persona), tree, form_data)

    if action == "preview":
        assert response.status_code == 200
        assert response.json()["is_valid"] is True
    else:
        assert response.status_code == 302
        assert write.happened(tree)


def test_staff_cannot_move_their_page_into_another_communes_tree(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]

    response = login("alice_editor").post(
        f"/admin/pages/{own.draft.pk}/move/{other.council.pk}/confirm/"
    )

    assert_refused_by_wagtail(response)
    assert Page.objects.get(pk=own.draft.pk).get_parent().pk == own.home.pk


def test_staff_cannot_copy_their_page_into_another_communes_tree(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]

    response = login("alice_editor").post(
        f"/admin/pages/{own.council.pk}/copy/",
        {
            "new_title": "Copie clandestine",
            "new_slug": "copie-clandestine",
            "new_parent_page": other.home.pk,
        },
    )

    assert response.status_code == 200
    assert "new_parent_page" in response.context["form"].errors
    assert not Page.objects.filter(slug="copie-clandestine").exists()


FORBIDDEN_PAGE_TYPES = [
    pytest.param("mairie_pages", "eventpage", lambda t: t.home, id="event-under-home"),
    pytest.param(
        "mairie_pages", "announcementpage", lambda t: t.home, id="announcement-under-home"
    ),
    pytest.param(
        "mairie_pages", "announcementindexpage", lambda t: t.home, id="second-announcement-index"
    ),
    pytest.param("mairie_pages", "eventindexpage", lambda t: t.home, id="second-event-index"),
    pytest.param("home", "communehomepage", lambda t: t.council, id="commune-home-under-page"),
    pytest.param("mairie_pages", "standardpage", lambda t: t.news, id="standard-page-in-news"),
    pytest.param("mairie_pages", "eventpage", lambda t: t.news, id="event-in-news"),
]


@pytest.mark.parametrize(("app_label", "model", "parent"), FORBIDDEN_PAGE_TYPES)
@pytest.mark.parametrize("persona", ["alice_editor", "arnaud_admin", "platform_admin"])
def test_page_type_rules_refuse_misplaced_pages_even_in_own_commune(
    login, trees, persona, app_label, model, parent
):
    parent_page = parent(trees["cadaujac"])
    url = f"/admin/pages/add/{app_label}/{model}/{parent_page.pk}/"
    before = Page.objects.count()
    client = login(persona)

    assert_refused_by_wagtail(client.get(url))
    assert_refused_by_wagtail(
        client.post(url, {"title": "Page mal placée", "slug": "mal-placee", "body-count": "0"})
    )
    assert Page.objects.count() == before


def test_page_type_rules_match_the_commune_tree(trees):
    tree = trees["cadaujac"]

    assert not CommuneHomePage.can_create_at(tree.council)
    assert not AnnouncementIndexPage.can_create_at(tree.home)
    assert not EventIndexPage.can_create_at(tree.home)
    assert not EventPage.can_create_at(tree.home)
    assert not AnnouncementPage.can_create_at(tree.home)
    assert EventPage.can_create_at(tree.agenda)
    assert AnnouncementPage.can_create_at(tree.news)
    assert StandardPage.can_create_at(tree.home)
    assert StandardPage.can_create_at(tree.council)


@pytest.mark.parametrize("persona", ["alice_editor", "arnaud_admin"])
def test_staff_cannot_add_pages_at_the_root_of_the_tree(login, trees, persona):
    root = Page.get_first_root_node()

    response = login(persona).get(f"/admin/pages/add/home/communehomepage/{root.pk}/")

    assert_refused_by_wagtail(response)


def test_editor_can_add_an_event_to_their_agenda(login, trees, form_data):
    agenda = trees["cadaujac"].agenda
    url = f"/admin/pages/add/mairie_pages/eventpage/{agenda.pk}/"
    data = form_data(
        url,
        title="Fête du village",
        slug="fete",
        start="2030-06-21 18:00",
        location="Place de la mairie",
        summary="Musique et grillades.",
    )

    response = login("alice_editor").post(url, data)

    assert response.status_code == 302
    assert EventPage.objects.child_of(agenda).filter(slug="fete").exists()


BULK_CONFIRMATIONS = {
    "pages_all": ("/admin/bulk/wagtailcore/page/delete/?id=all", lambda t: t.council.title),
    "pages_by_id": (
        "/admin/bulk/wagtailcore/page/unpublish/?id={own.council.pk}&id={other.council.pk}",
        lambda t: t.council.title,
    ),
    "pages_move": (
        "/admin/bulk/wagtailcore/page/move/?id={own.draft.pk}&id={other.draft.pk}",
        lambda t: t.draft.title,
    ),
    "images": (
        "/admin/bulk/wagtailimages/image/delete/?id={own.image.pk}&id={other.image.pk}",
        lambda t: t.image.title,
    ),
    "images_all": ("/admin/bulk/wagtailimages/image/add_tags/?id=all", lambda t: t.image.title),
    "documents": (
        "/admin/bulk/wagtaildocs/document/delete/?id={own.document.pk}&id={other.document.pk}",
        lambda t: t.document.title,
    ),
}


@pytest.mark.parametrize("case", BULK_CONFIRMATIONS)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE[:2])
def test_bulk_action_confirmation_names_only_own_communes_items(
    login, trees, persona, commune, case
):
    own, other = trees[commune], trees[OTHER[commune]]
    url, title = BULK_CONFIRMATIONS[case]

    response = login(persona).get(url.format(own=own, other=other))

    assert response.status_code == 200
    assert title(own) in body(response)
    assert title(other) not in body(response)


def test_bulk_delete_acts_on_own_pages_and_ignores_another_communes(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]

    response = login("alice_editor").post(
        f"/admin/bulk/wagtailcore/page/delete/?id={own.announcement.pk}"
        f"&id={other.announcement.pk}&next=/admin/"
    )

    assert response.status_code == 302
    assert not Page.objects.filter(pk=own.announcement.pk).exists()
    assert Page.objects.filter(pk=other.announcement.pk).exists()


# --- Images and documents ---------------------------------------------------------------------

MEDIA_SCREENS = {
    "image_edit": lambda t: f"/admin/images/{t.image.pk}/",
    "image_delete": lambda t: f"/admin/images/{t.image.pk}/delete/",
    "image_usage": lambda t: f"/admin/images/usage/{t.image.pk}/",
    "image_chosen": lambda t: f"/admin/images/chooser/chosen/{t.image.pk}/",
    "image_preview": lambda t: f"/admin/images/{t.image.pk}/preview/original/",
    "document_edit": lambda t: f"/admin/documents/edit/{t.document.pk}/",
    "document_delete": lambda t: f"/admin/documents/delete/{t.document.pk}/",
    "document_usage": lambda t: f"/admin/documents/usage/{t.document.pk}/",
    "document_chosen": lambda t: f"/admin/documents/chooser/chosen/{t.document.pk}/",
}


@pytest.mark.parametrize("screen", MEDIA_SCREENS)
@pytest.mark.parametrize(("persona", "commune"), CROSS_COMMUNE)
def test_staff_cannot_open_another_communes_images_and_documents(
    login, trees, persona, commune, screen
):
    response = login(persona).get(MEDIA_SCREENS[screen](trees[commune]))
    assert_refused_by_wagtail(response)


@pytest.mark.parametrize("screen", MEDIA_SCREENS)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE)
def test_staff_can_open_their_communes_images_and_documents(login, trees, persona, commune, screen):
    response = login(persona).get(MEDIA_SCREENS[screen](trees[commune]))
    assert response.status_code == 200


MEDIA_WRITES = {
    "image_edit": (
        lambda t: f"/admin/images/{t.image.pk}/",
        {"title": "Titre modifié", "collection": None},
        lambda t: t.reload(t.image).title == "Titre modifié",
    ),
    "image_delete": (
        lambda t: f"/admin/images/{t.image.pk}/delete/",
        {},
        lambda t: t.reload(t.image) is None,
    ),
    "document_edit": (
        lambda t: f"/admin/documents/edit/{t.document.pk}/",
        {"title": "Titre modifié", "collection": None},
        lambda t: t.reload(t.document).title == "Titre modifié",
    ),
    "document_delete": (
        lambda t: f"/admin/documents/delete/{t.document.pk}/",
        {},
        lambda t: t.reload(t.document) is None,
    ),
}


def _media_post(client, tree, action):
    url, data, _happened = MEDIA_WRITES[action]
    if "collection" in data:
        data = {**data, "collection": tree.commune.collection.pk}
    return client.post(url(tree), data)


@pytest.mark.parametrize("action", MEDIA_WRITES)
@pytest.mark.parametrize(("persona", "commune"), CROSS_COMMUNE)
def test_staff_cannot_change_or_delete_another_communes_media(
    login, trees, persona, commune, action
):
    tree = trees[commune]

    response = _media_post(login(persona), tree, action)

    assert_refused_by_wagtail(response)
    assert not MEDIA_WRITES[action][2](tree)


@pytest.mark.parametrize("action", MEDIA_WRITES)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE)
def test_staff_can_change_and_delete_their_communes_media(login, trees, persona, commune, action):
    tree = trees[commune]

    response = _media_post(login(persona), tree, action)

    assert response.status_code == 302
    assert MEDIA_WRITES[action][2](tree)


MEDIA_LISTINGS = [
    "/admin/images/",
    "/admin/images/chooser/",
    "/admin/documents/",
    "/admin/documents/chooser/",
    "/admin/api/main/images/",
    "/admin/api/main/documents/",
]


@pytest.mark.parametrize("url", MEDIA_LISTINGS)
@pytest.mark.parametrize(("persona", "commune"), OWN_COMMUNE[:2])
def test_media_listings_show_only_own_communes_files(login, trees, persona, commune, url):
    own, other = trees[commune], trees[OTHER[commune]]
    kind = "image" if "images" in url else "document"

    listing = body(login(persona).get(url))

    assert getattr(own, kind).title in listing
    assert getattr(other, kind).title not in listing


@pytest.mark.parametrize("url", MEDIA_LISTINGS)
def test_platform_team_lists_every_communes_files(login, trees, url):
    kind = "image" if "images" in url else "document"

    listing = body(login("platform_admin").get(url))

    assert getattr(trees["cadaujac"], kind).title in listing
    assert getattr(trees["didenheim"], kind).title in listing


def test_staff_upload_lands_in_their_own_collection_whatever_is_posted(login, trees):
    own, other = trees["cadaujac"], trees["didenheim"]

    response = login("alice_editor").post(
        "/admin/documents/add/",
        {
            "title": "Dépôt clandestin",
            "collection": other.commune.collection.pk,
            "file": ContentFile(b"contenu", name="depot.txt"),
        },
    )

    assert response.status_code == 302
    assert Document.objects.get(title="Dépôt clandestin").collection == own.commune.collection


# --- Communities ------------------------------------------------------------------------------


def test_administrator_lists_only_their_communes_communities(login, trees):
    listing = body(login("arnaud_admin").get("/admin/communautes/"))

    assert trees["cadaujac"].community.name in listing
    assert trees["didenheim"].community.name not in listing


def test_platform_team_lists_every_communes_communities(login, trees):
    listing = body(login("platform_admin").get("/admin/communautes/"))

    assert trees["cadaujac"].community.name in listing
    assert trees["didenheim"].community.name in listing


COMMUNITY_SCREENS = {
    "edit": lambda c: f"/admin/communautes/edit/{c.pk}/",
    "delete": lambda c: f"/admin/communautes/delete/{c.pk}/",
    "history": lambda c: f"/admin/communautes/history/{c.pk}/",
    "usage": lambda c: f"/admin/communautes/usage/{c.pk}/",
}


@pytest.mark.parametrize("screen", COMMUNITY_SCREENS)
@pytest.mark.parametrize(
    ("persona", "commune"),
    [("arnaud_admin", "didenheim"), ("bertrand_admin", "cadaujac")],
)
def test_administrator_cannot_open_another_communes_community(
    login, trees, persona, commune, screen
):
    response = login(persona).get(COMMUNITY_SCREENS[screen](trees[commune].community))
    assert_not_found(response)


@pytest.mark.parametrize("screen", COMMUNITY_SCREENS)
@pytest.mark.parametrize(
    ("persona", "commune"),
    [("arnaud_admin", "cadaujac"), ("bertrand_admin", "didenheim"), ("platform_admin", "cadaujac")],
)
def test_administrator_can_open_their_communes_community(login, trees, persona, commune, screen):
    response = login(persona).get(COMMUNITY_SCREENS[screen](trees[commune].community))
    assert response.status_code == 200


def _community_form(community, **changes):
    data = {
        "commune": community.commune_id,
        "name": community.name,
        "slug": community.slug,
        "kind": community.kind,
        "description": community.description,
        "boundary": "null",
    }
    data.update(changes)
    return data


def test_administrator_cannot_edit_or_delete_another_communes_community(login, trees):
    community = trees["didenheim"].community
    client = login("arnaud_admin")

    edit = client.post(
        f"/admin/communautes/edit/{community.pk}/",
        _community_form(community, commune=trees["cadaujac"].commune.pk, name="Annexé"),
    )
    delete = client.post(f"/admin/communautes/delete/{community.pk}/")

    assert_not_found(edit)
    assert_not_found(delete)
    community.refresh_from_db()
    assert community.name == "Quartier de Didenheim"
    assert community.commune == trees["didenheim"].commune


def test_administrator_edits_and_deletes_their_communes_community(login, trees):
    community = trees["cadaujac"].community
    client = login("arnaud_admin")

    edit = client.post(
        f"/admin/communautes/edit/{community.pk}/",
        _community_form(community, name="Quartier de la gare"),
    )
    assert edit.status_code == 302
    community.refresh_from_db()
    assert community.name == "Quartier de la gare"

    delete = client.post(f"/admin/communautes/delete/{community.pk}/")
    assert delete.status_code == 302
    assert not Community.objects.filter(pk=community.pk).exists()


def test_community_form_offers_only_the_administrators_communes(login, trees):
    response = login("arnaud_admin").get("/admin/communautes/new/")

    choices = list(response.context["form"].fields["commune"].queryset)
    assert choices == [trees["cadaujac"].commune]


def test_crafted_community_for_another_commune_is_refused(login, trees):
    response = login("arnaud_admin").post(
        "/admin/communautes/new/",
        {
            "commune": trees["didenheim"].commune.pk,
            "name": "Cheval de Troie",
            "slug": "troie",
            "kind": Community.Kind.QUARTIER,
        },
    )

    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    assert not Community.objects.filter(slug="troie").exists()


def test_crafted_move_of_own_community_to_another_commune_is_refused(login, trees):
    community = trees["cadaujac"].community

    response = login("arnaud_admin").post(
        f"/admin/communautes/edit/{community.pk}/",
        _community_form(community, commune=trees["didenheim"].commune.pk),
    )

    assert response.status_code == 200
    assert "commune" in response.context["form"].errors
    community.refresh_from_db()
    assert community.commune == trees["cadaujac"].commune


def test_administrator_creates_a_community_in_their_commune(login, trees):
    response = login("arnaud_admin").post(
        "/admin/communautes/new/",
        {
            "commune": trees["cadaujac"].commune.pk,
            "name": "Hameau de Lestonnat",
            "slug": "lest",
            "kind": Community.Kind.HAMEAU,
        },
    )

    assert response.status_code == 302
    created = Community.objects.get(slug="lest")
    assert created.commune == trees["cadaujac"].commune


@pytest.mark.parametrize("persona", ["alice_editor", "bob_editor"])
def test_editors_have_no_community_screens(login, trees, persona):
    client = login(persona)

    assert_refused_by_wagtail(client.get("/admin/communautes/"))
    assert_refused_by_wagtail(client.get("/admin/communautes/new/"))
    assert "/admin/communautes/" not in body(client.get(ADMIN_HOME))
    assert "/admin/communes/" not in body(client.get(ADMIN_HOME))


def test_administrators_menu_offers_commune_and_community_screens(login, trees):
    dashboard = body(login("arnaud_admin").get(ADMIN_HOME))

    assert "/admin/communautes/" in dashboard
    assert "/admin/communes/" in dashboard


def test_moderator_reads_their_communes_communities_without_editing_them(login, trees):
    own, other = trees["cadaujac"].community, trees["didenheim"].community
    client = login("marc_moderator")

    listing = body(client.get("/admin/communautes/"))

    assert own.name in listing
    assert other.name not in listing
    assert f"/admin/communautes/edit/{own.pk}/" not in listing
    assert_refused_by_wagtail(client.get(f"/admin/communautes/edit/{own.pk}/"))
    assert_not_found(client.post(f"/admin/communautes/delete/{own.pk}/"))
    assert Community.objects.filter(pk=own.pk).exists()


# --- Commune settings -------------------------------------------------------------------------


def _commune_form(commune, **changes):
    data = {
        "name": commune.name,
        "moderation_policy": commune.moderation_policy,
        "gazette_moderation_policy": commune.gazette_moderation_policy,
        "sms_sender_name": commune.sms_sender_name,
        "logo": commune.logo_id or "",
        "primary_colour": commune.primary_colour,
        "address": commune.address,
        "phone": commune.phone,
        "email": commune.email,
        "opening_hours": commune.opening_hours,
    }
    data.update(changes)
    return data


def test_administrator_lists_and_edits_only_their_commune(login, trees):
    own, other = trees["cadaujac"].commune, trees["didenheim"].commune
    client = login("arnaud_admin")

    listing = body(client.get("/admin/communes/"))
    assert f"/admin/communes/edit/{own.pk}/" in listing
    assert f"/admin/communes/edit/{other.pk}/" not in listing
    assert "Didenheim" not in listing

    assert_not_found(client.get(f"/admin/communes/edit/{other.pk}/"))
    assert_not_found(
        client.post(f"/admin/communes/edit/{other.pk}/", _commune_form(other, name="Annexée"))
    )
    other.refresh_from_db()
    assert other.name == "Didenheim"


def test_administrator_changes_their_communes_settings_but_not_its_identity(login, trees):
    commune = trees["cadaujac"].commune
    site_id, collection_id = commune.site_id, commune.collection_id

    response = login("arnaud_admin").post(
        f"/admin/communes/edit/{commune.pk}/",
        _commune_form(
            commune,
            moderation_policy=ModerationPolicy.PRE,
            sms_sender_name="MairieCadau",
            logo=trees["cadaujac"].image.pk,
            primary_colour="#204060",
            phone="05 56 30 94 40",
            insee_code="68074",
            site=trees["didenheim"].commune.site_id,
            collection=trees["didenheim"].commune.collection_id,
        ),
    )

    assert response.status_code == 302
    commune.refresh_from_db()
    assert commune.moderation_policy == ModerationPolicy.PRE
    assert commune.sms_sender_name == "MairieCadau"
    assert commune.logo == trees["cadaujac"].image
    assert commune.primary_colour == "#204060"
    assert (commune.insee_code, commune.site_id, commune.collection_id) == (
        "33080",
        site_id,
        collection_id,
    )


def test_commune_logo_must_come_from_the_communes_own_collection(login, trees):
    commune = trees["cadaujac"].commune

    response = login("platform_admin").post(
        f"/admin/communes/edit/{commune.pk}/",
        _commune_form(commune, logo=trees["didenheim"].image.pk),
    )

    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    commune.refresh_from_db()
    assert commune.logo is None


def test_communes_are_neither_created_nor_deleted_in_the_admin(login, trees):
    client = login("platform_admin")
    commune = trees["cadaujac"].commune

    listing = body(client.get("/admin/communes/"))

    assert "Cadaujac" in listing
    assert "Didenheim" in listing
    assert_not_found(client.get("/admin/communes/new/"))
    assert_not_found(client.post(f"/admin/communes/delete/{commune.pk}/"))
    assert Commune.objects.count() == 2


# --- History and reports ----------------------------------------------------------------------


def test_site_history_shows_only_own_communes_community_changes(
    trees, sign_in, arnaud_admin, bertrand_admin
):
    browsers = {}
    for user, tree in ((arnaud_admin, "cadaujac"), (bertrand_admin, "didenheim")):
        browsers[tree] = browser = sign_in(Client(), user)
        community = trees[tree].community
        response = browser.post(
            f"/admin/communautes/edit/{community.pk}/",
            _community_form(community, description="Modifié dans l'administration"),
        )
        assert response.status_code == 302
        assert response["Location"] == "/admin/communautes/"
        browser.get(ADMIN_HOME)

    report = body(browsers["cadaujac"].get("/admin/reports/site-history/"))
    own_history = body(
        browsers["cadaujac"].get(f"/admin/communautes/history/{trees['cadaujac'].community.pk}/")
    )

    assert "Quartier de Cadaujac" in report
    assert "Quartier de Didenheim" not in report
    assert "Quartier de Cadaujac" in own_history


@pytest.fixture
def people_in_both_communes(gazette_posts, alice_editor, bob_editor, django_user_model):
    """Each commune's editor edited, locked and submitted pages; residents posted."""
    django_user_model.objects.filter(pk=alice_editor.pk).update(last_name="Cadaujacaise")
    django_user_model.objects.filter(pk=bob_editor.pk).update(last_name="Didenheimois")
    for tree, editor in (
        (gazette_posts["cadaujac"], alice_editor),
        (gazette_posts["didenheim"], bob_editor),
    ):
        editor.refresh_from_db()
        log(instance=tree.council, action="wagtail.edit", user=editor)
        Page.objects.filter(pk=tree.council.pk).update(locked=True, locked_by=editor)
        GazetteIndexPage.objects.descendant_of(tree.home).get().get_workflow().start(
            tree.post, editor
        )
    return gazette_posts


PEOPLE_FILTERS = {
    "site_history": lambda t: "/admin/reports/site-history/",
    "forms": lambda t: "/admin/forms/",
    "explorer": lambda t: f"/admin/pages/{t.home.pk}/",
    "locked_pages": lambda t: "/admin/reports/locked/",
    "workflows": lambda t: "/admin/reports/workflow/",
}
OWN_PEOPLE = {
    "site_history": ["Staff Cadaujacaise", "Jeanne Lafargue"],
    "forms": ["Staff Cadaujacaise", "Jeanne Lafargue"],
    "explorer": ["Staff Cadaujacaise", "Jeanne Lafargue"],
    "locked_pages": ["Staff Cadaujacaise"],
    "workflows": ["Staff Cadaujacaise"],
}


@pytest.mark.parametrize("report", PEOPLE_FILTERS)
def test_admin_filters_name_only_own_communes_staff_and_residents(
    login, people_in_both_communes, report
):
    own = people_in_both_communes["cadaujac"]

    listing = body(login("alice_editor").get(PEOPLE_FILTERS[report](own)))

    for name in OWN_PEOPLE[report]:
        assert name in listing, name
    assert "Didenheimois" not in listing
    assert "Dieter" not in listing


@pytest.mark.parametrize("report", PEOPLE_FILTERS)
def test_platform_teams_filters_name_everyone(login, people_in_both_communes, report):
    listing = body(
        login("platform_admin").get(PEOPLE_FILTERS[report](people_in_both_communes["cadaujac"]))
    )

    assert "Staff Didenheimois" in listing
    assert "Staff Cadaujacaise" in listing


def test_page_types_usage_report_is_for_the_platform_team(login, trees):
    for url in ("/admin/reports/page-types-usage/", "/admin/reports/page-types-usage/results/"):
        assert_refused_by_wagtail(login("alice_editor").get(url))

    report = body(login("platform_admin").get("/admin/reports/page-types-usage/"))
    assert "page standard" in report.lower()
    assert "/admin/reports/page-types-usage/" not in body(login("arnaud_admin").get(ADMIN_HOME))


def test_translations_report_lists_only_own_communes_pages(login, trees):
    english = Locale.objects.get(language_code="en")
    for tree in trees.values():
        source, _created = TranslationSource.get_or_create_from_instance(tree.council)
        Translation.objects.create(source=source, target_locale=english)

    report = body(login("alice_editor").get("/admin/localize/reports/translations/"))
    everything = body(login("platform_admin").get("/admin/localize/reports/translations/"))

    assert trees["cadaujac"].council.title in report
    assert trees["didenheim"].council.title not in report
    assert trees["didenheim"].council.title in everything


# --- Groups -----------------------------------------------------------------------------------


def test_no_group_holds_rights_over_every_commune(trees):
    """Wagtail's default "Editors" and "Moderators" held page rights from the tree's root and
    media rights on the root collection: over every commune at once."""
    assert not Group.objects.filter(name__in=["Editors", "Moderators"]).exists()
    assert not GroupPagePermission.objects.filter(page__depth=1).exists()
    root_collection = Collection.get_first_root_node()
    assert not GroupCollectionPermission.objects.filter(collection=root_collection).exists()
    # Nor is any workflow left on the root that no commune's staff could act on.
    assert not WorkflowPage.objects.filter(page__depth=1).exists()
    # Each commune's own groups keep their rights on their own tree.
    for tree in trees.values():
        assert GroupPagePermission.objects.filter(page=tree.home).exists()


# --- People without a role --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [ADMIN_HOME, "/admin/pages/", "/admin/images/", "/admin/communautes/"]
)
def test_outsider_cannot_enter_the_admin(login, trees, url):
    response = login("charlie_outsider").get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_anonymous_visitor_is_sent_to_login(client, trees):
    response = client.get(f"/admin/pages/{trees['cadaujac'].home.pk}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
