"""The alert pages a resident uses on their commune's site: the list, the form with its
live SMS counter, an alert's page with its delivery progress, and the report button."""

import html

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertEvent, AlertMessage, ModerationStatus
from alerts.services import alert_post
from alerts.sms_text import alert_sms_text
from communities.models import ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from moderation.models import Report
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.sms.segments import GSM7_BASIC, GSM7_EXTENSION
from tests.conftest import CADAUJAC_HOST, DIDENHEIM_HOST

pytestmark = pytest.mark.django_db

TEXT = (
    "Camionnette blanche qui roule au pas rue des Écoles depuis 14 h, le conducteur photographie."
)
PLATE = "AB-123-CD"


@pytest.fixture
def cadaujac_client(client):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    return client


@pytest.fixture
def as_user(cadaujac_client, sign_in):
    def sign(user):
        return sign_in(cadaujac_client, user)

    return sign


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("police@cadaujac.test", first_name="Agent", last_name="Municipal")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


def _post(**overrides):
    return {
        "category": AlertCategory.SCOUTING,
        "text": TEXT,
        "identifying_details": "",
        **overrides,
    }


# --- The list -------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(cadaujac_client, cadaujac):
    response = cadaujac_client.get("/alertes/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_list_shows_running_alerts_newest_first_with_their_status(
    as_user, jeanne_resident, paul_neighbour, police
):
    older = alert_post(
        author=paul_neighbour, category=AlertCategory.LOST_ANIMAL, text="Chat roux perdu."
    )
    newer = alert_post(
        author=jeanne_resident,
        category=AlertCategory.SCOUTING,
        text=TEXT,
        identifying_details=PLATE,
    )
    ended = alert_post(
        author=paul_neighbour, category=AlertCategory.CANVASSER, text="Faux plombier."
    )
    Alert.objects.filter(pk=ended.pk).update(closed_at=timezone.now())
    Alert.objects.filter(pk=older.pk).update(police_taken_at=timezone.now(), police_taken_by=police)

    page = as_user(paul_neighbour).get("/alertes/").content.decode()

    assert page.index("Véhicule ou individu en repérage") < page.index("Animal perdu")
    assert "Faux plombier" not in page
    assert "Prise en charge par la police municipale" in page
    assert "En cours" in page
    assert PLATE not in page
    assert f"/alertes/{newer.pk}/" in page
    assert "/alertes/terminees/" in page

    ended_page = as_user(paul_neighbour).get("/alertes/terminees/").content.decode()
    assert "Faux plombier" in ended_page
    assert "Close" in ended_page
    assert "Chat roux" not in ended_page


def test_a_pending_member_is_told_why_the_list_is_empty(as_user, jeanne_resident, pierre_pending):
    alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    page = as_user(pierre_pending).get("/alertes/").content.decode()
    assert "en attente de validation" in page
    assert "Camionnette" not in page
    assert "Lancer une alerte" not in page


# --- The form -------------------------------------------------------------------------------------


def test_the_form_says_the_mairie_and_the_police_see_the_authors_phone(
    cadaujac_client, sign_in, jeanne_resident, paul_neighbour
):
    """They may call the witness back: whoever posts knows it before sending."""
    sentence = (
        "Votre numéro de téléphone est visible par la mairie et la police municipale : elles "
        "peuvent vous rappeler pour en savoir plus."
    )
    page = html.unescape(
        sign_in(cadaujac_client, jeanne_resident).get("/alertes/nouvelle/").content.decode()
    )
    assert sentence in page
    assert 'aria-describedby="rappel-17 numero-visible"' in page

    # Paul gave no phone number: nothing of his is shown, the sentence would be untrue.
    cadaujac_client.logout()
    page = html.unescape(
        sign_in(cadaujac_client, paul_neighbour).get("/alertes/nouvelle/").content.decode()
    )
    assert "Envoyer l'alerte" in page
    assert sentence not in page


def test_the_form_guides_the_resident_and_carries_the_counters_alphabet(as_user, jeanne_resident):
    response = as_user(jeanne_resident).get("/alertes/nouvelle/")
    page = response.content.decode()

    assert response.status_code == 200
    assert page.count('type="radio" name="category"') == 7
    assert "Météo" not in page  # the mairie's categories are not offered
    assert "Que se passe-t-il ?" in page
    assert "Ne décrivez ni l&#x27;apparence ni l&#x27;origine supposée d&#x27;une personne" in page
    assert "Seules la mairie et la police municipale reçoivent ces éléments" in page
    assert "Danger immédiat ou flagrant délit : composez le" in page
    assert 'href="tel:17"' in page
    assert 'name="community"' not in page
    config = response.context["counter_config"]
    assert set(config["gsm7_basic"]) == GSM7_BASIC
    assert set(config["gsm7_extension"]) == GSM7_EXTENSION
    assert 'id="sms-counter-config"' in page
    # The counter measures the SMS neighbours get: the text inside the same wording.
    before, after = config["wrappers"][AlertCategory.SCOUTING]
    sample = Alert(
        commune=jeanne_resident.memberships.get().community.commune,
        community=jeanne_resident.memberships.get().community,
        category=AlertCategory.SCOUTING,
    )
    assert before + "XYZ" + after == alert_sms_text(alert=sample, text="XYZ")


def test_posting_an_alert_leads_to_its_page_and_says_who_it_reaches(
    as_user,
    jeanne_resident,
    paul_neighbour,
    rene_referent,
    lucie_tuileries,
    django_capture_on_commit_callbacks,
):
    client = as_user(jeanne_resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/alertes/nouvelle/", _post(identifying_details=PLATE))

    alert = Alert.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/alertes/{alert.pk}/"
    assert alert.source == "web"
    assert alert.identifying_details == PLATE
    assert alert.community.name == "Centre-bourg"
    notice = [str(m) for m in get_messages(response.wsgi_request)]
    assert notice == [
        "Votre alerte est envoyée aux 2 autres membres vérifiés de Centre-bourg, à la mairie "
        "et à la police municipale de Cadaujac."
    ]
    page = client.get(response["Location"]).content.decode()
    assert "Camionnette blanche" in page
    assert PLATE not in page  # not even its author sees it back on the page
    # Its author follows the sending in one sentence, refreshed while it runs.
    assert "data-reach-summary" in page
    assert "Progression des envois" not in page


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Décrivez ce qui se passe."),
        ({"text": "   \n\t  "}, "text", "Décrivez ce qui se passe."),
        ({"text": "x" * 481}, "text", "Le texte dépasse 480 caractères."),
        ({"category": "flying_saucer"}, "category", "Choisissez une catégorie de la liste."),
        ({"category": AlertCategory.WEATHER}, "category", "Choisissez une catégorie de la liste."),
        ({"category": ""}, "category", "Choisissez une catégorie."),
        ({"identifying_details": "x" * 301}, "identifying_details", "Ces éléments dépassent 300"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_created(
    as_user, jeanne_resident, paul_neighbour, data, field, message
):
    response = as_user(jeanne_resident).post("/alertes/nouvelle/", _post(**data))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert "Rien n'a été envoyé" in response.content.decode()
    assert not Alert.objects.exists()
    assert not AlertMessage.objects.exists()


def test_a_crafted_community_or_commune_is_ignored(
    as_user,
    jeanne_resident,
    lucie_tuileries,
    village,
    didenheim,
    django_capture_on_commit_callbacks,
):
    tuileries = lucie_tuileries.memberships.get().community
    with django_capture_on_commit_callbacks(execute=True):
        as_user(jeanne_resident).post(
            "/alertes/nouvelle/",
            _post(community=tuileries.pk, community_id=village.pk, commune=didenheim.pk),
        )

    alert = Alert.objects.get()
    assert alert.community.name == "Centre-bourg"
    assert alert.commune.name == "Cadaujac"
    assert not Delivery.objects.filter(user=lucie_tuileries).exists()


def test_a_resident_of_another_commune_cannot_post_on_this_site(
    client, sign_in, dieter_didenheim, cadaujac
):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, dieter_didenheim)
    response = client.post("/alertes/nouvelle/", _post())
    assert response.status_code == 403
    assert "Vous êtes inscrit à Didenheim" in response.content.decode()
    assert not Alert.objects.exists()
    # On his own commune's site the same form works.
    client.defaults["HTTP_HOST"] = DIDENHEIM_HOST
    assert client.get("/alertes/nouvelle/").status_code == 200


def test_the_rate_limit_shows_on_the_form_and_creates_nothing_more(as_user, jeanne_resident):
    client = as_user(jeanne_resident)
    for _ in range(3):
        assert client.post("/alertes/nouvelle/", _post()).status_code == 302

    response = client.post("/alertes/nouvelle/", _post())

    assert response.status_code == 200
    assert "Vous avez déjà publié 3 alertes dans l&#x27;heure" in response.content.decode()
    assert Alert.objects.count() == 3


def test_under_pre_moderation_the_author_is_told_the_alert_waits(
    as_user, jeanne_resident, paul_neighbour, cadaujac, django_capture_on_commit_callbacks
):
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save()
    client = as_user(jeanne_resident)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/alertes/nouvelle/", _post())

    assert Alert.objects.get().moderation_status == ModerationStatus.HELD
    assert not Delivery.objects.exists()
    notice = [str(m) for m in get_messages(response.wsgi_request)]
    assert "attend la validation d'un modérateur" in notice[0]
    assert "attend la validation" in client.get(response["Location"]).content.decode()


# --- Progress -------------------------------------------------------------------------------------


def _deliveries(message, users, channel, status):
    now = timezone.now()
    Delivery.objects.bulk_create(
        Delivery(
            message=message,
            user=user,
            channel=channel,
            status=status,
            created_at=now,
            updated_at=now,
        )
        for user in users
    )


@pytest.fixture
def crowd(make_user):
    """200 accounts to receive deliveries (they need not be members for counting)."""
    from accounts.models import User

    User.objects.bulk_create(
        User(email=f"voisin{i}@crowd.test", first_name="Voisin", last_name=str(i))
        for i in range(200)
    )
    return list(User.objects.filter(email__endswith="@crowd.test").order_by("pk"))


def test_the_progress_endpoint_counts_each_channel_and_estimates_the_last_sms(
    as_user, jeanne_resident, crowd, settings
):
    settings.SMS_RATE_PER_SECOND = 10
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    message = alert.messages.get()
    AlertMessage.objects.filter(pk=message.pk).update(fanned_out_at=timezone.now())
    _deliveries(message, crowd[:50], Channel.SMS, DeliveryStatus.QUEUED)
    _deliveries(message, crowd[50:60], Channel.SMS, DeliveryStatus.SENDING)
    _deliveries(message, crowd[60:90], Channel.SMS, DeliveryStatus.SENT)
    _deliveries(message, crowd[90:95], Channel.SMS, DeliveryStatus.DELIVERED)
    _deliveries(message, crowd[95:100], Channel.SMS, DeliveryStatus.FAILED)
    _deliveries(message, crowd[:40], Channel.EMAIL, DeliveryStatus.SENT)
    _deliveries(message, crowd[40:42], Channel.EMAIL, DeliveryStatus.FAILED)

    data = as_user(jeanne_resident).get(f"/alertes/{alert.pk}/progression/").json()

    channels = {c["channel"]: c for c in data["channels"]}
    assert set(channels) == {"email", "sms"}
    assert {
        k: channels["sms"][k] for k in ("queued", "sending", "sent", "delivered", "failed")
    } == {
        "queued": 50,
        "sending": 10,
        "sent": 30,
        "delivered": 5,
        "failed": 5,
    }
    assert channels["sms"]["total"] == 100
    assert channels["sms"]["percent"] == 40
    assert channels["email"]["total"] == 42
    assert channels["email"]["percent"] == 100
    assert data["running"] is True
    assert data["pending"] == 60
    # 60 SMS still to go at 10 per second: the last leaves in about 6 seconds.
    assert data["sms_remaining"] == 60
    assert data["sms_seconds_left"] == 6
    assert data["sms_rate_per_second"] == 10


def test_polling_stops_once_nothing_is_queued_or_sending(as_user, jeanne_resident, crowd):
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    message = alert.messages.get()
    client = as_user(jeanne_resident)

    # Before the fan-out wrote the deliveries, the page keeps waiting for them.
    data = client.get(f"/alertes/{alert.pk}/progression/").json()
    assert data["preparing"] is True
    assert data["running"] is True

    AlertMessage.objects.filter(pk=message.pk).update(fanned_out_at=timezone.now())
    _deliveries(message, crowd[:3], Channel.SMS, DeliveryStatus.DELIVERED)
    data = client.get(f"/alertes/{alert.pk}/progression/").json()
    assert data["running"] is False
    assert data["sms_last_at"] is None
    assert 'data-running="false"' in client.get(f"/alertes/{alert.pk}/").content.decode()


def test_the_alert_page_and_progress_cost_the_same_queries_for_1_or_200_deliveries(
    as_user, jeanne_resident, crowd
):
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    message = alert.messages.get()
    client = as_user(jeanne_resident)

    def queries(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    page, progress = f"/alertes/{alert.pk}/", f"/alertes/{alert.pk}/progression/"
    queries(page)  # the first visit saves the session; later ones only read it
    _deliveries(message, crowd[:1], Channel.SMS, DeliveryStatus.QUEUED)
    _deliveries(message, crowd[:1], Channel.EMAIL, DeliveryStatus.SENT)
    with_one = queries(page), queries(progress)
    _deliveries(message, crowd[1:], Channel.SMS, DeliveryStatus.QUEUED)
    _deliveries(message, crowd[1:], Channel.EMAIL, DeliveryStatus.SENT)
    with_200 = queries(page), queries(progress)

    assert Delivery.objects.count() == 400
    assert with_one == with_200
    # Session, user, site, commune, alert, roles, messages, counts; for the author's sentence
    # (``summary``) the alert's first message, its counts and its recipients.
    assert with_200[1] <= 11


# --- Reports --------------------------------------------------------------------------------------


def test_a_neighbour_reports_an_alert_once(as_user, jeanne_resident, paul_neighbour):
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    client = as_user(paul_neighbour)

    response = client.post(
        f"/alertes/{alert.pk}/signaler/", {"signalement-reason": "Vise une personne."}
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.commune == alert.commune
    assert report.content == alert
    assert report.reporter == paul_neighbour
    assert report.reason == "Vise une personne."
    assert alert.events.filter(action=AlertEvent.Action.REPORTED, actor=paul_neighbour).exists()
    page = client.get(f"/alertes/{alert.pk}/").content.decode()
    assert "Vous avez signalé cette alerte" in page

    again = client.post(
        f"/alertes/{alert.pk}/signaler/", {"signalement-reason": "Encore."}, follow=True
    )
    assert "Vous avez déjà signalé ce contenu" in again.content.decode()
    assert Report.objects.count() == 1


def test_an_empty_report_is_refused(as_user, jeanne_resident, paul_neighbour):
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)
    response = as_user(paul_neighbour).post(
        f"/alertes/{alert.pk}/signaler/", {"signalement-reason": "  "}
    )
    assert response.status_code == 400
    assert "Dites en quelques mots ce qui pose problème." in response.content.decode()
    assert not Report.objects.exists()
    assert not alert.events.filter(action=AlertEvent.Action.REPORTED).exists()


def test_a_held_alert_shows_to_its_author_and_the_mairie_only(
    as_user, jeanne_resident, paul_neighbour, marc_moderator, cadaujac
):
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save()
    alert = alert_post(author=jeanne_resident, category=AlertCategory.SCOUTING, text=TEXT)

    assert as_user(paul_neighbour).get(f"/alertes/{alert.pk}/").status_code == 404
    assert TEXT not in as_user(paul_neighbour).get("/alertes/").content.decode()
    staff_page = as_user(marc_moderator).get(f"/alertes/{alert.pk}/").content.decode()
    assert "En attente de validation" in staff_page
    assert "Publier un suivi" not in staff_page  # nothing goes out before the decision
    progress = as_user(jeanne_resident).get(f"/alertes/{alert.pk}/progression/").json()
    assert progress["running"] is False  # nothing to wait for until a moderator decides
    assert progress["total"] == 0
