"""The mairie alerts the commune from the admin: form, confirmation with reach and cost,
sending, status page; only broadcasters of that commune, and nothing sent otherwise."""

import html
from decimal import Decimal

import pytest
from django.test import Client

from accounts.models import Profile
from alerts.broadcast import broadcast_estimate, broadcast_reach
from alerts.models import Alert, AlertCategory
from communities.models import StaffRole
from communities.services import staff_role_grant
from notifications.models import Channel, Delivery

FORM_URL = "/admin/alerter/"


def body(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    """Barbara sends the mairie of Cadaujac's alerts."""
    user = make_user("barbara@cadaujac.test", first_name="Barbara", last_name="Lamothe")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def bruno_broadcaster(make_user, didenheim):
    """Bruno sends Didenheim's alerts: the other commune."""
    user = make_user("bruno@didenheim.test", first_name="Bruno", last_name="Muller")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def paulette_police(make_user, cadaujac):
    user = make_user("paulette@cadaujac.test", first_name="Paulette", phone="+33612340099")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def residents(jeanne_resident, paul_neighbour, lucie_tuileries, dieter_didenheim):
    """Jeanne (SMS + e-mail) and Paul (e-mail) in Centre-bourg, Lucie in Les Tuileries with
    SMS turned off, Dieter in Didenheim."""
    from accounts.models import User

    User.objects.filter(pk=lucie_tuileries.pk).update(phone="+33612340001")
    Profile.objects.create(user=lucie_tuileries, alerts_by_sms=False)
    return {"jeanne": jeanne_resident, "paul": paul_neighbour, "lucie": lucie_tuileries}


@pytest.fixture
def login(client, request, sign_in):
    def as_(persona):
        if persona == "anonymous":
            return Client()
        return sign_in(client, request.getfixturevalue(persona))

    return as_


def form_data(commune, **overrides):
    data = {
        "commune": commune.pk,
        "category": AlertCategory.ROADWORKS,
        "text": "Route de Bordeaux fermée lundi de 8h à 17h pour travaux.",
        "target": "commune",
        "urgent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def run(django_capture_on_commit_callbacks, call):
    with django_capture_on_commit_callbacks(execute=True):
        return call()


# --- The whole path: form, confirmation, sending, status ---------------------------------------


def test_broadcaster_sees_the_form_with_their_commune_chosen(login, barbara_broadcaster, cadaujac):
    page = login("barbara_broadcaster").get(FORM_URL)

    assert page.status_code == 200
    text = body(page)
    assert "Alerter la commune" in text
    assert f'value="{cadaujac.pk}" selected' in text
    assert "Translittérer en GSM-7" in text


def test_first_post_shows_reach_text_segments_and_cost_and_sends_nothing(
    login, barbara_broadcaster, cadaujac, residents, paulette_police, fake_twilio
):
    client = login("barbara_broadcaster")

    page = client.post(FORM_URL, form_data(cadaujac))

    assert page.status_code == 200
    text = body(page)
    assert "Vérifiez avant d'envoyer" in text
    # SMS: Jeanne and the police (Lucie turned SMS off, Paul has no phone).
    assert '<th scope="row">SMS</th><td>2</td>' in text
    # E-mail: Jeanne, Paul, Lucie and the police.
    assert '<th scope="row">E-mail</th><td>4</td>' in text
    assert "Alerte Cadaujac - Voirie : Route de Bordeaux fermée lundi de 8h à 17h" in text
    # The heading is GSM-7 and so is this text (« é », « à » belong to it): one segment.
    assert "UCS-2" not in text
    assert "Confirmer et envoyer" in text
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()
    assert fake_twilio.requests == []


def test_confirming_sends_and_leads_to_the_status_page(
    login,
    barbara_broadcaster,
    cadaujac,
    residents,
    paulette_police,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    client = login("barbara_broadcaster")

    sent = run(
        django_capture_on_commit_callbacks,
        lambda: client.post(FORM_URL, form_data(cadaujac, confirmed="1", transliterate="on")),
    )

    alert = Alert.objects.get()
    assert sent.status_code == 302
    assert sent["Location"] == f"/admin/alerter/{alert.pk}/"
    assert alert.commune == cadaujac
    assert alert.author == barbara_broadcaster
    assert sorted(r.params["To"] for r in fake_twilio.requests) == [
        "+33611223344",
        "+33612340099",
    ]
    # Transliterated: one GSM-7 segment.
    assert fake_twilio.requests[0].params["Body"].startswith("Alerte Cadaujac - Voirie : ")
    status = body(client.get(sent["Location"]))
    assert "Envois par canal" in status
    assert "Route de Bordeaux fermée lundi" in status
    assert f"{cadaujac.site.root_url}/alertes/{alert.pk}/" in status


def test_reach_shown_equals_the_deliveries_written(
    barbara_broadcaster,
    cadaujac,
    centre_bourg,
    tuileries,
    residents,
    paulette_police,
    fake_twilio,
    push_device,
    django_capture_on_commit_callbacks,
):
    from alerts.services import broadcast_post

    push_device(residents["jeanne"])
    for communities in ([], [tuileries], [centre_bourg, tuileries]):
        reach = broadcast_reach(
            commune=cadaujac, communities=communities, author=barbara_broadcaster
        )
        alert = run(
            django_capture_on_commit_callbacks,
            lambda communities=communities: broadcast_post(
                author=barbara_broadcaster,
                commune=cadaujac,
                category=AlertCategory.WEATHER,
                text="Vigilance orange vents violents cette nuit.",
                communities=communities,
            ),
        )
        written = {
            channel: Delivery.objects.filter(
                message__alert_message__alert=alert, channel=channel
            ).count()
            for channel in Channel.values
        }
        assert reach == written
    assert reach[Channel.SMS] == 2
    assert reach[Channel.EMAIL] == 4
    assert reach[Channel.PUSH] == 1


def test_a_broadcast_to_chosen_communities_reaches_only_them(
    login,
    barbara_broadcaster,
    cadaujac,
    tuileries,
    residents,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    client = login("barbara_broadcaster")

    run(
        django_capture_on_commit_callbacks,
        lambda: client.post(
            FORM_URL,
            form_data(cadaujac, target="communities", communities=[tuileries.pk], confirmed="1"),
        ),
    )

    alert = Alert.objects.get()
    assert list(alert.communities.all()) == [tuileries]
    reached = set(Delivery.objects.values_list("user__email", flat=True))
    assert reached == {"lucie@cadaujac.test"}


# --- Segments and cost ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "transliterate", "encoding", "segments"),
    [
        ("Coupure d'eau rue des Ecoles demain matin.", True, "GSM-7", 1),
        # « é » is in the GSM-7 alphabet: still one segment.
        ("Coupure d'eau rue des Écoles demain matin, fête annulée.", True, "GSM-7", 1),
        # « ’ » is not: left as it is, the whole SMS is UCS-2 (67 characters a segment when
        # split): 135 characters cost three segments instead of one.
        (
            "Coupure d’eau rue des Écoles demain matin de 8h à 12h ; prévoyez des réserves.",
            False,
            "UCS-2",
            3,
        ),
        (
            "Coupure d’eau rue des Écoles demain matin de 8h à 12h ; prévoyez des réserves.",
            True,
            "GSM-7",
            1,
        ),
    ],
)
def test_segments_encoding_and_cost_of_a_broadcast(
    settings,
    barbara_broadcaster,
    cadaujac,
    residents,
    paulette_police,
    text,
    transliterate,
    encoding,
    segments,
):
    settings.SMS_PRICE_PER_SEGMENT = 0.045
    settings.SMS_RATE_PER_SECOND = 10

    estimate = broadcast_estimate(
        commune=cadaujac,
        category=AlertCategory.OTHER_RISK,
        text=text,
        transliterate=transliterate,
        author=barbara_broadcaster,
    )

    assert estimate.segmentation.encoding == encoding
    assert estimate.segmentation.segments == segments
    assert estimate.sms_count == 2
    assert estimate.cost == (Decimal("0.045") * 2 * segments).quantize(Decimal("0.01"))
    assert estimate.sms_seconds == pytest.approx(0.2)
    if transliterate:
        assert "’" not in estimate.sms_text
        assert "—" not in estimate.sms_text


def test_confirmation_states_cost_and_when_the_last_sms_leaves(
    settings, login, barbara_broadcaster, cadaujac, residents, paulette_police
):
    settings.SMS_PRICE_PER_SEGMENT = 0.5
    settings.SMS_RATE_PER_SECOND = 1

    text = body(login("barbara_broadcaster").post(FORM_URL, form_data(cadaujac)))

    # 2 SMS × 1 GSM-7 segment × 0,50 € = 1,00 €; 2 SMS at 1 a second: about 2 s.
    assert "1,00 € (2 SMS × 1 segment(s) × 0,5 €)" in text
    assert "environ 2 s au débit contracté" in text


# --- Bad input and crafted requests: refused, nothing sent ---------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"text": "   "}, "Champ requis."),
        ({"text": "x" * 481}, "481"),
        ({"category": AlertCategory.BURGLARY}, "Sélectionnez un choix valide"),
        ({"target": "communities"}, "Cochez au moins une communauté."),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_sent(
    login, barbara_broadcaster, cadaujac, residents, overrides, message, fake_twilio
):
    page = login("barbara_broadcaster").post(
        FORM_URL, form_data(cadaujac, confirmed="1", **overrides)
    )

    assert page.status_code == 200
    assert message in body(page)
    assert not Alert.objects.exists()
    assert fake_twilio.requests == []


def test_another_communes_id_is_refused(
    login, barbara_broadcaster, didenheim, dieter_didenheim, fake_twilio
):
    page = login("barbara_broadcaster").post(FORM_URL, form_data(didenheim, confirmed="1"))

    assert page.status_code == 200
    assert "Sélectionnez un choix valide" in body(page)
    assert not Alert.objects.exists()
    assert not Delivery.objects.exists()


def test_another_communes_communities_are_refused(
    login, barbara_broadcaster, cadaujac, village, dieter_didenheim, fake_twilio
):
    page = login("barbara_broadcaster").post(
        FORM_URL,
        form_data(cadaujac, target="communities", communities=[village.pk], confirmed="1"),
    )

    assert page.status_code == 200
    assert "Sélectionnez un choix valide" in body(page)
    assert not Alert.objects.exists()


def test_a_broadcaster_of_both_communes_cannot_mix_their_communities(
    login, barbara_broadcaster, cadaujac, didenheim, village, dieter_didenheim
):
    staff_role_grant(user=barbara_broadcaster, commune=didenheim, role=StaffRole.BROADCASTER)

    page = login("barbara_broadcaster").post(
        FORM_URL,
        form_data(cadaujac, target="communities", communities=[village.pk], confirmed="1"),
    )

    assert "Ces communautés ne sont pas de la commune choisie." in body(page)
    assert not Alert.objects.exists()


# --- Who may use the screens: the matrix --------------------------------------------------------

REFUSED = [
    "anonymous",
    "jeanne_resident",
    "alice_editor",
    "marc_moderator",
    "diane_moderator",
    "paulette_police",
    "arnaud_admin",
]


@pytest.mark.parametrize("persona", REFUSED)
def test_only_broadcasters_open_the_broadcast_screens(
    persona, login, barbara_broadcaster, cadaujac, fake_twilio
):
    from alerts.services import broadcast_post

    existing = broadcast_post(
        author=barbara_broadcaster,
        commune=cadaujac,
        category=AlertCategory.STRIKE,
        text="Grève : cantine fermée jeudi.",
    )
    client = login(persona)

    page = client.get(FORM_URL)
    status = client.get(f"/admin/alerter/{existing.pk}/")
    sent = client.post(FORM_URL, form_data(cadaujac, confirmed="1"))

    assert page.status_code in (302, 403, 404)
    assert status.status_code in (302, 403, 404)
    assert sent.status_code in (302, 403, 404)
    assert "Alerter la commune" not in body(page)
    assert "cantine fermée" not in body(status)
    assert list(Alert.objects.all()) == [existing]
    assert fake_twilio.requests == []


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("barbara_broadcaster", True),
        ("bruno_broadcaster", True),
        ("platform_admin", True),
        ("alice_editor", False),
        ("marc_moderator", False),
        ("arnaud_admin", False),
    ],
)
def test_menu_item_is_shown_to_broadcasters_only(persona, shown, login, cadaujac, didenheim):
    page = login(persona).get("/admin/")

    assert page.status_code == 200
    assert (FORM_URL in body(page)) is shown


def test_broadcaster_of_the_other_commune_cannot_open_or_send_here(
    login,
    bruno_broadcaster,
    barbara_broadcaster,
    cadaujac,
    didenheim,
    residents,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    from alerts.services import broadcast_post

    ours = run(
        django_capture_on_commit_callbacks,
        lambda: broadcast_post(
            author=barbara_broadcaster,
            commune=cadaujac,
            category=AlertCategory.STRIKE,
            text="Grève : cantine fermée jeudi.",
        ),
    )
    before = Delivery.objects.count()
    client = login("bruno_broadcaster")

    form = body(client.get(FORM_URL))
    status = client.get(f"/admin/alerter/{ours.pk}/")
    sent = client.post(FORM_URL, form_data(cadaujac, confirmed="1"))

    assert "Cadaujac" not in form
    assert status.status_code == 404
    assert "Sélectionnez un choix valide" in body(sent)
    assert Alert.objects.count() == 1
    assert Delivery.objects.count() == before


def test_platform_team_may_broadcast_for_any_commune(
    login, platform_admin, cadaujac, didenheim, dieter_didenheim, fake_twilio
):
    page = login("platform_admin").post(FORM_URL, form_data(didenheim))

    assert page.status_code == 200
    assert "Vérifiez avant d'envoyer" in body(page)


def test_a_non_urgent_broadcast_at_night_says_when_sms_and_push_will_go(
    login,
    barbara_broadcaster,
    cadaujac,
    residents,
    fake_twilio,
    django_capture_on_commit_callbacks,
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    saturday_night = datetime(2026, 11, 28, 22, 30, tzinfo=ZoneInfo("Europe/Paris"))
    with time_machine.travel(saturday_night, tick=False):
        client = login("barbara_broadcaster")
        data = form_data(cadaujac, urgent=None)
        confirm = body(client.post(FORM_URL, data))
        sent = run(
            django_capture_on_commit_callbacks,
            lambda: client.post(FORM_URL, {**data, "confirmed": "1"}),
        )
        status = body(client.get(sent["Location"]))

    assert "les SMS et notifications attendront le lundi 30 novembre à 08:00" in confirm
    assert "SMS et notifications partent le lundi 30 novembre à 08:00" in status
    assert Alert.objects.get().messages.get().not_before == datetime(
        2026, 11, 30, 8, tzinfo=ZoneInfo("Europe/Paris")
    )
