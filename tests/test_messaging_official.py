"""The mairie's targeted messages reach exactly the people aimed at, each on their channel.

Web members find an official conversation from their mairie (replies read by the mairie
alone); SMS-only members get an SMS from the commune's sender name, unless they answered
STOP; nobody else receives anything. Only broadcasters of the commune may send, from the
admin, and they then see whom it reached on which channel.
"""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Profile
from communities.models import Membership, MembershipStatus, StaffRole
from communities.services import staff_role_grant
from messaging.models import Conversation, Message, OfficialSend, Participant
from messaging.official import OFFICIAL_PURPOSE, official_send
from messaging.selectors import conversations_of
from messaging.services import message_send
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.sending import deliveries_send
from notifications.sources import outbox_source
from tests.conftest import CADAUJAC_HOST

FORM_URL = "/admin/messages-mairie/"


@pytest.fixture
def barbara_broadcaster(make_user, cadaujac):
    user = make_user("barbara@cadaujac.test", first_name="Barbara", last_name="Lamothe")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.BROADCASTER)
    return user


@pytest.fixture
def bruno_broadcaster(make_user, didenheim):
    user = make_user("bruno@didenheim.test", first_name="Bruno", last_name="Muller")
    staff_role_grant(user=user, commune=didenheim, role=StaffRole.BROADCASTER)
    return user


def _sms_only(django_user_model, community, *, phone, first_name):
    user = django_user_model.objects.create_user(
        phone=phone, first_name=first_name, last_name="Sms"
    )
    Membership.objects.create(
        user=user, community=community, address="1 rue", status=MembershipStatus.VERIFIED
    )
    return user


@pytest.fixture
def people(
    django_user_model,
    centre_bourg,
    tuileries,
    jeanne_resident,
    paul_neighbour,
    rene_referent,
    lucie_tuileries,
    dieter_didenheim,
    pierre_pending,
):
    germaine = _sms_only(
        django_user_model, centre_bourg, phone="+33611000101", first_name="Germaine"
    )
    odile = _sms_only(django_user_model, tuileries, phone="+33611000107", first_name="Odile")
    Profile.objects.create(user=odile, sms_opted_out_at=timezone.now())  # she answered STOP
    return {
        "jeanne": jeanne_resident,
        "paul": paul_neighbour,
        "rene": rene_referent,
        "lucie": lucie_tuileries,
        "dieter": dieter_didenheim,
        "pierre": pierre_pending,
        "germaine": germaine,
        "odile": odile,
    }


def _web_recipients():
    return set(
        Participant.objects.filter(for_mairie=False, conversation__kind="mairie").values_list(
            "user__first_name", flat=True
        )
    )


def _sms_recipients():
    sms = Delivery.objects.filter(channel=Channel.SMS)
    return {str(phone) for phone in sms.values_list("user__phone", flat=True)}


@pytest.mark.parametrize(
    ("target", "choose", "web", "sms", "unreachable"),
    [
        (
            "communities",
            {"communities": ["centre_bourg"]},
            {"Jeanne", "Paul", "René"},
            {"+33611000101"},
            0,
        ),
        ("referents", {}, {"René"}, set(), 0),
        ("commune", {}, {"Jeanne", "Paul", "René", "Lucie"}, {"+33611000101"}, 1),
        ("members", {"members": ["lucie", "germaine"]}, {"Lucie"}, {"+33611000101"}, 0),
    ],
)
def test_a_targeted_message_reaches_exactly_the_targeted_people_on_their_channel(
    request,
    cadaujac,
    barbara_broadcaster,
    people,
    django_capture_on_commit_callbacks,
    target,
    choose,
    web,
    sms,
    unreachable,
):
    communities = [request.getfixturevalue(name) for name in choose.get("communities", [])]
    members = [people[name] for name in choose.get("members", [])]
    with django_capture_on_commit_callbacks(execute=True):
        send = official_send(
            author=barbara_broadcaster,
            commune=cadaujac,
            target=target,
            communities=communities,
            members=members,
            subject="Travaux",
            text="Coupure d'eau mardi de 9 h à 12 h.",
        )
    assert _web_recipients() == web
    assert _sms_recipients() == sms
    assert send.reach["web"] == len(web)
    assert send.reach["email"] == len(web)  # every web member here keeps news by e-mail
    assert send.reach["sms"] == len(sms)
    assert send.reach["unreachable"] == unreachable
    # One conversation per resident: nobody reads another's reply.
    assert Conversation.objects.filter(official=send).count() == len(web)
    assert all(c.participants.count() == 2 for c in Conversation.objects.filter(official=send))
    source = outbox_source(OFFICIAL_PURPOSE)
    sms = Delivery.objects.filter(channel=Channel.SMS).select_related("message", "user")
    for sms_row in sms:
        assert sms_row.message.sender_name == cadaujac.sms_sender_name
        body = source.sms_text(sms_row)
        assert body.startswith("Mairie de Cadaujac : Travaux - Coupure d'eau")
        assert "STOP" in body
    if sms:
        # Held for the legal hours when written at night (tasks run at once in the tests),
        # sent once, never twice.
        assert sms[0].message.not_before == send.sms_not_before
    assert set(sms.values_list("status", flat=True)) <= {DeliveryStatus.SENT}
    assert deliveries_send(ids=[row.pk for row in sms]) == {}


def test_residents_see_an_official_message_and_only_the_mairie_reads_their_reply(
    client, sign_in, cadaujac, barbara_broadcaster, people
):
    official_send(
        author=barbara_broadcaster,
        commune=cadaujac,
        target="communities",
        communities=[Membership.objects.get(user=people["jeanne"]).community],
        text="Réunion publique jeudi.",
    )
    sign_in(client, people["jeanne"])
    listing = html.unescape(client.get("/messages/", HTTP_HOST=CADAUJAC_HOST).content.decode())
    assert "Message officiel de la mairie" in listing
    assert "Message de la mairie de Cadaujac" in listing
    conversation = Conversation.objects.get(participants__user=people["jeanne"])
    page = html.unescape(
        client.get(f"/messages/{conversation.pk}/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    )
    assert "Mairie de Cadaujac" in page
    assert "Barbara" not in page  # the mairie speaks, not its staff member
    message_send(conversation=conversation, author=people["jeanne"], text="J'y serai.")
    mairie_side = conversations_of(user=barbara_broadcaster)
    assert [row.conversation.pk for row in mairie_side] == [conversation.pk]
    assert mairie_side[0].unread == 1
    paul_conversation = Conversation.objects.get(participants__user=people["paul"])
    assert not Message.objects.filter(conversation=paul_conversation, text="J'y serai.").exists()


def test_members_outside_the_commune_are_refused_and_nothing_is_sent(
    cadaujac, barbara_broadcaster, people, tuileries, village
):
    for kwargs, field in (
        ({"target": "members", "members": [people["dieter"]]}, "members"),
        ({"target": "members", "members": [people["pierre"]]}, "members"),
        ({"target": "communities", "communities": [village]}, "communities"),
        ({"target": "communities", "communities": []}, "communities"),
        ({"target": "commune", "text": ""}, "text"),
        ({"target": "commune", "text": "x" * 2001}, "text"),
    ):
        kwargs.setdefault("text", "Bonjour")
        with pytest.raises(ValidationError) as caught:
            official_send(author=barbara_broadcaster, commune=cadaujac, **kwargs)
        assert field in caught.value.message_dict
    assert OfficialSend.objects.count() == 0
    assert Conversation.objects.count() == 0
    assert Delivery.objects.count() == 0


@pytest.mark.parametrize(
    "persona",
    ["arnaud_admin", "marc_moderator", "alice_editor", "bruno_broadcaster", "jeanne_resident"],
)
def test_only_broadcasters_of_the_commune_may_send(request, cadaujac, people, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        official_send(author=user, commune=cadaujac, target="commune", text="Bonjour")
    assert OfficialSend.objects.count() == 0
    assert Conversation.objects.count() == 0


@pytest.mark.parametrize(
    "persona", ["arnaud_admin", "marc_moderator", "bruno_broadcaster", "jeanne_resident"]
)
def test_the_admin_screens_are_absent_for_anyone_but_the_communes_broadcasters(
    request, client, sign_in, cadaujac, barbara_broadcaster, people, persona
):
    send = official_send(
        author=barbara_broadcaster, commune=cadaujac, target="commune", text="Confidentiel"
    )
    user = request.getfixturevalue(persona)
    if persona != "jeanne_resident":
        user.is_staff = True
        user.save()
    sign_in(client, user)
    form = client.get(FORM_URL, HTTP_HOST=CADAUJAC_HOST)
    if persona == "bruno_broadcaster":
        # Didenheim's broadcaster has his own screen: Cadaujac is not among its choices.
        assert form.status_code == 200
        assert "Cadaujac" not in form.content.decode()
    else:
        assert form.status_code in (302, 404)
    assert "Confidentiel" not in form.content.decode()
    status = client.get(f"{FORM_URL}{send.pk}/", HTTP_HOST=CADAUJAC_HOST)
    assert status.status_code in (302, 404)
    assert "Confidentiel" not in status.content.decode()
    response = client.post(
        FORM_URL,
        {"commune": cadaujac.pk, "target": "commune", "text": "Intrus"},
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert response.status_code in (302, 400, 404)
    assert OfficialSend.objects.count() == 1
    assert not Message.objects.filter(text="Intrus").exists()


def test_a_broadcaster_sends_from_the_admin_and_sees_the_reach_per_channel(
    client, sign_in, cadaujac, barbara_broadcaster, people
):
    barbara_broadcaster.is_staff = True
    barbara_broadcaster.save()
    sign_in(client, barbara_broadcaster)
    form = client.get(FORM_URL, HTTP_HOST=CADAUJAC_HOST)
    assert form.status_code == 200
    response = client.post(
        FORM_URL,
        {
            "commune": cadaujac.pk,
            "target": "commune",
            "subject": "Fibre",
            "text": "La fibre arrive rue des Vignes.",
            "replies_allowed": "on",
        },
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert response.status_code == 302
    send = OfficialSend.objects.get()
    assert response["Location"].endswith(f"{FORM_URL}{send.pk}/")
    status = html.unescape(
        client.get(response["Location"], HTTP_HOST=CADAUJAC_HOST).content.decode()
    )
    assert "5 personnes atteintes" in status
    assert "Messagerie du site" in status
    assert "SMS (membres sans compte en ligne)" in status
    bad = client.post(
        FORM_URL,
        {"commune": cadaujac.pk, "target": "members", "text": "Sans destinataire"},
        HTTP_HOST=CADAUJAC_HOST,
    )
    assert bad.status_code == 400
    assert "Choisissez au moins un membre" in html.unescape(bad.content.decode())
    assert OfficialSend.objects.count() == 1


def test_the_send_page_shows_the_sms_progress_and_whom_no_sms_reached(
    client, sign_in, cadaujac, barbara_broadcaster, people, django_capture_on_commit_callbacks
):
    from messaging.official import official_progress, official_unreached

    with django_capture_on_commit_callbacks(execute=True):
        send = official_send(
            author=barbara_broadcaster,
            commune=cadaujac,
            target="commune",
            subject="Eau",
            text="Coupure d'eau mardi de 9 h à 12 h.",
        )

    progress = official_progress(send=send)
    sms = next(channel for channel in progress.channels if channel.channel == Channel.SMS)
    assert (sms.total, sms.pending) == (1, 0)  # Germaine's, sent
    # Odile answered STOP: she has no delivery, and is on the call list with the reason.
    assert [user.first_name for user in official_unreached(send=send)] == ["Odile"]
    barbara_broadcaster.is_staff = True
    barbara_broadcaster.save()
    sign_in(client, barbara_broadcaster)
    page = html.unescape(
        client.get(f"{FORM_URL}{send.pk}/", HTTP_HOST=CADAUJAC_HOST).content.decode()
    )
    assert "Membres non joints par SMS" in page
    assert "Odile Sms" in page
    assert "SMS refusés (STOP) et aucun autre moyen" in page
    assert "Germaine" not in page.split("Membres non joints par SMS")[1]
