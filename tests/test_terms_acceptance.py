"""The charter and the terms of use exist, are linked from registration, and members accept
them again after a change: the commune's charter (its mairie edits it) or the platform's
terms (the platform team edits them). Each acceptance is recorded with its time."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.test.utils.form_data import rich_text

from accounts.models import ConsentRecord, TermsOfUse
from communities.charter import charter_changed

pytestmark = pytest.mark.django_db

CADAUJAC = "cadaujac.localhost"
DIDENHEIM = "didenheim.localhost"


def _accepted(user, *, days_ago):
    return ConsentRecord.objects.create(
        user=user,
        kind=ConsentRecord.Kind.TERMS,
        granted=True,
        recorded_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.fixture
def member(jeanne_resident, sign_in):
    """Jeanne accepted the texts when she registered, ten days ago."""
    _accepted(jeanne_resident, days_ago=10)
    return sign_in(Client(HTTP_HOST=CADAUJAC), jeanne_resident)


def test_the_charter_and_the_terms_are_public_with_a_default_text(cadaujac):
    client = Client(HTTP_HOST=CADAUJAC)

    charter = client.get("/charte/").content.decode()
    terms = client.get("/conditions-d-utilisation/").content.decode()

    assert "Charte du voisin vigilant et solidaire" in charter
    assert "j'appelle d'abord le 17" in charter
    assert "pas de dénonciation" in charter
    assert "Conditions d'utilisation" in terms
    assert "Vous vous inscrivez sous votre vrai nom" in terms


def test_the_communes_own_charter_replaces_the_default(cadaujac):
    cadaujac.charter = "<p>Charte propre à Cadaujac : entraide d'abord.</p>"
    cadaujac.save()

    html = Client(HTTP_HOST=CADAUJAC).get("/charte/").content.decode()

    assert "Charte propre à Cadaujac" in html
    assert "j'appelle d'abord le 17" not in html


def test_the_registration_form_links_to_both_texts(cadaujac):
    html = Client(HTTP_HOST=CADAUJAC).get("/accounts/signup/").content.decode()

    assert 'href="/charte/" target="_blank"' in html
    assert 'href="/conditions-d-utilisation/" target="_blank"' in html


def test_every_footer_links_to_both_texts(cadaujac):
    for path in ("/", "/actualites/", "/accessibilite/"):
        html = Client(HTTP_HOST=CADAUJAC).get(path).content.decode()
        assert '<a href="/charte/">' in html, path
        assert '<a href="/conditions-d-utilisation/">' in html, path


def test_nothing_changed_since_registration_nobody_is_stopped(member):
    assert member.get("/mon-quartier/").status_code == 200


def test_after_the_charter_changes_the_member_accepts_it_again_once(member, cadaujac):
    charter_changed(commune=cadaujac)
    cadaujac.save()

    response = member.get("/mon-quartier/")

    assert response.status_code == 302
    assert response["Location"] == "/charte/accepter/?next=%2Fmon-quartier%2F"
    page = member.get(response["Location"]).content.decode()
    assert "La mairie de Cadaujac a modifié la charte" in page
    assert "Supprimer mon compte" in page

    accepted = member.post("/charte/accepter/", {"accept": "on", "next": "/mon-quartier/"})

    assert accepted["Location"] == "/mon-quartier/"
    assert ConsentRecord.objects.filter(kind=ConsentRecord.Kind.TERMS).count() == 2
    assert member.get("/mon-quartier/").status_code == 200


def test_refusing_to_tick_the_box_records_nothing_and_says_why(member, cadaujac):
    charter_changed(commune=cadaujac)
    cadaujac.save()

    response = member.post("/charte/accepter/", {"next": "/mon-quartier/"})

    assert response.status_code == 200
    assert "Cochez la case pour accepter et continuer." in response.content.decode()
    assert ConsentRecord.objects.filter(kind=ConsentRecord.Kind.TERMS).count() == 1
    assert member.get("/mon-quartier/").status_code == 302


def test_another_communes_charter_change_stops_nobody_here(member, didenheim):
    charter_changed(commune=didenheim)
    didenheim.save()

    assert member.get("/mon-quartier/").status_code == 200


def test_a_change_of_the_terms_asks_every_member_again(member, cadaujac):
    TermsOfUse.objects.create(body="<p>Nouvelles conditions.</p>")

    response = member.get("/mon-quartier/")

    assert response.status_code == 302
    page = member.get(response["Location"]).content.decode()
    assert "Les conditions d'utilisation de Voisinage ont changé" in page
    assert "Nouvelles conditions." in page


def test_the_member_may_still_leave_sign_out_and_read_the_texts(member, cadaujac):
    charter_changed(commune=cadaujac)
    cadaujac.save()

    for path in ("/compte/supprimer/", "/charte/", "/conditions-d-utilisation/"):
        assert member.get(path).status_code == 200, path
    assert member.post("/accounts/logout/").status_code == 302


def test_an_offsite_next_is_refused(member, cadaujac):
    charter_changed(commune=cadaujac)
    cadaujac.save()

    response = member.post("/charte/accepter/", {"accept": "on", "next": "https://evil.test/"})

    assert response["Location"] == "/mon-quartier/"


def test_editing_the_charter_in_the_admin_makes_a_new_version_other_fields_do_not(
    cadaujac, arnaud_admin, sign_in
):
    client = sign_in(Client(HTTP_HOST=CADAUJAC), arnaud_admin)
    url = f"/admin/communes/edit/{cadaujac.pk}/"
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name != "logo" and not isinstance(value, list)
    }

    data["charter"] = rich_text("")

    client.post(url, {**data, "opening_hours": "Lundi 9 h – 12 h"})
    cadaujac.refresh_from_db()
    assert cadaujac.opening_hours == "Lundi 9 h – 12 h"
    assert cadaujac.charter_changed_at is None

    client.post(url, {**data, "charter": rich_text("<p>Nouvelle charte</p>")})
    cadaujac.refresh_from_db()
    assert "Nouvelle charte" in cadaujac.charter
    assert cadaujac.charter_changed_at is not None
