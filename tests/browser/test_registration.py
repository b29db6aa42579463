"""A newcomer registers on Cadaujac's site as a person would, in Chromium.

From the home page's invitation to the "en attente de validation" page: the form with a
proof of address, the e-mail code read from the outbox, the SMS code from the SMS outbox.
"""

import io
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from PIL import Image

from demo.loader import demo_load
from notifications.models import OutboundSms

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def proof_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def serious_violations(page) -> list[str]:
    # The flash messages come from base.html, whose <ul role="status"> loses its list
    # semantics (axe "listitem"); that layout is checked on its own pages elsewhere.
    results = Axe().run(page, context={"exclude": [[".messages"]]}, options=AXE_OPTIONS)
    return [
        f"{violation['id']}: {violation['help']}"
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def test_newcomer_registers_confirms_email_and_phone_and_waits_for_validation(page, commune_url):
    demo_load()

    page.goto(commune_url("cadaujac"))
    page.get_by_role("link", name="Rejoindre mes voisins").first.click()
    page.wait_for_url("**/accounts/signup/")
    assert serious_violations(page) == []

    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label(re.compile(r"^Nom\b")).fill("Roussel")
    page.get_by_label("Adresse e-mail").fill("nadia@exemple.test")
    page.get_by_label("Téléphone mobile").fill("06 12 34 56 78")
    page.get_by_label("Mot de passe").fill("un-long-mot-de-passe-2026")
    page.get_by_label(re.compile(r"^Adresse\b(?! e-mail)")).fill("3 place de la Mairie")
    page.get_by_label("Votre communauté").select_option(label="Centre-bourg")
    page.get_by_label("Justificatif de domicile").set_input_files(
        files=[{"name": "facture.png", "mimeType": "image/png", "buffer": proof_png()}]
    )
    page.get_by_label("J'accepte les conditions d'utilisation").check()
    page.get_by_role("button", name="M'inscrire").click()

    page.wait_for_url("**/accounts/confirm-email/")
    assert page.get_by_role("heading", name="Saisissez le code reçu par e-mail").is_visible()
    email_code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.M)
    page.get_by_label("Code").fill(email_code.group(1))
    page.get_by_role("button", name="Valider").click()

    page.wait_for_url("**/accounts/phone/verify/")
    sms = OutboundSms.objects.filter(to="+33612345678", purpose="verification_code").get()
    page.get_by_label("Code").fill(re.search(r"\b(\d{6})\b", sms.body).group(1))
    page.get_by_role("button", name="Valider").click()

    page.wait_for_url("**/accounts/en-attente/")
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Votre inscription est en attente de validation"
    assert page.get_by_text("Centre-bourg").first.is_visible()
    assert serious_violations(page) == []


def test_signup_errors_are_announced_and_linked_to_their_fields(page, commune_url):
    demo_load()

    page.goto(commune_url("cadaujac", "/accounts/signup/"))
    page.get_by_label("Téléphone mobile").fill("05 56 00 00 80")
    page.get_by_role("button", name="M'inscrire").click()

    page.wait_for_load_state()
    assert page.get_by_role("alert").first.is_visible()
    phone = page.get_by_label("Téléphone mobile")
    assert phone.get_attribute("aria-invalid") == "true"
    described_by = phone.get_attribute("aria-describedby").split()
    error = page.locator(f"#{described_by[-1]}")
    assert "n'est pas un numéro de mobile" in error.inner_text()
    assert serious_violations(page) == []
