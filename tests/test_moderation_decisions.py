"""Moderators decide registrations of their own communities; the proof goes, the decision stays."""

import os

import pytest
from django.core import mail
from django.test import Client, RequestFactory

from communities.memberships import neighbour_register
from communities.models import Membership, MembershipStatus, ProofOfAddress
from moderation.wagtail_hooks import register_registrations_menu_item


@pytest.fixture(autouse=True)
def _files(private_storage):
    return private_storage


@pytest.fixture
def pierre_membership(pierre_pending):
    return pierre_pending.memberships.get()


@pytest.fixture
def hans_pending(make_user, village, private_storage):
    """Hans asked to join Didenheim's Village."""
    from communities.memberships import membership_request

    from .conftest import pdf_upload

    hans = make_user("hans@didenheim.test", first_name="Hans", last_name="Zimmermann")
    return membership_request(
        user=hans, community=village, address="3 rue du Moulin", proof_file=pdf_upload()
    )


def _proof_path(membership):
    return ProofOfAddress.objects.get(membership=membership).file.path


def test_queue_lists_the_moderators_own_commune_only(
    client, sign_in, pierre_membership, hans_pending, marc_moderator, diane_moderator
):
    sign_in(client, marc_moderator)
    cadaujac_queue = client.get("/moderation/inscriptions/").content.decode()
    sign_in(client, diane_moderator)
    didenheim_queue = client.get("/moderation/inscriptions/").content.decode()

    assert "Pierre Castaing" in cadaujac_queue
    assert "Hans Zimmermann" not in cadaujac_queue
    assert "Hans Zimmermann" in didenheim_queue
    assert "Pierre Castaing" not in didenheim_queue


def test_referent_sees_their_own_community_only(
    client, sign_in, pierre_membership, rene_referent, make_user, tuileries
):
    from communities.memberships import membership_request

    from .conftest import pdf_upload

    lea = make_user("lea@cadaujac.test", first_name="Léa", last_name="Tuilière")
    other = membership_request(
        user=lea, community=tuileries, address="8 rue Haute", proof_file=pdf_upload()
    )
    sign_in(client, rene_referent)

    queue = client.get("/moderation/inscriptions/").content.decode()

    assert "Pierre Castaing" in queue
    assert "Tuilière" not in queue
    assert client.get(f"/moderation/inscriptions/{other.pk}/").status_code == 404
    assert client.get(f"/moderation/inscriptions/{other.pk}/justificatif/").status_code == 404


def test_detail_shows_who_where_sponsor_and_sms_status(
    client, sign_in, pierre_membership, marc_moderator
):
    sign_in(client, marc_moderator)

    html = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/").content.decode()

    assert "Pierre Castaing" in html
    assert "4 allée des Peupliers" in html
    assert "Centre-bourg (Cadaujac)" in html
    assert "06 22 33 44 55" in html
    assert "non confirmé" in html
    assert "Le demandeur lui-même" in html
    assert f"/moderation/inscriptions/{pierre_membership.pk}/justificatif/" in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_proof_is_a_download_never_cached_never_sniffed(
    client, sign_in, pierre_membership, marc_moderator
):
    sign_in(client, marc_moderator)
    with open(_proof_path(pierre_membership), "rb") as stored:
        expected = stored.read()

    response = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/justificatif/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert f"justificatif-{pierre_membership.pk}.pdf" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == expected


def test_approve_deletes_the_proof_and_keeps_the_decision(
    client, sign_in, pierre_membership, marc_moderator
):
    path = _proof_path(pierre_membership)
    assert os.path.exists(path)
    sign_in(client, marc_moderator)

    response = client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/valider/",
        {"approve-reason": "Facture EDF au bon nom"},
        follow=True,
    )

    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.VERIFIED
    assert pierre_membership.decided_by == marc_moderator
    assert pierre_membership.decided_at is not None
    assert pierre_membership.decision_reason == "Facture EDF au bon nom"
    assert not ProofOfAddress.objects.filter(membership=pierre_membership).exists()
    assert not os.path.exists(path)
    assert "Inscription de Pierre Castaing validée" in response.content.decode()


def test_reject_needs_a_reason_and_changes_nothing_without_one(
    client, sign_in, pierre_membership, marc_moderator
):
    sign_in(client, marc_moderator)

    response = client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/refuser/", {"reject-reason": "  "}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Indiquez le motif du refus." in html
    assert 'aria-describedby="id_reject-reason_help id_reject-reason_error"' in html
    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.PENDING
    assert os.path.exists(_proof_path(pierre_membership))


def test_reject_deletes_the_proof_and_keeps_the_reason(
    client, sign_in, pierre_membership, marc_moderator
):
    path = _proof_path(pierre_membership)
    sign_in(client, marc_moderator)

    client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/refuser/",
        {"reject-reason": "Le justificatif est au nom d'une autre personne."},
    )

    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.REJECTED
    assert pierre_membership.decided_by == marc_moderator
    assert pierre_membership.decision_reason == "Le justificatif est au nom d'une autre personne."
    assert not os.path.exists(path)


@pytest.mark.parametrize("action", ["valider", "refuser"])
def test_moderator_of_another_commune_gets_404_and_nothing_changes(
    client, sign_in, pierre_membership, diane_moderator, action
):
    path = _proof_path(pierre_membership)
    sign_in(client, diane_moderator)

    response = client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/{action}/",
        {"approve-reason": "", "reject-reason": "Non"},
    )

    assert response.status_code == 404
    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.PENDING
    assert pierre_membership.decided_by is None
    assert pierre_membership.decision_reason == ""
    assert os.path.exists(path)


def test_decisions_need_the_csrf_token(sign_in, pierre_membership, marc_moderator):
    client = sign_in(Client(enforce_csrf_checks=True), marc_moderator)

    response = client.post(f"/moderation/inscriptions/{pierre_membership.pk}/valider/")

    assert response.status_code == 403
    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.PENDING


def test_decisions_are_posted_never_fetched(client, sign_in, pierre_membership, marc_moderator):
    sign_in(client, marc_moderator)

    response = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/valider/")

    assert response.status_code == 405
    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.PENDING


def test_a_decided_registration_shows_its_decision_and_no_proof(
    client, sign_in, pierre_membership, marc_moderator
):
    sign_in(client, marc_moderator)
    undecided = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/").content.decode()
    assert "Valider l'inscription" in undecided
    client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/refuser/",
        {"reject-reason": "Adresse hors de la commune"},
    )

    detail = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/").content.decode()
    proof = client.get(f"/moderation/inscriptions/{pierre_membership.pk}/justificatif/")
    again = client.post(
        f"/moderation/inscriptions/{pierre_membership.pk}/valider/", follow=True
    ).content.decode()

    assert "Adresse hors de la commune" in detail
    assert "Le justificatif a été supprimé après la décision." in detail
    assert "Valider l'inscription" not in detail
    assert proof.status_code == 404
    assert "Cette inscription a déjà été décidée." in again
    pierre_membership.refresh_from_db()
    assert pierre_membership.status == MembershipStatus.REJECTED


def test_sponsored_neighbour_is_approved_only_after_answering_oui(
    client, sign_in, jeanne_resident, marc_moderator
):
    membership = neighbour_register(
        sponsor=jeanne_resident,
        first_name="Odette",
        last_name="Marsan",
        phone="06 33 44 55 66",
        address="2 place de l'Église",
    )
    sign_in(client, marc_moderator)

    detail = client.get(f"/moderation/inscriptions/{membership.pk}/").content.decode()
    refused = client.post(f"/moderation/inscriptions/{membership.pk}/valider/", follow=True)

    assert "Jeanne Lafargue" in detail
    assert "pas encore répondu OUI" in detail
    assert "Ce voisin n&#x27;a pas encore répondu OUI" in refused.content.decode()
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.PENDING

    Membership.objects.filter(pk=membership.pk).update(sms_confirmed_at="2026-01-05T10:00:00Z")
    client.post(f"/moderation/inscriptions/{membership.pk}/valider/")
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.VERIFIED


def test_applicant_is_told_the_decision_in_french(
    client, sign_in, make_user, centre_bourg, marc_moderator, django_capture_on_commit_callbacks
):
    from communities.memberships import membership_request

    from .conftest import pdf_upload

    # No phone: the decision goes by e-mail alone (SMS delivery is the notifications' tests).
    sylvie = make_user("sylvie@cadaujac.test", first_name="Sylvie", last_name="Peyrat")
    membership = membership_request(
        user=sylvie, community=centre_bourg, address="9 rue Neuve", proof_file=pdf_upload()
    )
    sign_in(client, marc_moderator)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/moderation/inscriptions/{membership.pk}/refuser/",
            {"reject-reason": "Justificatif illisible"},
        )

    assert [m.to for m in mail.outbox] == [["sylvie@cadaujac.test"]]
    assert "n'a pas été validée" in mail.outbox[0].body
    assert "Justificatif illisible" in mail.outbox[0].body


# --- The admin menu entry ------------------------------------------------------------------------


def _menu_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_admin_menu_shows_the_queue_with_its_count_to_moderators(pierre_membership, marc_moderator):
    item = register_registrations_menu_item()
    request = _menu_request(marc_moderator)

    assert item.is_shown(request)
    component = item.render_component(request)
    assert component.label == "Inscriptions à valider (1)"
    assert component.url == "/moderation/inscriptions/"


def test_admin_menu_count_is_the_moderators_own(pierre_membership, hans_pending, diane_moderator):
    component = register_registrations_menu_item().render_component(_menu_request(diane_moderator))

    assert component.label == "Inscriptions à valider (1)"


@pytest.mark.parametrize("persona", ["alice_editor", "rene_referent", "paul_neighbour"])
def test_admin_menu_entry_is_hidden_from_non_moderators(request, persona):
    user = request.getfixturevalue(persona)

    assert not register_registrations_menu_item().is_shown(_menu_request(user))


def test_admin_sidebar_links_to_the_queue(client, sign_in, pierre_membership, marc_moderator):
    sign_in(client, marc_moderator)

    html = client.get("/admin/").content.decode()

    # The sidebar is a JSON argument of Wagtail's menu script.
    assert '"label": "Inscriptions \\u00e0 valider (1)"' in html
    assert '"url": "/moderation/inscriptions/"' in html


def test_expired_requests_leave_the_queue_for_the_recent_decisions(
    client, sign_in, pierre_membership, marc_moderator
):
    from datetime import timedelta

    from django.utils import timezone

    from communities.tasks import memberships_expire_stale_task

    Membership.objects.filter(pk=pierre_membership.pk).update(
        requested_at=timezone.now() - timedelta(days=31)
    )
    memberships_expire_stale_task.delay().get()
    sign_in(client, marc_moderator)

    queue = client.get("/moderation/inscriptions/").content.decode()

    pending, decided = queue.split("Décisions récentes")
    assert "Pierre Castaing" not in pending
    assert "Aucune inscription en attente." in pending
    assert "Pierre Castaing" in decided
    assert "Expiration automatique" in decided


def test_site_header_links_referents_and_moderators_to_the_queue(
    client, rene_referent, paul_neighbour
):
    client.force_login(rene_referent)
    referent_page = client.get("/compte/confidentialite/").content.decode()
    client.force_login(paul_neighbour)
    resident_page = client.get("/compte/confidentialite/").content.decode()

    assert 'href="/moderation/inscriptions/"' in referent_page
    assert 'href="/moderation/inscriptions/"' not in resident_page
