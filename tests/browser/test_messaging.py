"""Two neighbours talk in Chromium: each sees the other's message appear without a reload.

Jeanne and Paul, verified in Centre-bourg, each in their own browser context. Jeanne writes
to Paul from the new-conversation page; Paul opens it; Jeanne's next message appears on
Paul's open page, Paul's answer appears on Jeanne's, neither page ever reloading.
"""

import pytest

from tests.conftest import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _verified(*users):
    """Their e-mail and phone are confirmed, as after sign-up: they sign in directly."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    for user in users:
        user.email_verified_at = timezone.now()
        user.phone_verified_at = timezone.now() if user.phone else None
        user.save(update_fields=["email_verified_at", "phone_verified_at"])
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )


def _open(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def _sign_in(page, commune_url, email):
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def _mark_no_reload(page):
    page.evaluate("window.__sansRechargement = true")


def _still_same_page(page) -> bool:
    return page.evaluate("window.__sansRechargement === true")


def test_two_neighbours_see_each_others_messages_appear_and_answer(
    browser, commune_url, jeanne_resident, paul_neighbour
):
    _verified(jeanne_resident, paul_neighbour)
    jeanne_context, jeanne = _open(browser)
    paul_context, paul = _open(browser)
    try:
        _sign_in(jeanne, commune_url, jeanne_resident.email)
        _sign_in(paul, commune_url, paul_neighbour.email)

        jeanne.goto(commune_url("cadaujac", "/messages/nouvelle/"))
        jeanne.get_by_label("Paul Darrigade").check()
        jeanne.get_by_label("Objet (facultatif)").fill("Le chat de la voisine")
        jeanne.get_by_label("Votre message").fill("Bonjour Paul, avez-vous vu Pilou ?")
        jeanne.get_by_role("button", name="Envoyer").click()
        jeanne.wait_for_url("**/messages/*/")
        conversation_url = jeanne.url

        paul.goto(commune_url("cadaujac", "/messages/"))
        paul.get_by_role("link", name="Le chat de la voisine").click()
        paul.wait_for_url(conversation_url)
        assert paul.get_by_text("Bonjour Paul, avez-vous vu Pilou ?").is_visible()
        _mark_no_reload(paul)
        _mark_no_reload(jeanne)

        # Jeanne writes again: it appears on Paul's open page by itself.
        jeanne.get_by_label("Votre message").fill("Il est roux avec une tache blanche.")
        jeanne.get_by_role("button", name="Envoyer").click()
        paul.get_by_text("Il est roux avec une tache blanche.").wait_for()

        # Paul answers: Jeanne sees it without reloading.
        paul.get_by_label("Votre message").fill("Oui, il dort sur mon muret !")
        paul.get_by_role("button", name="Envoyer").click()
        jeanne.get_by_text("Oui, il dort sur mon muret !").wait_for()
        assert paul.get_by_text("Oui, il dort sur mon muret !").count() == 1
        assert jeanne.get_by_text("Il est roux avec une tache blanche.").count() == 1

        assert _still_same_page(paul)
        assert _still_same_page(jeanne)
        assert paul.get_by_label("Votre message").input_value() == ""
    finally:
        jeanne_context.close()
        paul_context.close()


def test_messaging_pages_have_no_serious_accessibility_violation(
    browser, commune_url, jeanne_resident, paul_neighbour
):
    from axe_playwright_python.sync_playwright import Axe

    from messaging.services import conversation_start

    _verified(jeanne_resident)
    conversation = conversation_start(
        author=paul_neighbour, recipients=[jeanne_resident], text="Bonjour", subject="Haie"
    )
    context, page = _open(browser)
    try:
        _sign_in(page, commune_url, jeanne_resident.email)
        axe = Axe()
        options = {
            "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        }
        problems = {}
        for path in (
            "/messages/",
            f"/messages/{conversation.pk}/",
            "/messages/nouvelle/",
            f"/messages/{conversation.pk}/messages/{conversation.messages.get().pk}/signaler/",
            "/messages/bloques/",
        ):
            response = page.goto(commune_url("cadaujac", path))
            assert response.status == 200, path
            results = axe.run(page, options=options)
            serious = [
                f"{violation['id']}: {violation['help']}"
                for violation in results.response["violations"]
                if violation["impact"] in ("serious", "critical")
            ]
            if serious:
                problems[path] = serious
        assert problems == {}
    finally:
        context.close()
