"""The commune's map: who reads its JSON, what it holds (boundaries, alerts at their
community's centre, never an address or a name), what it costs, and the boundaries staff
draw in the admin, refused when they are not a valid polygon."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertSource
from alerts.services import alert_post
from communities.boundaries import boundary_centre, boundary_clean
from communities.models import Community, StaffRole
from communities.services import staff_role_grant
from dashboard.live import figures_version_bump
from portal.settings.maps import tile_origin

pytestmark = pytest.mark.django_db

CADAUJAC_HOST = "cadaujac.localhost"
SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[-0.54, 44.74], [-0.52, 44.74], [-0.52, 44.76], [-0.54, 44.76], [-0.54, 44.74]]
    ],
}
TUILERIES = {
    "type": "Polygon",
    "coordinates": [
        [[-0.52, 44.74], [-0.50, 44.74], [-0.50, 44.76], [-0.52, 44.76], [-0.52, 44.74]]
    ],
}
BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[-0.54, 44.74], [-0.52, 44.76], [-0.52, 44.74], [-0.54, 44.76], [-0.54, 44.74]]
    ],
}
ALERT_TEXT = "Voiture grise au pas devant les maisons du lotissement."


def _staff(make_user, commune, email, role):
    user = make_user(email, first_name="Agent", last_name=role.label)
    staff_role_grant(user=user, commune=commune, role=role)
    return user


@pytest.fixture
def people(make_user, cadaujac, didenheim, jeanne_resident, platform_admin):
    accounts = {"resident": jeanne_resident, "anonymous": None, "platform": platform_admin}
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


@pytest.fixture
def mapped(centre_bourg, tuileries, jeanne_resident, paul_neighbour, cadaujac):
    """Centre-bourg and Les Tuileries drawn; two alerts from Centre-bourg this week, one
    from last year, and a mairie broadcast to the whole commune (no place on the map)."""
    centre_bourg.boundary = SQUARE
    centre_bourg.save()
    tuileries.boundary = TUILERIES
    tuileries.save()
    alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=ALERT_TEXT)
    alert_post(author=paul_neighbour, category=AlertCategory.BURGLARY, text=ALERT_TEXT)
    old = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=ALERT_TEXT)
    long_ago = timezone.now() - timedelta(days=200)
    Alert.objects.filter(pk=old.pk).update(created_at=long_ago, expires_at=long_ago)
    Alert.objects.create(
        commune=cadaujac,
        source=AlertSource.ADMIN,
        category=AlertCategory.SCOUTING,
        text="Démarchage frauduleux signalé dans toute la commune.",
        expires_at=timezone.now() + timedelta(hours=6),
    )
    return centre_bourg


def _client(sign_in, user):
    client = Client()
    return sign_in(client, user) if user is not None else client


def _map(client, commune, period="week", host=CADAUJAC_HOST):
    return client.get(
        "/admin/tableau-de-bord/carte/",
        {"commune": commune.pk, "periode": period},
        HTTP_HOST=host,
    )


# (who, reads the mairie's map, with markers, reads the police's map)
MATRIX = [
    ("administrator", True, True, True),
    ("moderator", True, True, True),
    ("communications", True, True, True),
    ("editor", True, False, False),
    ("police", False, False, True),
    ("platform", True, True, True),
    ("resident", False, False, False),
    ("anonymous", False, False, False),
    ("other administrator", False, False, False),
    ("other moderator", False, False, False),
    ("other communications", False, False, False),
    ("other editor", False, False, False),
    ("other police", False, False, False),
]


@pytest.mark.parametrize(("who", "reads", "markers", "police"), MATRIX)
def test_only_the_communes_staff_read_its_map(
    who, reads, markers, police, people, sign_in, cadaujac, mapped
):
    client = _client(sign_in, people[who])

    response = _map(client, cadaujac)
    assert (response.status_code == 200) is reads, (who, response.status_code)
    if reads:
        data = response.json()
        assert {row["name"] for row in data["communities"]} == {"Centre-bourg", "Les Tuileries"}
        assert bool(data["alerts"]) is markers
    elif who.startswith("other "):
        # A foreign commune does not exist; the police has no admin at all (to sign-in).
        assert response.status_code == (302 if who == "other police" else 404)

    police_map = client.get("/tableau-de-bord/police/carte/", HTTP_HOST=CADAUJAC_HOST)
    assert (police_map.status_code == 200) is police, (who, police_map.status_code)
    if police:
        assert len(police_map.json()["alerts"]) == 2


def test_the_map_holds_boundaries_and_alerts_at_their_communitys_centre_only(
    people, sign_in, cadaujac, mapped
):
    data = _map(_client(sign_in, people["administrator"]), cadaujac).json()

    centre = {row["name"]: row for row in data["communities"]}["Centre-bourg"]
    assert centre["boundary"] == SQUARE
    assert centre["centre"] == [44.75, -0.53]
    assert (centre["alerts"], centre["alerts_label"], centre["level"]) == (2, "2", 1)
    assert [alert["position"] for alert in data["alerts"]] == [[44.75, -0.53]] * 2
    assert {alert["category"] for alert in data["alerts"]} == {
        AlertCategory.SCOUTING.label,
        AlertCategory.BURGLARY.label,
    }
    assert {alert["status"] for alert in data["alerts"]} == {
        "En cours, en attente de prise en charge"
    }
    # The week: last year's alert is left out; the mairie's broadcast is counted apart.
    assert (data["period"], data["alerts_total"], data["unplaced"]) == ("week", 3, 1)
    assert (
        _map(_client(sign_in, people["administrator"]), cadaujac, "year").json()["alerts_total"]
        == 4
    )
    # No address, no text, no name of whoever posted.
    body = json.dumps(data, ensure_ascii=False)
    for private in (
        "12 chemin des Vignes",
        "Jeanne",
        "Lafargue",
        "Paul",
        "Darrigade",
        "lotissement",
    ):
        assert private not in body
    assert set(data["alerts"][0]) == {
        "id",
        "community",
        "position",
        "category",
        "created_at",
        "time",
        "status",
        "taken",
    }


def test_small_counts_are_hidden_on_the_map_but_from_the_mairies_administrators(
    people, sign_in, cadaujac, mapped
):
    data = _map(_client(sign_in, people["editor"]), cadaujac).json()

    centre = {row["name"]: row for row in data["communities"]}["Centre-bourg"]
    assert (centre["alerts"], centre["alerts_label"]) == (None, "< 5")
    assert centre["level_label"] == "Moins de 5 alertes"
    assert data["alerts"] == []


def test_the_map_costs_the_same_queries_whatever_the_number_of_alerts(
    people, sign_in, cadaujac, mapped, lucie_tuileries, django_assert_max_num_queries
):
    client = _client(sign_in, people["moderator"])
    # Sign-in, second factor and staff session checks included.
    with django_assert_max_num_queries(25) as few:
        assert _map(client, cadaujac).status_code == 200
    for _i in range(10):
        Alert.objects.create(
            commune=cadaujac,
            community=mapped,
            author=lucie_tuileries,
            source=AlertSource.WEB,
            category=AlertCategory.SCOUTING,
            text=ALERT_TEXT,
            expires_at=timezone.now() + timedelta(hours=6),
        )
    # As after the alerts' commit: the cached map is stale.
    figures_version_bump(commune_id=cadaujac.pk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        data = _map(client, cadaujac).json()
    assert len(data["alerts"]) == 12


def test_a_community_without_boundary_is_listed_without_place(
    people, sign_in, cadaujac, centre_bourg, jeanne_resident
):
    alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=ALERT_TEXT)

    data = _map(_client(sign_in, people["administrator"]), cadaujac).json()

    assert data["communities"][0]["boundary"] is None
    assert data["communities"][0]["alerts"] == 1
    assert data["alerts"] == []


# --- Boundaries drawn in the admin --------------------------------------------------------------


def _edit_form(community, boundary):
    return {
        "commune": str(community.commune_id),
        "name": community.name,
        "slug": community.slug,
        "kind": community.kind,
        "description": community.description,
        "boundary": boundary,
    }


@pytest.fixture
def community_edit_url(centre_bourg):
    from django.urls import reverse

    return reverse("communautes:edit", args=[centre_bourg.pk])


def test_the_community_form_offers_the_boundary_map(
    arnaud_admin, sign_in, centre_bourg, tuileries, community_edit_url
):
    tuileries.boundary = TUILERIES
    tuileries.save()

    html = sign_in(Client(), arnaud_admin).get(community_edit_url).content.decode()

    assert "data-boundary-editor" in html
    assert "leaflet/draw/leaflet.draw.js" in html
    assert "js/boundary_editor.js" in html
    assert "Les Tuileries" in html  # drawn in grey beside, for reference


def test_a_drawn_polygon_is_saved_as_geojson(
    arnaud_admin, sign_in, centre_bourg, community_edit_url
):
    feature = {"type": "Feature", "properties": {}, "geometry": SQUARE}

    response = sign_in(Client(), arnaud_admin).post(
        community_edit_url, _edit_form(centre_bourg, json.dumps(feature))
    )

    assert response.status_code == 302
    centre_bourg.refresh_from_db()
    assert centre_bourg.boundary == SQUARE


@pytest.mark.parametrize(
    ("boundary", "message"),
    [
        (json.dumps(BOW_TIE), "se recoupe lui-même"),
        (json.dumps({"type": "Point", "coordinates": [-0.53, 44.75]}), "doit être un polygone"),
        (
            json.dumps(
                {"type": "Polygon", "coordinates": [[[44.75, -0.53], [44.76, 200], [1, 1]]]}
            ),
            "hors de la Terre",
        ),
        (json.dumps({"type": "Polygon", "coordinates": [["a", "b"]]}), "illisibles"),
    ],
)
def test_an_invalid_boundary_is_refused_in_french(
    boundary, message, arnaud_admin, sign_in, centre_bourg, community_edit_url
):
    response = sign_in(Client(), arnaud_admin).post(
        community_edit_url, _edit_form(centre_bourg, boundary)
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    centre_bourg.refresh_from_db()
    assert centre_bourg.boundary is None


def test_staff_of_another_commune_cannot_edit_the_boundary(
    bertrand_admin, sign_in, centre_bourg, community_edit_url
):
    client = sign_in(Client(), bertrand_admin)

    assert client.get(community_edit_url).status_code in (302, 403, 404)
    client.post(community_edit_url, _edit_form(centre_bourg, json.dumps(SQUARE)))
    centre_bourg.refresh_from_db()
    assert centre_bourg.boundary is None


def test_boundary_rules():
    assert boundary_clean(None) is None
    assert boundary_clean({"type": "Feature", "geometry": SQUARE}) == SQUARE
    # A crescent's centroid falls outside it: its marker goes inside.
    crescent = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [4, 0], [4, 4], [0, 4], [0, 3], [3, 3], [3, 1], [0, 1], [0, 0]]],
    }
    lat, lon = boundary_centre(crescent)
    from shapely.geometry import Point, shape

    assert shape(crescent).contains(Point(lon, lat))
    assert boundary_centre(None) is None
    assert boundary_centre({"type": "Polygon", "coordinates": "nonsense"}) is None


def test_the_tile_server_must_be_https_with_its_placeholders():
    assert (
        tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    )
    assert tile_origin("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    with pytest.raises(ImproperlyConfigured):
        tile_origin("http://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(ImproperlyConfigured):
        tile_origin("https://tiles.example.org/tile.png")


def test_demo_communities_have_valid_boundaries():
    from demo.content import BOUNDARIES, COMMUNES

    names = {
        (spec["insee_code"], name) for spec in COMMUNES for name, *_rest in spec["communities"]
    }
    assert set(BOUNDARIES) == names
    for boundary in BOUNDARIES.values():
        assert boundary_clean(boundary) == boundary
    assert Community.objects.count() == 0  # nothing loaded: the data alone is checked


def test_a_configured_tile_server_is_handed_to_the_map(people, sign_in, cadaujac, mapped, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Exemple"

    html = (
        _client(sign_in, people["administrator"])
        .get(f"/admin/tableau-de-bord/?commune={cadaujac.pk}", HTTP_HOST=CADAUJAC_HOST)
        .content.decode()
    )

    config = json.loads(
        html.split('id="commune-map-config" type="application/json">')[1].split("<")[0]
    )
    assert config["tiles"] == {
        "url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "attribution": "© Exemple",
    }


def test_a_tile_server_without_its_attribution_stops_the_settings(monkeypatch):
    import importlib

    from portal.settings import maps

    monkeypatch.setenv("MAP_TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.delenv("MAP_TILE_ATTRIBUTION", raising=False)
    with pytest.raises(ImproperlyConfigured, match="MAP_TILE_ATTRIBUTION"):
        importlib.reload(maps)
    monkeypatch.setenv("MAP_TILE_ATTRIBUTION", "© Exemple")
    assert importlib.reload(maps).MAP_TILE_ORIGINS == ["https://tiles.example.org"]
    monkeypatch.delenv("MAP_TILE_URL")
    assert importlib.reload(maps).MAP_TILE_ORIGINS == []
