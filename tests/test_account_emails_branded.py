"""The account e-mails (codes, password resets, security notices) are the commune's.

Sent from a commune's site they name it in the subject and the signature (with French
contractions), keep a plain-text part and add an HTML part in its colour with its logo; on
the platform's site they are Voisinage's. They still leave through Django's mail, as
allauth sends them.
"""

import io
import re

import pytest
from django.core import mail
from django.core.files.images import ImageFile
from django.test import Client
from django.utils import timezone
from PIL import Image
from wagtail.images.models import Image as WagtailImage

from communities.services import commune_create
from tests.conftest import CADAUJAC_HOST
from tests.test_registration import form_data

pytestmark = pytest.mark.django_db

GREEN = "#1f6b3a"
CODE = re.compile(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", re.M)


def html_part(message) -> str:
    assert message.alternatives, "no HTML part"
    content, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return content


@pytest.fixture
def jeanne(make_user):
    return make_user(
        "jeanne@exemple.test", email_verified_at=timezone.now(), phone_verified_at=timezone.now()
    )


def test_the_verification_code_comes_from_the_commune_in_text_and_html(
    centre_bourg, cadaujac, private_storage
):
    cadaujac.primary_colour = GREEN
    buffer = io.BytesIO()
    Image.new("RGB", (300, 100), (10, 120, 40)).save(buffer, format="PNG")
    cadaujac.logo = WagtailImage.objects.create(
        title="Blason", file=ImageFile(buffer, name="blason.png")
    )
    cadaujac.save()

    Client(headers={"host": CADAUJAC_HOST}).post("/accounts/signup/", form_data(centre_bourg))

    message = mail.outbox[-1]
    code = CODE.search(message.body).group(1)
    assert message.subject == "[Cadaujac] Votre code pour confirmer votre adresse e-mail"
    assert message.body.startswith("Bonjour,")
    assert "Voisins vigilants et solidaires de Cadaujac" in message.body
    assert "l'utilisateur" not in message.body
    html = html_part(message)
    assert code in html
    assert GREEN in html
    assert re.search(r'<img src="http://cadaujac\.localhost[^"]*/images/[^"]+\.png"', html)
    assert "Voisins vigilants et solidaires de Cadaujac" in html


def test_a_commune_with_an_article_signs_with_its_contraction(make_user):
    commune_create(name="Le Haillan", insee_code="33200", hostname="le-haillan.localhost")
    make_user("hugo@exemple.test", email_verified_at=timezone.now())

    Client(headers={"host": "le-haillan.localhost"}).post(
        "/accounts/password/reset/", {"email": "hugo@exemple.test"}
    )

    message = mail.outbox[-1]
    assert message.subject == "[Le Haillan] Votre code pour choisir un nouveau mot de passe"
    assert "Voisins vigilants et solidaires du Haillan" in message.body
    assert CODE.search(message.body)
    assert "du Haillan" in html_part(message)


def test_on_the_platforms_site_the_e_mail_is_voisinages(db, jeanne):
    Client().post("/accounts/password/reset/", {"email": "jeanne@exemple.test"})

    message = mail.outbox[-1]
    assert message.subject.startswith("[Voisinage] ")
    assert "Voisinage" in message.body
    assert "Voisinage" in html_part(message)
