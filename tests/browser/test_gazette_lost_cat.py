"""A resident posts a lost cat with a photo; a neighbour reads it and comments; a member of
another community can open neither the post nor its photo."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image

from demo.content import DEMO_PASSWORD
from demo.loader import demo_load
from gazette.models import GazettePhoto, GazettePost

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AUTHOR = "jean-yves@cadaujac.demo.invalid"  # Centre-bourg
NEIGHBOUR = "hugo@cadaujac.demo.invalid"  # Centre-bourg
OTHER_COMMUNITY = "marie@cadaujac.demo.invalid"  # Les Graves
TITLE = "Chat noir perdu chemin du Port"


def _sign_in(browser, commune_url, email):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    return context, page


AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _serious_violations(page) -> list[str]:
    results = Axe().run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_a_lost_cat_reaches_the_neighbours_and_no_one_else(
    browser, commune_url, tmp_path, private_storage
):
    demo_load()
    photo = tmp_path / "minou.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (1200, 900), "black").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    context, page = _sign_in(browser, commune_url, AUTHOR)
    page.goto(commune_url("cadaujac", "/gazette/"))
    assert _serious_violations(page) == []
    page.get_by_role("link", name="Publier dans la gazette").click()
    page.wait_for_url("**/publier/")
    assert _serious_violations(page) == []
    page.get_by_label("Catégorie").select_option(label="Objet ou animal perdu / trouvé")
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Texte").fill("Minou, chat noir au collier rouge, a disparu hier soir.")
    assert page.get_by_label("Ma communauté : Centre-bourg").is_checked()
    page.get_by_label("Photo 1", exact=True).set_input_files(str(photo))
    page.get_by_label("Description de la photo 1").fill("Un chat noir au collier rouge")
    page.get_by_role("button", name="Publier", exact=True).click()
    page.wait_for_url("**/gazette/chat-noir-perdu-chemin-du-port/")
    assert page.get_by_role("heading", name=TITLE).is_visible()
    context.close()

    post = GazettePost.objects.get(title=TITLE)
    photo_url = f"/gazette-fichiers/photos/{GazettePhoto.objects.get(post=post).pk}/"

    context, page = _sign_in(browser, commune_url, NEIGHBOUR)
    page.goto(commune_url("cadaujac", "/"))
    page.get_by_label("Rechercher sur le site").fill("chat")
    page.get_by_label("Rechercher sur le site").press("Enter")
    page.wait_for_url("**/recherche/?q=chat*")
    page.get_by_role("link", name=TITLE).click()
    image = page.get_by_role("img", name="Un chat noir au collier rouge")
    image.wait_for()
    image.scroll_into_view_if_needed()  # the photo loads lazily
    page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert _serious_violations(page) == []
    page.get_by_label("Votre commentaire").fill("Je regarde dans mon garage ce soir.")
    page.get_by_role("button", name="Commenter").click()
    page.wait_for_url("**/gazette/chat-noir-perdu-chemin-du-port/#commentaire-*")
    assert page.get_by_text("Je regarde dans mon garage ce soir.").is_visible()
    context.close()

    context, page = _sign_in(browser, commune_url, OTHER_COMMUNITY)
    assert (
        page.goto(commune_url("cadaujac", "/gazette/chat-noir-perdu-chemin-du-port/")).status == 404
    )
    assert page.goto(commune_url("cadaujac", photo_url)).status == 404
    page.goto(commune_url("cadaujac", "/gazette/"))
    assert page.get_by_role("link", name=TITLE).count() == 0
    page.get_by_label("Rechercher sur le site").fill("chat")
    page.get_by_label("Rechercher sur le site").press("Enter")
    page.wait_for_url("**/recherche/?q=chat*")
    assert page.get_by_role("link", name=TITLE).count() == 0
    assert "chemin du Port" not in page.content()
    context.close()
