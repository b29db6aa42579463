"""After an alert: its author or the mairie posts follow-ups and closes it, the police
municipale takes it over; each reaches the same people as the alert and shows on its page."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alerts.models import Alert, AlertCategory, AlertEvent, AlertMessage, ModerationStatus
from alerts.services import alert_close, alert_follow_up, alert_police_take, alert_post
from communities.models import StaffRole
from communities.services import staff_role_grant
from notifications.models import Delivery
from tests.conftest import CADAUJAC_HOST

pytestmark = pytest.mark.django_db

TEXT = "Chat roux perdu près de l'école, il répond au nom de Caramel."


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user(
        "police@cadaujac.test", first_name="Agent", last_name="Municipal", phone="+33610000002"
    )
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def other_police(make_user, didenheim):
    user = make_user("police@didenheim.test", first_name="Agent", last_name="Didenheim")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.POLICE)
    return user


@pytest.fixture
def people(jeanne_resident, paul_neighbour, rene_referent, lucie_tuileries, marc_moderator, police):
    return locals()


@pytest.fixture
def sent(django_capture_on_commit_callbacks, fake_twilio):
    """Run a service and what it enqueues after commit (fan-out and sending), as in production."""

    def run(service, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return service(**kwargs)

    return run


@pytest.fixture
def alert(people, sent):
    return sent(
        alert_post, author=people["jeanne_resident"], category=AlertCategory.LOST_ANIMAL, text=TEXT
    )


def recipients(message):
    return set(Delivery.objects.filter(message=message).values_list("user__email", "channel"))


def test_the_authors_follow_up_reaches_exactly_the_alerts_recipients(alert, people, sent):
    first = alert.messages.get()
    update = sent(
        alert_follow_up, alert=alert, by=people["jeanne_resident"], text="Vu rue des Vignes."
    )

    assert update.kind == AlertMessage.Kind.UPDATE
    assert recipients(first)  # neighbours, the moderator and the police were reached
    assert recipients(update) == recipients(first)
    assert "Suivi : Vu rue des Vignes." in update.text
    assert alert.events.filter(
        action=AlertEvent.Action.UPDATED, reason="Vu rue des Vignes."
    ).exists()
    # Lucie lives in another community: neither the alert nor its follow-up reach her.
    assert not Delivery.objects.filter(user=people["lucie_tuileries"]).exists()


def test_the_mairie_closes_an_alert_and_its_author_hears_of_it_too(alert, people, sent):
    first = alert.messages.get()
    marc = people["marc_moderator"]
    closing = sent(alert_close, alert=alert, by=marc, text="Le chat est retrouvé.")

    alert.refresh_from_db()
    assert alert.closed_at is not None
    assert closing.kind == AlertMessage.Kind.CLOSING
    assert "Fin d'alerte : Le chat est retrouvé." in closing.text
    # The same audience; the one who writes never gets a copy of their own message.
    assert recipients(first) == {
        ("paul@cadaujac.test", "email"),
        ("rene@cadaujac.test", "email"),
        ("marc@cadaujac.test", "email"),
        ("police@cadaujac.test", "email"),
        ("police@cadaujac.test", "sms"),
    }
    assert recipients(closing) == {
        ("paul@cadaujac.test", "email"),
        ("rene@cadaujac.test", "email"),
        ("police@cadaujac.test", "email"),
        ("police@cadaujac.test", "sms"),
        ("jeanne@cadaujac.test", "email"),
        ("jeanne@cadaujac.test", "sms"),
    }
    assert not Alert.objects.active().filter(pk=alert.pk).exists()
    assert alert.events.filter(action=AlertEvent.Action.CLOSED, actor=marc).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"closed_at": timezone.now()}, "Cette alerte est déjà close."),
        ({"moderation_status": ModerationStatus.HELD}, "attend la validation d'un modérateur"),
        ({"moderation_status": ModerationStatus.REJECTED}, "a été refusée par la modération"),
        ({"moderation_status": ModerationStatus.RETRACTED}, "a été retirée par la modération"),
    ],
)
@pytest.mark.parametrize("service", [alert_follow_up, alert_close])
def test_nothing_more_goes_out_about_an_ended_or_withdrawn_alert(
    alert, people, sent, change, message, service
):
    Alert.objects.filter(pk=alert.pk).update(**change)
    alert.refresh_from_db()
    messages, events = AlertMessage.objects.count(), AlertEvent.objects.count()

    with pytest.raises(ValidationError) as refusal:
        sent(service, alert=alert, by=people["jeanne_resident"], text="Encore un mot.")

    assert message in " ".join(refusal.value.messages)
    assert AlertMessage.objects.count() == messages
    assert AlertEvent.objects.count() == events


OUTSIDERS = [
    "paul_neighbour",
    "rene_referent",
    "lucie_tuileries",
    "alice_editor",
    "diane_moderator",
]


@pytest.mark.parametrize(
    ("who", "service"),
    [
        *[(who, service) for who in OUTSIDERS for service in (alert_follow_up, alert_close)],
        # The police municipale posts follow-ups (signed as such) but does not end an alert.
        ("police", alert_close),
    ],
)
def test_only_the_author_and_the_communes_mairie_may_follow_up(request, alert, sent, who, service):
    user = request.getfixturevalue(who)
    messages = AlertMessage.objects.count()
    with pytest.raises(PermissionDenied):
        sent(service, alert=alert, by=user, text="Je m'en mêle.")
    assert AlertMessage.objects.count() == messages
    alert.refresh_from_db()
    assert alert.closed_at is None


@pytest.mark.parametrize("text", ["", "   ", "x" * 481])
def test_an_empty_or_too_long_follow_up_is_refused(alert, people, sent, text):
    with pytest.raises(ValidationError):
        sent(alert_follow_up, alert=alert, by=people["jeanne_resident"], text=text)
    assert alert.messages.count() == 1


def test_the_police_takes_an_alert_over_and_the_community_sees_it(alert, people, client, sign_in):
    police = people["police"]
    alert_police_take(alert=alert, by=police)

    alert.refresh_from_db()
    assert alert.police_taken_by == police
    assert alert.events.filter(action=AlertEvent.Action.POLICE_TAKEN, actor=police).exists()
    with pytest.raises(ValidationError, match="déjà prise en charge"):
        alert_police_take(alert=alert, by=police)
    assert alert.events.filter(action=AlertEvent.Action.POLICE_TAKEN).count() == 1

    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, people["paul_neighbour"])
    for url in ("/alertes/", f"/alertes/{alert.pk}/"):
        assert "Prise en charge par la police municipale" in client.get(url).content.decode()


@pytest.mark.parametrize(
    "who", ["marc_moderator", "jeanne_resident", "paul_neighbour", "other_police"]
)
def test_only_the_communes_police_may_take_an_alert_over(request, alert, who):
    with pytest.raises(PermissionDenied):
        alert_police_take(alert=alert, by=request.getfixturevalue(who))
    alert.refresh_from_db()
    assert alert.police_taken_at is None


def test_follow_up_and_closing_from_the_page_show_in_order(
    alert, people, client, sign_in, django_capture_on_commit_callbacks, fake_twilio
):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, people["jeanne_resident"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/alertes/{alert.pk}/suivi/", {"suivi-text": "Aperçu près du lavoir."}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/alertes/{alert.pk}/fin/", {"fin-text": "Caramel est rentré."})
    assert response.status_code == 302

    sign_in(client, people["paul_neighbour"])
    page = client.get(f"/alertes/{alert.pk}/").content.decode()
    assert page.index("Aperçu près du lavoir.") < page.index("Caramel est rentré.")
    assert "Publier un suivi" not in page  # a neighbour reads them, he does not write them
    assert page.count("Jeanne Lafargue") >= 2  # the author, named on the alert and its follow-ups

    sign_in(client, people["jeanne_resident"])
    page = client.get(f"/alertes/{alert.pk}/").content.decode()
    assert "Publier un suivi" not in page  # closed: nothing more to add
    again = client.post(f"/alertes/{alert.pk}/suivi/", {"suivi-text": "Encore."}, follow=True)
    assert "Cette alerte est déjà close." in again.content.decode()
    assert alert.messages.count() == 3


def test_an_empty_follow_up_from_the_page_says_why(alert, people, client, sign_in):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, people["jeanne_resident"])
    response = client.post(f"/alertes/{alert.pk}/suivi/", {"suivi-text": "  "})
    assert response.status_code == 400
    assert "Décrivez ce qui se passe." in response.content.decode()
    assert alert.messages.count() == 1


def test_a_neighbour_posting_a_follow_up_is_refused_and_nothing_goes_out(
    alert, people, client, sign_in
):
    client.defaults["HTTP_HOST"] = CADAUJAC_HOST
    sign_in(client, people["paul_neighbour"])
    response = client.post(f"/alertes/{alert.pk}/fin/", {"fin-text": "C'est fini."}, follow=True)
    assert "Seuls l&#x27;auteur de l&#x27;alerte et la mairie" in response.content.decode()
    alert.refresh_from_db()
    assert alert.closed_at is None
    assert alert.messages.count() == 1
