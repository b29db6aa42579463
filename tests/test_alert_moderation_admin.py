"""The "Modération des alertes" admin screens: the queue, one alert, each decision, as a
matrix of who may open them. Another commune's alert answers 404; a refused decision
changes nothing."""

import html

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client

from alerts.models import Alert, AlertCategory, AlertMessage, ModerationStatus
from alerts.services import alert_post
from communities.models import ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from moderation.models import Report, ReportStatus

QUEUE = "/admin/moderation-alertes/"
DETAILS = "Plaque AB-123-CD"


def body(response):
    return html.unescape(response.content.decode())


def detail_url(alert, action=""):
    return f"{QUEUE}{alert.pk}/" + (f"{action}/" if action else "")


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    user = make_user("barbara@cadaujac.test", first_name="Barbara")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def bruno_broadcaster(make_user, didenheim):
    user = make_user("bruno@didenheim.test", first_name="Bruno")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def paulette_police(make_user, cadaujac):
    user = make_user("paulette@cadaujac.test", first_name="Paulette")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def login(client, request, sign_in):
    def as_(persona):
        if persona == "anonymous":
            return Client()
        return sign_in(client, request.getfixturevalue(persona))

    return as_


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def alerts(run, cadaujac, jeanne_resident, paul_neighbour, dieter_didenheim, fake_twilio):
    """In Cadaujac: one sent alert reported by Paul, one held; in Didenheim: one sent."""
    sent = run(
        alert_post,
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette qui tourne lentement rue de la Mairie.",
        identifying_details=DETAILS,
    )
    Report.objects.create(
        commune=cadaujac,
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=sent.pk,
        reporter=paul_neighbour,
        reason="C'est le camion du boulanger.",
    )
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])
    held = run(
        alert_post,
        author=paul_neighbour,
        category=AlertCategory.CANVASSER,
        text="Vendeur de calendriers insistant impasse des Pins.",
    )
    other = run(
        alert_post,
        author=dieter_didenheim,
        category=AlertCategory.LOST_ANIMAL,
        text="Chien perdu vers le stade.",
    )
    mail.outbox.clear()
    return {"sent": sent, "held": held, "other": other}


# --- The matrix ---------------------------------------------------------------------------------

MODERATES_CADAUJAC = ["marc_moderator", "platform_admin"]
NO_ADMIN = ["anonymous", "jeanne_resident", "paulette_police"]
NOT_A_MODERATOR = ["alice_editor", "arnaud_admin", "barbara_broadcaster", "bruno_broadcaster"]


@pytest.mark.parametrize("persona", MODERATES_CADAUJAC)
def test_moderators_of_the_commune_see_the_queue_and_the_alert(persona, login, alerts):
    client = login(persona)

    queue = body(client.get(QUEUE + "?filtre=toutes"))
    page = client.get(detail_url(alerts["sent"]))

    assert "Camionnette qui tourne lentement" in queue
    assert "Vendeur de calendriers" in queue
    assert page.status_code == 200
    text = body(page)
    assert DETAILS in text
    assert "C'est le camion du boulanger." in text
    assert "Jeanne Lafargue" in text
    assert "Retirer et envoyer un rectificatif" in text


def test_the_other_communes_moderator_sees_only_their_own(login, alerts, diane_moderator):
    client = login("diane_moderator")

    queue = body(client.get(QUEUE + "?filtre=toutes"))

    assert "Chien perdu vers le stade." in queue
    assert "Camionnette" not in queue
    assert "Vendeur de calendriers" not in queue
    assert client.get(detail_url(alerts["sent"])).status_code == 404
    assert client.get(detail_url(alerts["held"])).status_code == 404
    assert client.get(detail_url(alerts["other"])).status_code == 200


@pytest.mark.parametrize("persona", NO_ADMIN + NOT_A_MODERATOR)
def test_everyone_else_is_kept_out_of_queue_and_alert(persona, login, alerts):
    client = login(persona)

    for url in (QUEUE, detail_url(alerts["sent"]), detail_url(alerts["held"])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Camionnette" not in body(response)
        assert DETAILS not in body(response)


@pytest.mark.parametrize("persona", [*NO_ADMIN, *NOT_A_MODERATOR, "diane_moderator"])
@pytest.mark.parametrize(
    ("alert_key", "action"),
    [
        ("held", "valider"),
        ("held", "refuser"),
        ("sent", "retirer"),
        ("sent", "classer"),
        ("sent", "valider"),
    ],
)
def test_decisions_are_refused_to_all_but_the_communes_moderators(
    persona, alert_key, action, login, alerts, request
):
    if persona == "diane_moderator":
        request.getfixturevalue("diane_moderator")
    alert = alerts[alert_key]
    before = alert.moderation_status

    response = login(persona).post(detail_url(alert, action), {"reason": "Parce que."})

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert not response["Location"].startswith(detail_url(alert))
    alert.refresh_from_db()
    assert alert.moderation_status == before
    assert AlertMessage.objects.filter(kind=AlertMessage.Kind.CORRECTION).count() == 0
    assert Report.objects.filter(status=ReportStatus.OPEN).count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("marc_moderator", True),
        ("diane_moderator", True),
        ("platform_admin", True),
        ("alice_editor", False),
        ("barbara_broadcaster", False),
        ("arnaud_admin", False),
    ],
)
def test_menu_item_is_shown_to_moderators_only(persona, shown, login, cadaujac, didenheim):
    page = login(persona).get("/admin/")

    assert page.status_code == 200
    assert (QUEUE in body(page)) is shown


# --- Each decision through the screen ------------------------------------------------------------


def test_moderator_approves_a_held_alert_and_it_leaves(
    login, alerts, marc_moderator, django_capture_on_commit_callbacks, fake_twilio
):
    client = login("marc_moderator")
    held = alerts["held"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(held, "valider"), {"reason": ""})

    assert response.status_code == 302
    assert response["Location"] == detail_url(held)
    held.refresh_from_db()
    assert held.moderation_status == ModerationStatus.APPROVED
    assert held.messages.get().deliveries.exists()
    page = body(client.get(detail_url(held)))
    assert "Alerte validée." in page
    assert "Validée" in page  # in the history


def test_moderator_refuses_a_held_alert_with_a_reason(login, alerts, marc_moderator):
    client = login("marc_moderator")
    held = alerts["held"]

    without = client.post(detail_url(held, "refuser"), {"reason": "  "})
    held.refresh_from_db()
    assert without.status_code == 400
    assert "Indiquez le motif" in body(without)
    assert held.moderation_status == ModerationStatus.HELD

    client.post(detail_url(held, "refuser"), {"reason": "Démarchage autorisé par la mairie."})
    held.refresh_from_db()
    assert held.moderation_status == ModerationStatus.REJECTED
    page = body(client.get(detail_url(held)))
    assert "Refusée" in page
    assert "Démarchage autorisé par la mairie." in page


def test_moderator_retracts_a_sent_alert_from_the_screen(
    login, alerts, marc_moderator, django_capture_on_commit_callbacks, fake_twilio
):
    client = login("marc_moderator")
    sent = alerts["sent"]
    recipients = set(sent.messages.get().deliveries.values_list("user_id", "channel"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            detail_url(sent, "retirer"), {"reason": "Le boulanger, vérifié.", "confirm": "1"}
        )

    sent.refresh_from_db()
    correction = sent.messages.get(kind=AlertMessage.Kind.CORRECTION)
    assert sent.moderation_status == ModerationStatus.RETRACTED
    assert set(correction.deliveries.values_list("user_id", "channel")) == recipients
    assert Report.objects.get().status == ReportStatus.UPHELD
    # The author is told why; the others get the correction itself.
    (notice,) = [m for m in mail.outbox if m.to == ["jeanne@cadaujac.test"]]
    assert "Le boulanger, vérifié." in notice.body
    corrections = [m for m in mail.outbox if m.to != ["jeanne@cadaujac.test"]]
    assert corrections
    assert all("Rectificatif" in m.body for m in corrections)


def test_moderator_dismisses_the_reports(login, alerts, marc_moderator):
    client = login("marc_moderator")
    sent = alerts["sent"]

    client.post(detail_url(sent, "classer"), {"reason": "Rien d'anormal."})

    report = Report.objects.get()
    sent.refresh_from_db()
    assert report.status == ReportStatus.DISMISSED
    assert report.handled_by.email == "marc@cadaujac.test"
    assert sent.moderation_status == ModerationStatus.APPROVED
    reported = body(client.get(QUEUE + "?filtre=signalees"))
    assert "Camionnette" not in reported


def test_an_unknown_action_is_404(login, alerts, marc_moderator):
    response = login("marc_moderator").post(detail_url(alerts["sent"], "supprimer"), {})

    assert response.status_code == 404


def test_queue_filters_show_what_awaits(login, alerts, marc_moderator):
    client = login("marc_moderator")

    to_review = body(client.get(QUEUE))
    held = body(client.get(QUEUE + "?filtre=retenues"))
    reported = body(client.get(QUEUE + "?filtre=signalees"))

    assert "Camionnette" in to_review
    assert "Vendeur de calendriers" not in to_review
    assert "Vendeur de calendriers" in held
    assert "Camionnette" not in held
    assert "Camionnette" in reported
    assert "C'est le camion du boulanger." in reported  # the report's reason
    assert "Vendeur de calendriers" not in reported
    assert "Chien perdu" not in to_review + held + reported
