"""A moderator approves a registration in Chromium, and the resident then sees the directory.

Two browsers on Cadaujac's demo site: the mairie's moderator signs in (password, then the
TOTP code of a known secret), finds the pending registration from the admin menu, downloads
the proof through its permission-checked link and approves; then the newcomer signs in and
finds their neighbours in the directory.
"""

import re
import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from accounts.services import totp_authenticator_ensure
from communities.models import Membership, MembershipStatus, ProofOfAddress
from demo.content import DEMO_PASSWORD
from demo.loader import demo_load

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

MODERATOR = "mairie@cadaujac.demo.invalid"
NEWCOMER = "pending@cadaujac.demo.invalid"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_code(secret: str, *, margin: float = 12) -> str:
    """The code of the current 30-second step, waiting for the next step if this one ends in
    less than ``margin`` seconds (allauth accepts the current step only)."""
    remaining = 30 - time.time() % 30
    if remaining < margin:
        time.sleep(remaining + 0.5)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def new_page(browser):
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def sign_in(page, commune_url, email):
    page.goto(commune_url("cadaujac", "/accounts/login/"))
    page.get_by_label("E-mail ou téléphone mobile").fill(email)
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_moderator_approves_then_the_newcomer_sees_the_directory(browser, commune_url):
    demo_load()
    moderator = get_user_model().objects.get(email=MODERATOR)
    totp_authenticator_ensure(user=moderator, secret=TOTP_SECRET)
    membership = Membership.objects.get(user__email=NEWCOMER)
    assert membership.status == MembershipStatus.PENDING

    newcomer_context, newcomer = new_page(browser)
    moderator_context, page = new_page(browser)
    try:
        # Before the decision, the newcomer's directory is closed.
        sign_in(newcomer, commune_url, NEWCOMER)
        newcomer.wait_for_url(lambda url: "/accounts/login/" not in url)
        newcomer.goto(commune_url("cadaujac", "/annuaire/"))
        assert newcomer.get_by_text("Votre inscription est en attente de validation").is_visible()
        assert newcomer.get_by_text("Jean-Yves Martin").count() == 0

        sign_in(page, commune_url, MODERATOR)
        page.wait_for_url("**/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(totp_code(TOTP_SECRET))
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(lambda url: "/accounts/" not in url)

        page.goto(commune_url("cadaujac", "/admin/"))
        # The admin menu's entry, with its count (the dashboard's figure links there too).
        page.get_by_role("link", name=re.compile(r"^Inscriptions à valider \(\d+\)")).click()
        page.wait_for_url("**/moderation/inscriptions/")
        page.get_by_role("link", name="Paul Nouveau").click()
        page.wait_for_url(f"**/moderation/inscriptions/{membership.pk}/")
        assert page.get_by_role("heading", name="Inscription de Paul Nouveau").is_visible()

        proof_link = page.get_by_role("link", name="Télécharger le justificatif")
        proof_url = commune_url("cadaujac", proof_link.get_attribute("href"))
        with page.expect_download() as download:
            proof_link.click()
        assert download.value.suggested_filename == f"justificatif-{membership.pk}.png"

        page.get_by_role("button", name="Valider l'inscription").click()
        page.wait_for_url("**/moderation/inscriptions/")
        assert page.get_by_text("Inscription de Paul Nouveau validée").is_visible()
        assert page.goto(proof_url).status == 404

        membership.refresh_from_db()
        assert membership.status == MembershipStatus.VERIFIED
        assert membership.decided_by == moderator
        assert not ProofOfAddress.objects.filter(membership=membership).exists()

        # The same session of the newcomer now opens the directory of Centre-bourg.
        newcomer.reload()
        assert newcomer.get_by_role("heading", level=1, name="Annuaire des voisins").is_visible()
        # The demo's neighbours fill more than a page: the newcomer looks their neighbour up.
        newcomer.get_by_role("searchbox", name="Nom ou savoir-faire").fill("Martin")
        newcomer.get_by_role("searchbox", name="Nom ou savoir-faire").press("Enter")
        expect(newcomer.get_by_text("Jean-Yves Martin").first).to_be_visible()
        newcomer.get_by_role("searchbox", name="Nom ou savoir-faire").fill("Dubois")
        newcomer.get_by_role("searchbox", name="Nom ou savoir-faire").press("Enter")
        expect(newcomer.get_by_role("status")).to_have_text(re.compile(r"^\s*0 membres? trouvés?"))
        assert newcomer.get_by_text("Marie Dubois").count() == 0  # Les Graves: another community
    finally:
        moderator_context.close()
        newcomer_context.close()
