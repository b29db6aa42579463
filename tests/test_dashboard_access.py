"""Who reads which commune's dashboard: every role of the mairie, the police, residents and
visitors, on their own commune and on the other one. Figures never cross communes."""

import pytest
from django.test import Client

from communities.models import StaffRole
from communities.services import staff_role_grant

pytestmark = pytest.mark.django_db

FIGURE = 'data-figure="members-verified"'
POLICE_FIGURE = 'data-figure="police-running"'
CADAUJAC_HOST = "cadaujac.localhost"


def _staff(make_user, commune, email, role):
    user = make_user(email, first_name="Agent", last_name=role)
    staff_role_grant(user=user, commune=commune, role=role)
    return user


@pytest.fixture
def people(make_user, cadaujac, didenheim, jeanne_resident):
    """One account per role in each commune, plus a resident of Cadaujac."""
    accounts = {"resident": jeanne_resident, "anonymous": None}
    roles = {
        "administrator": StaffRole.ADMINISTRATOR,
        "moderator": StaffRole.MODERATOR,
        "communications": StaffRole.BROADCASTER,
        "editor": StaffRole.EDITOR,
        "police": StaffRole.POLICE,
    }
    for name, role in roles.items():
        accounts[name] = _staff(make_user, cadaujac, f"{name}@cadaujac.test", role)
        accounts[f"other {name}"] = _staff(make_user, didenheim, f"{name}@didenheim.test", role)
    return accounts


def _client(sign_in, user):
    client = Client()
    return sign_in(client, user) if user is not None else client


# (who, sees Cadaujac's full dashboard, sees Cadaujac's police dashboard)
MATRIX = [
    ("administrator", True, True),
    ("moderator", True, True),
    ("communications", True, True),
    ("editor", True, False),
    ("police", False, True),
    ("resident", False, False),
    ("anonymous", False, False),
    ("other administrator", False, False),
    ("other moderator", False, False),
    ("other communications", False, False),
    ("other editor", False, False),
    ("other police", False, False),
]


@pytest.mark.parametrize(("who", "full", "police"), MATRIX)
def test_only_the_communes_own_staff_read_its_dashboards(
    who, full, police, people, sign_in, cadaujac
):
    client = _client(sign_in, people[who])
    for url, marker in (
        (f"/admin/tableau-de-bord/?commune={cadaujac.pk}", FIGURE),
        (f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}", FIGURE),
        # The admin's home: Cadaujac's summary panel, even on Cadaujac's host name.
        ("/admin/", "Tableau de bord de Cadaujac"),
    ):
        response = client.get(url, HTTP_HOST=CADAUJAC_HOST)
        shown = response.status_code == 200 and marker in response.content.decode()
        assert shown is full, (who, url, response.status_code)
    for url in ("/tableau-de-bord/police/", "/tableau-de-bord/police/chiffres/"):
        response = client.get(url, HTTP_HOST=CADAUJAC_HOST)
        shown = response.status_code == 200 and POLICE_FIGURE in response.content.decode()
        assert shown is police, (who, url, response.status_code)


def test_staff_of_another_commune_get_404_for_cadaujacs_figures(people, sign_in, cadaujac):
    client = _client(sign_in, people["other administrator"])
    for url in ("/admin/tableau-de-bord/", "/admin/tableau-de-bord/chiffres/"):
        assert client.get(f"{url}?commune={cadaujac.pk}").status_code == 404
    # Their own commune's dashboard answers, named after their commune only.
    own = client.get("/admin/tableau-de-bord/")
    assert own.status_code == 200
    assert "Didenheim" in own.content.decode()
    assert "Cadaujac" not in own.content.decode()


def test_the_platform_team_chooses_a_commune(platform_admin, sign_in, cadaujac, didenheim):
    client = sign_in(Client(), platform_admin)
    chooser = client.get("/admin/tableau-de-bord/").content.decode()
    assert FIGURE not in chooser
    assert "Cadaujac" in chooser
    assert "Didenheim" in chooser
    chosen = client.get(f"/admin/tableau-de-bord/?commune={didenheim.pk}")
    assert chosen.status_code == 200
    assert FIGURE in chosen.content.decode()
    assert client.get("/admin/tableau-de-bord/?commune=999999").status_code == 404
    assert client.get("/admin/tableau-de-bord/?commune=abc").status_code == 404


def test_the_menu_offers_the_dashboard_to_the_communes_staff_only(people, sign_in):
    editor = _client(sign_in, people["editor"]).get("/admin/", HTTP_HOST=CADAUJAC_HOST)
    assert "/admin/tableau-de-bord/" in editor.content.decode()


@pytest.mark.parametrize(("who", "exact"), [("administrator", True), ("moderator", False)])
def test_small_community_counts_are_hidden_but_from_the_mairies_administrators(
    who, exact, people, sign_in, cadaujac, paul_neighbour
):
    # Centre-bourg has two verified members (Jeanne and Paul).
    client = _client(sign_in, people[who])
    html = client.get(f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}").content.decode()
    row = html.split("Centre-bourg</th>", 1)[1].split("</tr>", 1)[0]
    if exact:
        assert "<td>2</td>" in row
        assert "&lt; 5" not in row
    else:
        assert "<td>&lt; 5</td>" in row
        assert "<td>2</td>" not in row


def test_figures_rendered_for_one_viewer_are_never_served_to_another_kind(
    people, sign_in, cadaujac, paul_neighbour
):
    """The figures' HTML is rendered once and shared by everyone watching; an administrator's
    exact counts and a moderator's links stay theirs, within the same version of the
    figures, in either order."""
    url = f"/admin/tableau-de-bord/chiffres/?commune={cadaujac.pk}"

    def centre_bourg_row(who: str) -> tuple[str, str]:
        html = _client(sign_in, people[who]).get(url).content.decode()
        return html.split("Centre-bourg</th>", 1)[1].split("</tr>", 1)[0], html

    for order in (
        ("administrator", "editor", "moderator"),
        ("moderator", "editor", "administrator"),
    ):
        rows = {who: centre_bourg_row(who) for who in order}
        assert "<td>2</td>" in rows["administrator"][0]
        assert "<td>&lt; 5</td>" in rows["moderator"][0]
        assert "<td>&lt; 5</td>" in rows["editor"][0]
        assert "/admin/moderation-alertes/" in rows["moderator"][1]
        assert "/admin/moderation-alertes/" not in rows["editor"][1]
        assert POLICE_FIGURE in rows["moderator"][1]
        assert POLICE_FIGURE not in rows["editor"][1]
