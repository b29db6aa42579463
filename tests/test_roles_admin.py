"""The "Équipe de la mairie" admin screen: staff roles and community referents, per commune.

A commune's administrators manage their own commune's team, the platform team every
commune's. Every refusal is paired with the same request on the actor's own commune, which
must succeed; refused requests change nothing and log nothing.
"""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from accounts.gdpr import account_erase
from communities.models import (
    CommuneLogEntry,
    CommunityRole,
    Membership,
    MembershipStatus,
    StaffRole,
)
from communities.roles import (
    ACTION_REFERENT_SET,
    ACTION_REFERENT_UNSET,
    ACTION_ROLE_GRANTED,
    ACTION_ROLE_REVOKED,
    referent_set,
    staff_role_assign,
    staff_role_revoke,
)
from communities.selectors import roles_in_commune
from communities.services import staff_role_grant

NEUTRAL_REFUSAL = "Aucun membre de la commune avec cette adresse"
TOTP_ACTIVATE = "/accounts/2fa/totp/activate/"


def team_url(commune, suffix=""):
    return f"/admin/equipe/{commune.pk}/{suffix}"


def body(response):
    return html.unescape(response.content.decode())


def roles(user, commune):
    return roles_in_commune(user=user, commune=commune)


def membership_of(user):
    return Membership.objects.get(user=user)


@pytest.fixture
def login(client, request, sign_in):
    def as_(persona):
        return sign_in(client, request.getfixturevalue(persona))

    return as_


# --- An administrator manages their commune's team ---------------------------------------------


def test_administrator_grants_then_revokes_a_role(login, cadaujac, arnaud_admin, jeanne_resident):
    client = login("arnaud_admin")

    granted = client.post(
        team_url(cadaujac), {"email": "Jeanne@Cadaujac.test", "role": StaffRole.MODERATOR}
    )

    assert granted.status_code == 302
    assert granted["Location"] == team_url(cadaujac)
    assert roles(jeanne_resident, cadaujac) == {StaffRole.MODERATOR}
    team = body(client.get(team_url(cadaujac)))
    assert "Rôle « Modérateur » attribué à Jeanne Lafargue" in team
    assert "jeanne@cadaujac.test" in team

    revoked = client.post(
        team_url(cadaujac, "retirer/"), {"user": jeanne_resident.pk, "role": StaffRole.MODERATOR}
    )

    assert revoked.status_code == 302
    assert roles(jeanne_resident, cadaujac) == set()
    entries = CommuneLogEntry.objects.filter(commune=cadaujac).order_by("timestamp", "pk")
    assert [(e.action, e.user, e.data) for e in entries] == [
        (ACTION_ROLE_GRANTED, arnaud_admin, {"user_id": jeanne_resident.pk, "role": "moderator"}),
        (ACTION_ROLE_REVOKED, arnaud_admin, {"user_id": jeanne_resident.pk, "role": "moderator"}),
    ]


def test_team_page_lists_who_holds_each_role(login, cadaujac, arnaud_admin, alice_editor):
    team = body(login("arnaud_admin").get(team_url(cadaujac)))

    assert "Administrateur de la mairie" in team
    assert "arnaud@cadaujac.test" in team
    assert "alice@cadaujac.test" in team
    assert "Police municipale" in team


def test_administrators_only_commune_opens_directly(login, cadaujac, arnaud_admin):
    response = login("arnaud_admin").get("/admin/equipe/")

    assert response.status_code == 302
    assert response["Location"] == team_url(cadaujac)


def test_a_new_staff_member_must_activate_two_factor_at_next_admin_visit(
    login, cadaujac, arnaud_admin, jeanne_resident
):
    jeanne = Client()
    jeanne.force_login(jeanne_resident)
    assert not jeanne.get("/admin/")["Location"].startswith(TOTP_ACTIVATE)

    login("arnaud_admin").post(
        team_url(cadaujac), {"email": "jeanne@cadaujac.test", "role": StaffRole.EDITOR}
    )
    response = jeanne.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(f"{TOTP_ACTIVATE}?next=")


def test_current_staff_who_do_not_live_there_may_get_another_role(
    login, cadaujac, arnaud_admin, alice_editor
):
    response = login("arnaud_admin").post(
        team_url(cadaujac), {"email": "alice@cadaujac.test", "role": StaffRole.BROADCASTER}
    )

    assert response.status_code == 302
    assert roles(alice_editor, cadaujac) == {StaffRole.EDITOR, StaffRole.BROADCASTER}


def test_granting_a_role_already_held_changes_nothing(login, cadaujac, arnaud_admin, alice_editor):
    client = login("arnaud_admin")

    response = client.post(
        team_url(cadaujac), {"email": "alice@cadaujac.test", "role": StaffRole.EDITOR}, follow=True
    )

    assert "Staff Persona a déjà le rôle « Rédacteur »." in body(response)
    assert not CommuneLogEntry.objects.exists()


def test_administrator_names_and_removes_a_referent(
    login, cadaujac, arnaud_admin, jeanne_resident, paul_neighbour
):
    client = login("arnaud_admin")
    membership = membership_of(jeanne_resident)
    listing = body(client.get(team_url(cadaujac, "referents/")))
    assert "Jeanne Lafargue" in listing
    assert "Paul Darrigade" in listing

    named = client.post(team_url(cadaujac, f"referents/{membership.pk}/"), {"referent": "1"})

    assert named.status_code == 302
    membership.refresh_from_db()
    assert membership.role == CommunityRole.REFERENT
    team = body(client.get(team_url(cadaujac)))
    assert "Rôle de référent attribué à Jeanne Lafargue" in team

    removed = client.post(team_url(cadaujac, f"referents/{membership.pk}/"), {"referent": "0"})

    assert removed.status_code == 302
    membership.refresh_from_db()
    assert membership.role == CommunityRole.RESIDENT
    entries = CommuneLogEntry.objects.filter(commune=cadaujac).order_by("timestamp", "pk")
    assert [(e.action, e.user, e.data["user_id"]) for e in entries] == [
        (ACTION_REFERENT_SET, arnaud_admin, jeanne_resident.pk),
        (ACTION_REFERENT_UNSET, arnaud_admin, jeanne_resident.pk),
    ]


def test_referent_listing_searches_by_name(
    login, cadaujac, arnaud_admin, jeanne_resident, paul_neighbour, pierre_pending
):
    listing = body(login("arnaud_admin").get(team_url(cadaujac, "referents/"), {"q": "lafargue"}))

    assert "Jeanne Lafargue" in listing
    assert "Paul Darrigade" not in listing
    assert "Pierre Castaing" not in listing


def test_a_pending_membership_cannot_be_made_referent(
    login, cadaujac, arnaud_admin, pierre_pending
):
    membership = membership_of(pierre_pending)

    response = login("arnaud_admin").post(
        team_url(cadaujac, f"referents/{membership.pk}/"), {"referent": "1"}
    )

    assert response.status_code == 404
    membership.refresh_from_db()
    assert membership.role == CommunityRole.RESIDENT
    with pytest.raises(ValidationError):
        referent_set(membership=membership, referent=True, by=arnaud_admin)


# --- Another commune's team is out of reach ----------------------------------------------------


def test_administrator_cannot_open_another_communes_team(
    login, cadaujac, didenheim, arnaud_admin, bertrand_admin, dieter_didenheim
):
    client = login("arnaud_admin")

    assert client.get(team_url(didenheim)).status_code == 404
    assert client.get(team_url(didenheim, "referents/")).status_code == 404
    assert client.get(team_url(cadaujac)).status_code == 200
    assert "Didenheim" not in body(client.get(team_url(cadaujac)))


def test_administrator_cannot_change_another_communes_team(
    login, cadaujac, didenheim, arnaud_admin, bertrand_admin, dieter_didenheim
):
    client = login("arnaud_admin")
    dieter_membership = membership_of(dieter_didenheim)

    attempts = [
        client.post(
            team_url(didenheim), {"email": "dieter@didenheim.test", "role": StaffRole.MODERATOR}
        ),
        client.post(
            team_url(didenheim, "retirer/"),
            {"user": bertrand_admin.pk, "role": StaffRole.ADMINISTRATOR},
        ),
        client.post(team_url(didenheim, f"referents/{dieter_membership.pk}/"), {"referent": "1"}),
        # Another commune's records named under one's own commune.
        client.post(
            team_url(cadaujac, "retirer/"),
            {"user": bertrand_admin.pk, "role": StaffRole.ADMINISTRATOR},
        ),
        client.post(team_url(cadaujac, f"referents/{dieter_membership.pk}/"), {"referent": "1"}),
    ]

    assert [response.status_code for response in attempts] == [404] * len(attempts)
    assert roles(dieter_didenheim, didenheim) == set()
    assert roles(bertrand_admin, didenheim) == {StaffRole.ADMINISTRATOR}
    assert membership_of(dieter_didenheim).role == CommunityRole.RESIDENT
    assert not CommuneLogEntry.objects.exists()


def test_services_refuse_an_administrator_of_another_commune(
    didenheim, arnaud_admin, bertrand_admin, dieter_didenheim
):
    with pytest.raises(PermissionDenied):
        staff_role_assign(
            user=dieter_didenheim, commune=didenheim, role=StaffRole.EDITOR, by=arnaud_admin
        )
    with pytest.raises(PermissionDenied):
        staff_role_revoke(
            user=bertrand_admin, commune=didenheim, role=StaffRole.ADMINISTRATOR, by=arnaud_admin
        )
    with pytest.raises(PermissionDenied):
        referent_set(membership=membership_of(dieter_didenheim), referent=True, by=arnaud_admin)
    assert roles(dieter_didenheim, didenheim) == set()
    assert not CommuneLogEntry.objects.exists()


def test_granting_to_a_resident_of_another_commune_gets_the_neutral_refusal(
    login, cadaujac, arnaud_admin, dieter_didenheim, didenheim, pierre_pending, charlie_outsider
):
    client = login("arnaud_admin")
    answers = {}
    for email in (
        "dieter@didenheim.test",  # verified, in Didenheim
        "pierre@cadaujac.test",  # in Cadaujac, not verified yet
        "charlie@outsider.test",  # an account, no membership
        "personne@nulle-part.test",  # no account at all
    ):
        response = client.post(team_url(cadaujac), {"email": email, "role": StaffRole.MODERATOR})
        assert response.status_code == 200
        answers[email] = response.context["grant_form"].errors.get_json_data()

    assert all(
        answer == {"email": [{"message": NEUTRAL_REFUSAL, "code": ""}]}
        for answer in answers.values()
    ), answers
    assert NEUTRAL_REFUSAL in body(response)
    assert roles(dieter_didenheim, didenheim) == set()
    assert roles(dieter_didenheim, cadaujac) == set()
    assert roles(pierre_pending, cadaujac) == set()
    assert not CommuneLogEntry.objects.exists()


# --- Staff who are not administrators ----------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice_editor", "marc_moderator"])
def test_editors_and_moderators_have_no_team_screen(
    login, cadaujac, arnaud_admin, jeanne_resident, persona
):
    client = login(persona)
    membership = membership_of(jeanne_resident)

    assert "/admin/equipe/" not in body(client.get("/admin/"))
    assert client.get("/admin/equipe/").status_code == 404
    assert client.get(team_url(cadaujac)).status_code == 404
    assert client.get(team_url(cadaujac, "referents/")).status_code == 404
    assert (
        client.post(
            team_url(cadaujac), {"email": "jeanne@cadaujac.test", "role": StaffRole.MODERATOR}
        ).status_code
        == 404
    )
    assert (
        client.post(
            team_url(cadaujac, "retirer/"),
            {"user": arnaud_admin.pk, "role": StaffRole.ADMINISTRATOR},
        ).status_code
        == 404
    )
    assert (
        client.post(team_url(cadaujac, f"referents/{membership.pk}/"), {"referent": "1"})
    ).status_code == 404
    assert roles(jeanne_resident, cadaujac) == set()
    assert roles(arnaud_admin, cadaujac) == {StaffRole.ADMINISTRATOR}
    assert membership_of(jeanne_resident).role == CommunityRole.RESIDENT


def test_services_refuse_a_moderator(cadaujac, marc_moderator, jeanne_resident):
    with pytest.raises(PermissionDenied):
        staff_role_assign(
            user=jeanne_resident, commune=cadaujac, role=StaffRole.EDITOR, by=marc_moderator
        )
    with pytest.raises(PermissionDenied):
        referent_set(membership=membership_of(jeanne_resident), referent=True, by=marc_moderator)


def test_residents_do_not_reach_the_admin_screen(cadaujac, jeanne_resident):
    client = Client()
    client.force_login(jeanne_resident)

    response = client.post(
        team_url(cadaujac), {"email": "jeanne@cadaujac.test", "role": StaffRole.ADMINISTRATOR}
    )

    assert response.status_code == 302
    assert roles(jeanne_resident, cadaujac) == set()


def test_administrators_menu_offers_the_team_screen(login, cadaujac, arnaud_admin):
    assert "/admin/equipe/" in body(login("arnaud_admin").get("/admin/"))


def test_changes_need_a_post_with_the_csrf_token(sign_in, cadaujac, arnaud_admin, alice_editor):
    client = sign_in(Client(enforce_csrf_checks=True), arnaud_admin)
    data = {"user": alice_editor.pk, "role": StaffRole.EDITOR}

    assert client.get(team_url(cadaujac, "retirer/"), data).status_code == 405
    assert client.post(team_url(cadaujac, "retirer/"), data).status_code == 403
    assert roles(alice_editor, cadaujac) == {StaffRole.EDITOR}


# --- A commune always keeps an administrator ---------------------------------------------------


def test_administrator_cannot_remove_their_own_administrator_role(login, cadaujac, arnaud_admin):
    response = login("arnaud_admin").post(
        team_url(cadaujac, "retirer/"),
        {"user": arnaud_admin.pk, "role": StaffRole.ADMINISTRATOR},
        follow=True,
    )

    assert "Vous ne pouvez pas retirer votre propre rôle d'administrateur" in body(response)
    assert roles(arnaud_admin, cadaujac) == {StaffRole.ADMINISTRATOR}
    assert not CommuneLogEntry.objects.exists()


def test_even_with_a_second_administrator_one_cannot_remove_oneself(
    login, cadaujac, arnaud_admin, make_user
):
    second = make_user("agnes@cadaujac.test", first_name="Agnès")
    staff_role_grant(user=second, commune=cadaujac, role=StaffRole.ADMINISTRATOR)
    client = login("arnaud_admin")

    client.post(
        team_url(cadaujac, "retirer/"), {"user": arnaud_admin.pk, "role": StaffRole.ADMINISTRATOR}
    )
    assert roles(arnaud_admin, cadaujac) == {StaffRole.ADMINISTRATOR}

    client.post(
        team_url(cadaujac, "retirer/"), {"user": second.pk, "role": StaffRole.ADMINISTRATOR}
    )
    assert roles(second, cadaujac) == set()


def test_nobody_removes_a_communes_last_administrator(cadaujac, arnaud_admin, platform_admin):
    with pytest.raises(ValidationError, match="au moins un administrateur"):
        staff_role_revoke(
            user=arnaud_admin, commune=cadaujac, role=StaffRole.ADMINISTRATOR, by=platform_admin
        )
    assert roles(arnaud_admin, cadaujac) == {StaffRole.ADMINISTRATOR}


# --- The platform team --------------------------------------------------------------------------


def test_platform_team_manages_every_communes_team(
    login, cadaujac, didenheim, jeanne_resident, dieter_didenheim, platform_admin
):
    client = login("platform_admin")
    index = body(client.get("/admin/equipe/"))
    assert team_url(cadaujac) in index
    assert team_url(didenheim) in index

    for commune, email, resident in (
        (cadaujac, "jeanne@cadaujac.test", jeanne_resident),
        (didenheim, "dieter@didenheim.test", dieter_didenheim),
    ):
        response = client.post(team_url(commune), {"email": email, "role": StaffRole.POLICE})
        assert response.status_code == 302
        assert roles(resident, commune) == {StaffRole.POLICE}
        referent = client.post(
            team_url(commune, f"referents/{membership_of(resident).pk}/"), {"referent": "1"}
        )
        assert referent.status_code == 302
        assert membership_of(resident).role == CommunityRole.REFERENT
        revoked = client.post(
            team_url(commune, "retirer/"), {"user": resident.pk, "role": StaffRole.POLICE}
        )
        assert revoked.status_code == 302
        assert roles(resident, commune) == set()

    assert CommuneLogEntry.objects.filter(commune=didenheim, user=platform_admin).count() == 3


def test_platform_team_names_a_communes_first_administrator_from_any_account(
    login, cadaujac, charlie_outsider, platform_admin
):
    response = login("platform_admin").post(
        team_url(cadaujac), {"email": "charlie@outsider.test", "role": StaffRole.ADMINISTRATOR}
    )

    assert response.status_code == 302
    assert roles(charlie_outsider, cadaujac) == {StaffRole.ADMINISTRATOR}


# --- History ------------------------------------------------------------------------------------


def test_role_changes_appear_in_the_communes_history_only(
    sign_in, cadaujac, didenheim, arnaud_admin, bertrand_admin, jeanne_resident
):
    arnaud = sign_in(Client(), arnaud_admin)
    arnaud.post(team_url(cadaujac), {"email": "jeanne@cadaujac.test", "role": StaffRole.EDITOR})
    bertrand = sign_in(Client(), bertrand_admin)

    own_history = body(arnaud.get(f"/admin/communes/history/{cadaujac.pk}/"))
    own_report = body(arnaud.get("/admin/reports/site-history/"))
    other_report = body(bertrand.get("/admin/reports/site-history/"))

    assert "Rôle « Rédacteur » attribué à Jeanne Lafargue" in own_history
    assert "Rôle « Rédacteur » attribué à Jeanne Lafargue" in own_report
    assert "Jeanne Lafargue" not in other_report


def test_history_names_nobody_once_the_account_is_erased(
    login, cadaujac, arnaud_admin, jeanne_resident
):
    client = login("arnaud_admin")
    client.post(
        team_url(cadaujac),
        {"email": "jeanne@cadaujac.test", "role": StaffRole.EDITOR},
        follow=True,
    )
    client.post(
        team_url(cadaujac, f"referents/{membership_of(jeanne_resident).pk}/"),
        {"referent": "1"},
        follow=True,
    )

    account_erase(user=jeanne_resident)

    entries = CommuneLogEntry.objects.filter(commune=cadaujac)
    assert entries.count() == 2
    assert all("Lafargue" not in str(entry.data) + entry.label for entry in entries)
    team = body(client.get(team_url(cadaujac)))
    assert "Rôle « Rédacteur » attribué à ancien membre" in team
    assert "Lafargue" not in team


def test_the_referent_then_decides_their_communitys_registrations(
    login, cadaujac, arnaud_admin, jeanne_resident, pierre_pending
):
    jeanne = Client()
    jeanne.force_login(jeanne_resident)
    assert jeanne.get("/moderation/inscriptions/").status_code == 404

    login("arnaud_admin").post(
        team_url(cadaujac, f"referents/{membership_of(jeanne_resident).pk}/"), {"referent": "1"}
    )

    queue = jeanne.get("/moderation/inscriptions/")
    assert queue.status_code == 200
    assert "Pierre Castaing" in body(queue)
    assert Membership.objects.get(user=pierre_pending).status == MembershipStatus.PENDING
