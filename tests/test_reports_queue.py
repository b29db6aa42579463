"""The "Signalements" admin queue: reported items of any kind, grouped per item, for the
commune's moderators and the platform team only; each action (hide, dismiss, warn,
suspend) refused to everyone else, recorded when done, and seen by readers.

Matrix: anonymous / resident / editor / moderator of the commune / moderator of another
commune / platform team. Another commune's item answers 404; a refused action changes
nothing.
"""

import html
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.test import Client
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertEvent, ModerationStatus
from alerts.services import alert_post
from moderation.models import ModerationAction, ModerationActionKind, Report, ReportStatus
from moderation.reportables import report_create
from moderation.suspensions import member_is_suspended
from notifications.models import Channel, Delivery, DeliveryStatus

QUEUE = "/admin/signalements/"


def body(response) -> str:
    return html.unescape(response.content.decode())


def item_url(content, action=""):
    content_type = ContentType.objects.get_for_model(content)
    url = f"{QUEUE}{content_type.pk}/{content.pk}/"
    return url + (f"{action}/" if action else "")


@pytest.fixture
def didier_village(make_member, village):
    return make_member("didier@didenheim.test", village, first_name="Didier", last_name="Koch")


@pytest.fixture
def reported(cadaujac, jeanne_resident, paul_neighbour, dieter_didenheim, didier_village):
    """Jeanne's alert in Cadaujac reported by Paul; Dieter's in Didenheim by Didier."""
    cadaujac_alert = alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text="Camionnette blanche qui relève les boîtes aux lettres.",
    )
    report_create(content=cadaujac_alert, reporter=paul_neighbour, reason="C'est le facteur.")
    didenheim_alert = alert_post(
        author=dieter_didenheim,
        category=AlertCategory.LOST_ANIMAL,
        text="Chien perdu vers le stade de Didenheim.",
    )
    report_create(content=didenheim_alert, reporter=didier_village, reason="Chien retrouvé.")
    mail.outbox.clear()
    return {"cadaujac": cadaujac_alert, "didenheim": didenheim_alert}


@pytest.fixture
def login(request, sign_in):
    def as_(persona):
        client = Client()
        if persona == "anonymous":
            return client
        return sign_in(client, request.getfixturevalue(persona))

    return as_


# --- Who sees the queue and an item ---------------------------------------------------------

SEES_CADAUJAC = ["marc_moderator", "platform_admin"]
NO_ADMIN = ["anonymous", "jeanne_resident", "paul_neighbour"]
NOT_A_MODERATOR = ["alice_editor", "arnaud_admin"]


@pytest.mark.parametrize("persona", SEES_CADAUJAC)
def test_cadaujacs_moderators_see_the_reported_alert_with_its_reason(persona, login, reported):
    client = login(persona)

    queue = client.get(QUEUE)
    detail = client.get(item_url(reported["cadaujac"]))

    assert queue.status_code == 200
    assert "Camionnette blanche" in body(queue)
    assert "C'est le facteur." in body(queue)
    assert detail.status_code == 200
    assert "Camionnette blanche" in body(detail)
    assert "Jeanne Lafargue" in body(detail)


def test_the_platform_team_sees_every_communes_reports(login, reported):
    queue = body(login("platform_admin").get(QUEUE))

    assert "Camionnette blanche" in queue
    assert "Chien perdu vers le stade" in queue


def test_a_moderator_of_another_commune_sees_only_their_own(login, reported, diane_moderator):
    client = login("diane_moderator")

    queue = body(client.get(QUEUE))

    assert "Chien perdu vers le stade" in queue
    assert "Chien retrouvé." in queue
    assert "Camionnette" not in queue
    assert "C'est le facteur." not in queue
    detail = client.get(item_url(reported["cadaujac"]))
    assert detail.status_code == 404
    assert "Camionnette" not in body(detail)
    assert client.get(item_url(reported["didenheim"])).status_code == 200


def test_cadaujacs_moderator_never_sees_didenheims_report(login, reported):
    client = login("marc_moderator")

    assert "Chien perdu" not in body(client.get(QUEUE))
    assert client.get(item_url(reported["didenheim"])).status_code == 404


@pytest.mark.parametrize("persona", NO_ADMIN + NOT_A_MODERATOR)
def test_everyone_else_is_kept_out_of_the_queue_and_the_item(persona, login, reported):
    client = login(persona)

    for url in (QUEUE, item_url(reported["cadaujac"]), item_url(reported["didenheim"])):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), (persona, url)
        assert "Camionnette" not in body(response)
        assert "C'est le facteur." not in body(response)


def test_an_unreported_item_or_unknown_kind_answers_404(login, reported, jeanne_resident):
    client = login("marc_moderator")
    unreported = alert_post(
        author=jeanne_resident, category=AlertCategory.OTHER, text="Coupure d'eau rue Neuve."
    )

    assert client.get(item_url(unreported)).status_code == 404
    assert client.get(f"{QUEUE}999999/{reported['cadaujac'].pk}/").status_code == 404


@pytest.mark.parametrize(
    ("persona", "shown"),
    [
        ("marc_moderator", True),
        ("diane_moderator", True),
        ("platform_admin", True),
        ("alice_editor", False),
        ("arnaud_admin", False),
    ],
)
def test_the_menu_entry_is_for_moderators_with_their_count(
    persona, shown, login, reported, request
):
    request.getfixturevalue(persona)

    page = body(login(persona).get("/admin/"))

    assert (QUEUE in page) is shown
    if persona == "marc_moderator":
        assert "Signalements (1)" in page
    if persona == "platform_admin":
        assert "Signalements (2)" in page


def test_reports_on_one_item_are_grouped_with_all_their_reasons(
    login, reported, lucie_tuileries, rene_referent
):
    alert = reported["cadaujac"]
    report_create(content=alert, reporter=rene_referent, reason="Je connais ce véhicule.")

    queue = body(login("marc_moderator").get(QUEUE))

    assert queue.count("Camionnette blanche") == 1
    assert "2 signalements" in queue
    assert "C'est le facteur." in queue
    assert "Je connais ce véhicule." in queue
    assert AlertEvent.objects.filter(alert=alert, action=AlertEvent.Action.REPORTED).count() == 2


# --- Every action refused to all but the commune's moderators --------------------------------

ACTIONS = {
    "masquer": {"masquer-note": "Fausse alerte."},
    "classer": {"classer-note": "Rien d'anormal."},
    "avertir": {"avertir-note": "Merci de vérifier avant d'alerter."},
    "suspendre": {"suspendre-note": "Alertes répétées sans fondement.", "suspendre-days": "7"},
}


@pytest.mark.parametrize("persona", [*NO_ADMIN, *NOT_A_MODERATOR, "diane_moderator"])
@pytest.mark.parametrize("action", ACTIONS)
def test_actions_are_refused_to_all_but_the_communes_moderators(
    persona, action, login, reported, request, django_capture_on_commit_callbacks
):
    request.getfixturevalue("diane_moderator")
    alert = reported["cadaujac"]

    with django_capture_on_commit_callbacks(execute=True):
        response = login(persona).post(item_url(alert, action), ACTIONS[action])

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert not response["Location"].startswith(QUEUE)
    alert.refresh_from_db()
    assert alert.moderation_status == ModerationStatus.TO_REVIEW
    assert Report.objects.get(object_id=alert.pk).status == ReportStatus.OPEN
    assert not ModerationAction.objects.exists()
    assert mail.outbox == []
    assert not member_is_suspended(user=alert.author, commune=alert.commune)


def test_an_unknown_action_answers_404(login, reported):
    response = login("marc_moderator").post(
        item_url(reported["cadaujac"], "supprimer"), {"supprimer-note": "x"}
    )

    assert response.status_code == 404
    assert not ModerationAction.objects.exists()


# --- Each action, done -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", SEES_CADAUJAC)
def test_hiding_a_reported_alert_withdraws_it_from_its_readers(
    persona, login, reported, paul_neighbour, django_capture_on_commit_callbacks, fake_twilio
):
    alert = reported["cadaujac"]
    assert Alert.objects.visible_to(paul_neighbour).filter(pk=alert.pk).exists()
    client = login(persona)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(item_url(alert, "masquer"), {"masquer-note": "Fausse alerte."})

    assert response.status_code == 302
    assert response["Location"] == QUEUE
    alert.refresh_from_db()
    assert alert.moderation_status == ModerationStatus.RETRACTED
    assert not Alert.objects.visible_to(paul_neighbour).filter(pk=alert.pk).exists()
    assert "Camionnette" not in body(Client().get("/"))
    report = Report.objects.get(object_id=alert.pk)
    assert report.status == ReportStatus.UPHELD
    assert report.decision_note == "Fausse alerte."
    action = ModerationAction.objects.get()
    assert action.kind == ModerationActionKind.HIDE
    assert action.actor.email in ("marc@cadaujac.test", "platform@voisinage.test")
    assert action.author == alert.author
    assert action.note == "Fausse alerte."
    assert action.reports_closed == 1
    assert action.commune == alert.commune
    assert "Camionnette" not in body(client.get(QUEUE))
    detail = body(client.get(item_url(alert)))
    assert "Contenu masqué ou retiré" in detail
    assert "Fausse alerte." in detail
    assert [m.to for m in mail.outbox] == [["jeanne@cadaujac.test"]]
    assert "Fausse alerte." in mail.outbox[0].body


def test_dismissing_closes_the_reports_and_keeps_the_alert(
    login, reported, paul_neighbour, marc_moderator
):
    alert = reported["cadaujac"]

    response = login("marc_moderator").post(
        item_url(alert, "classer"), {"classer-note": "C'est bien le facteur."}
    )

    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.moderation_status == ModerationStatus.TO_REVIEW
    assert Alert.objects.visible_to(paul_neighbour).filter(pk=alert.pk).exists()
    report = Report.objects.get(object_id=alert.pk)
    assert report.status == ReportStatus.DISMISSED
    assert report.handled_by == marc_moderator
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.note, action.reports_closed) == (
        ModerationActionKind.DISMISS,
        marc_moderator,
        "C'est bien le facteur.",
        1,
    )
    assert mail.outbox == []


def test_warning_the_author_e_mails_the_moderators_note_in_french(
    login, reported, marc_moderator, django_capture_on_commit_callbacks
):
    alert = reported["cadaujac"]

    with django_capture_on_commit_callbacks(execute=True):
        response = login("marc_moderator").post(
            item_url(alert, "avertir"), {"avertir-note": "Vérifiez avant d'alerter, merci."}
        )

    assert response.status_code == 302
    assert response["Location"] == item_url(alert)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jeanne@cadaujac.test"]
    assert "Avertissement de la modération — Cadaujac" in message.subject
    assert "Vérifiez avant d'alerter, merci." in message.body
    action = ModerationAction.objects.get()
    assert (action.kind, action.actor, action.author) == (
        ModerationActionKind.WARN,
        marc_moderator,
        alert.author,
    )
    assert Report.objects.get(object_id=alert.pk).status == ReportStatus.OPEN


def test_an_author_without_e_mail_is_warned_by_sms(
    login,
    cadaujac,
    centre_bourg,
    make_member,
    paul_neighbour,
    marc_moderator,
    django_capture_on_commit_callbacks,
):
    sms_only = make_member(
        "", centre_bourg, first_name="Odette", last_name="Sans-Mail", phone="+33612345678"
    )
    alert = alert_post(author=sms_only, category=AlertCategory.OTHER, text="Lampadaire cassé.")
    report_create(content=alert, reporter=paul_neighbour, reason="Pas une alerte.")

    with django_capture_on_commit_callbacks(execute=True):
        response = login("marc_moderator").post(
            item_url(alert, "avertir"), {"avertir-note": "Écrivez à la mairie pour cela."}
        )

    assert response.status_code == 302
    sms = Delivery.objects.get(channel=Channel.SMS, user__phone="+33612345678")
    assert "Écrivez à la mairie pour cela." in sms.message.text
    assert sms.status == DeliveryStatus.SENT
    assert mail.outbox == []
    assert ModerationAction.objects.get().kind == ModerationActionKind.WARN


def test_suspending_the_author_stops_them_posting_in_that_commune_only(
    login,
    reported,
    jeanne_resident,
    cadaujac,
    didenheim,
    diane_moderator,
    django_capture_on_commit_callbacks,
):
    alert = reported["cadaujac"]

    with django_capture_on_commit_callbacks(execute=True):
        response = login("marc_moderator").post(
            item_url(alert, "suspendre"),
            {"suspendre-note": "Alertes répétées sans fondement.", "suspendre-days": "7"},
        )

    assert response.status_code == 302
    action = ModerationAction.objects.get()
    assert action.kind == ModerationActionKind.SUSPEND
    assert action.author == jeanne_resident
    expected_end = timezone.now() + timedelta(days=7)
    assert abs((action.suspended_until - expected_end).total_seconds()) < 60
    assert member_is_suspended(user=jeanne_resident, commune=cadaujac)
    assert not member_is_suspended(user=jeanne_resident, commune=didenheim)
    assert len(mail.outbox) == 1
    assert "suspendu votre participation" in mail.outbox[0].body
    assert "Alertes répétées sans fondement." in mail.outbox[0].body
    in_force = body(login("marc_moderator").get(QUEUE)).split('id="suspensions-title"')[1]
    assert "Jeanne Lafargue" in in_force
    assert "Jeanne" not in body(login("diane_moderator").get(QUEUE))


def test_a_suspension_ends_by_itself(login, reported, jeanne_resident, cadaujac):
    login("marc_moderator").post(
        item_url(reported["cadaujac"], "suspendre"),
        {"suspendre-note": "Propos déplacés.", "suspendre-days": "1"},
    )
    assert member_is_suspended(user=jeanne_resident, commune=cadaujac)

    ModerationAction.objects.update(suspended_until=timezone.now() - timedelta(seconds=1))

    assert not member_is_suspended(user=jeanne_resident, commune=cadaujac)


@pytest.mark.parametrize(
    ("action", "data", "message"),
    [
        ("masquer", {"masquer-note": "   "}, "Écrivez une note"),
        ("classer", {}, "Écrivez une note"),
        ("avertir", {"avertir-note": "x" * 501}, "500"),
        ("suspendre", {"suspendre-note": "Motif.", "suspendre-days": "0"}, "1 à 365 jours"),
        ("suspendre", {"suspendre-note": "Motif.", "suspendre-days": "400"}, "1 à 365 jours"),
        ("suspendre", {"suspendre-note": "Motif.", "suspendre-days": "sept"}, "nombre entier"),
        ("suspendre", {"suspendre-days": "7"}, "Écrivez une note"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(action, data, message, login, reported):
    alert = reported["cadaujac"]

    response = login("marc_moderator").post(item_url(alert, action), data)

    assert response.status_code == 400
    assert message in body(response)
    alert.refresh_from_db()
    assert alert.moderation_status == ModerationStatus.TO_REVIEW
    assert Report.objects.get(object_id=alert.pk).status == ReportStatus.OPEN
    assert not ModerationAction.objects.exists()
    assert mail.outbox == []


def test_a_decision_already_taken_is_not_taken_twice(login, reported):
    alert = reported["cadaujac"]
    client = login("marc_moderator")
    client.post(item_url(alert, "classer"), {"classer-note": "Rien à signaler."})

    response = client.post(item_url(alert, "classer"), {"classer-note": "Encore."})

    assert response.status_code == 400
    assert "déjà été traités" in body(response)
    assert ModerationAction.objects.count() == 1


def test_a_moderator_cannot_suspend_themself(cadaujac, centre_bourg, make_member, request):
    from communities.models import StaffRole
    from communities.services import staff_role_grant

    paul = request.getfixturevalue("paul_neighbour")
    mod_resident = make_member(
        "modo@cadaujac.test", centre_bourg, first_name="Modo", last_name="Voisin"
    )
    staff_role_grant(user=mod_resident, commune=cadaujac, role=StaffRole.MODERATOR)
    alert = alert_post(author=mod_resident, category=AlertCategory.OTHER, text="Travaux.")
    report_create(content=alert, reporter=paul, reason="Hors sujet.")

    client = request.getfixturevalue("sign_in")(Client(), mod_resident)
    response = client.post(
        item_url(alert, "suspendre"), {"suspendre-note": "Test.", "suspendre-days": "3"}
    )

    assert response.status_code == 400
    assert not member_is_suspended(user=mod_resident, commune=cadaujac)


def test_the_queue_renders_in_a_fixed_number_of_queries(
    login, cadaujac, centre_bourg, jeanne_resident, paul_neighbour
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alerts.models import AlertSource

    client = login("marc_moderator")

    def add_reported_alerts(start, count):
        for number in range(start, start + count):
            alert = Alert.objects.create(
                commune=cadaujac,
                community=centre_bourg,
                author=jeanne_resident,
                source=AlertSource.WEB,
                category=AlertCategory.OTHER,
                text=f"Alerte numéro {number}",
                expires_at=timezone.now() + timedelta(hours=6),
            )
            Report.objects.create(
                commune=cadaujac,
                content_type=ContentType.objects.get_for_model(Alert),
                object_id=alert.pk,
                reporter=paul_neighbour,
                reason=f"Motif {number}",
            )

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE)
        assert response.status_code == 200
        return len(captured)

    add_reported_alerts(0, 2)
    client.get(QUEUE)  # warm caches (content types, site root paths)
    few = queries()
    add_reported_alerts(2, 20)
    many = queries()

    assert "Alerte numéro 21" in body(client.get(QUEUE))
    assert many == few


@pytest.fixture
def suspended(login, reported, jeanne_resident, cadaujac):
    login("marc_moderator").post(
        item_url(reported["cadaujac"], "suspendre"),
        {"suspendre-note": "Alertes répétées.", "suspendre-days": "30"},
    )
    mail.outbox.clear()
    return ModerationAction.objects.get(kind=ModerationActionKind.SUSPEND)


def test_a_moderator_lifts_a_suspension_early_and_it_is_recorded(
    login, suspended, jeanne_resident, cadaujac, marc_moderator, django_capture_on_commit_callbacks
):
    client = login("marc_moderator")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{QUEUE}suspensions/{suspended.pk}/lever/",
            {f"lever-{suspended.pk}-note": "Excuses présentées en mairie."},
        )

    assert response.status_code == 302
    assert not member_is_suspended(user=jeanne_resident, commune=cadaujac)
    lifted = ModerationAction.objects.get(kind=ModerationActionKind.LIFT)
    assert (lifted.actor, lifted.author, lifted.note) == (
        marc_moderator,
        jeanne_resident,
        "Excuses présentées en mairie.",
    )
    assert "Excuses présentées en mairie." in mail.outbox[0].body
    assert "Aucun membre suspendu" in body(client.get(QUEUE))


@pytest.mark.parametrize(
    "persona", ["anonymous", "jeanne_resident", "alice_editor", "diane_moderator"]
)
def test_nobody_else_lifts_a_suspension(persona, login, suspended, jeanne_resident, cadaujac):
    response = login(persona).post(
        f"{QUEUE}suspensions/{suspended.pk}/lever/",
        {f"lever-{suspended.pk}-note": "Pourquoi pas."},
    )

    assert response.status_code in (302, 403, 404)
    if response.status_code == 302:
        assert not response["Location"].startswith(QUEUE)
    assert member_is_suspended(user=jeanne_resident, commune=cadaujac)
    assert not ModerationAction.objects.filter(kind=ModerationActionKind.LIFT).exists()


def test_lifting_without_a_note_is_explained_and_changes_nothing(
    login, suspended, jeanne_resident, cadaujac
):
    response = login("marc_moderator").post(f"{QUEUE}suspensions/{suspended.pk}/lever/", {})

    assert response.status_code == 400
    assert "Écrivez une note" in body(response)
    assert member_is_suspended(user=jeanne_resident, commune=cadaujac)
