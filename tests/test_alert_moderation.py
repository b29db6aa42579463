"""Moderating alerts: approve, refuse, withdraw with a correction, dismiss or uphold reports.

Each decision changes the alert's status, is kept in its history with the moderator and
the reason, tells the author, and is refused to anyone who does not moderate its commune.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from alerts.models import (
    ALERT_PURPOSE,
    Alert,
    AlertCategory,
    AlertEvent,
    AlertMessage,
    ModerationStatus,
)
from alerts.moderation import (
    QueueFilter,
    alert_approve,
    alert_reject,
    alert_retract,
    moderation_queue,
    report_dismiss,
    report_uphold,
)
from alerts.services import alert_post
from communities.models import ModerationPolicy, StaffRole
from communities.services import staff_role_grant
from moderation.models import Report, ReportStatus
from notifications.models import Channel, Delivery, DeliveryStatus
from notifications.sms.segments import to_gsm7


@pytest.fixture
def police(make_user, cadaujac):
    user = make_user("paulette@cadaujac.test", first_name="Paulette", phone="+33612340099")
    staff_role_grant(user=user, commune=cadaujac, role=StaffRole.POLICE)
    return user


@pytest.fixture
def neighbourhood(jeanne_resident, paul_neighbour, lucie_tuileries, marc_moderator, police):
    return {"jeanne": jeanne_resident, "paul": paul_neighbour, "marc": marc_moderator}


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Call a service and run what it leaves for after commit (fan-out, sending, notices)."""

    def call(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return call


@pytest.fixture
def posted(run, neighbourhood, fake_twilio):
    """Jeanne's alert, sent at once (post-moderation, the default)."""
    return run(
        alert_post,
        author=neighbourhood["jeanne"],
        category=AlertCategory.CANVASSER,
        text="Faux agent des eaux qui sonne aux portes rue des Lilas.",
        identifying_details="Se présente comme M. Durand",
    )


@pytest.fixture
def held(run, cadaujac, neighbourhood, fake_twilio):
    """Jeanne's alert under pre-moderation: held, nothing sent."""
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])
    mail.outbox.clear()
    return run(
        alert_post,
        author=neighbourhood["jeanne"],
        category=AlertCategory.SCOUTING,
        text="Voiture qui fait le tour du lotissement depuis une heure.",
    )


def alert_deliveries():
    """The alerts' own deliveries (notices to authors and moderators are not the alert)."""
    return Delivery.objects.filter(message__purpose=ALERT_PURPOSE)


def notice_sms(phone):
    """The notice SMS the outbox delivered to ``phone``."""
    return Delivery.objects.select_related("message").get(
        channel=Channel.SMS, user__phone=phone, message__notice__isnull=False
    )


def events(alert):
    return list(alert.events.values_list("action", "actor__email", "reason"))


def pairs(message):
    return set(message.deliveries.values_list("user_id", "channel"))


def report(alert, reporter, reason="Ce n'est pas un démarcheur, c'est le releveur officiel."):
    return Report.objects.create(
        commune=alert.commune,
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=alert.pk,
        reporter=reporter,
        reason=reason,
    )


# --- Post-moderation: read, or withdrawn with a correction ------------------------------------


def test_approving_a_sent_alert_marks_it_read_and_sends_nothing_more(posted, neighbourhood, run):
    before = Delivery.objects.count()

    run(alert_approve, alert=posted, by=neighbourhood["marc"])

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.APPROVED
    assert events(posted)[-1] == ("approved", "marc@cadaujac.test", "")
    assert Delivery.objects.count() == before


def test_retracting_sends_a_correction_to_exactly_those_who_received_the_alert(
    posted, neighbourhood, run, fake_twilio, make_member, centre_bourg
):
    original = posted.messages.get()
    # Someone who joins after the alert never saw it: no correction for them.
    make_member(
        "newcomer@cadaujac.test",
        centre_bourg,
        first_name="Nina",
        last_name="Nouvelle",
        phone="+33612349999",
    )
    sms_before = len(fake_twilio.requests)
    mail.outbox.clear()

    correction = run(
        alert_retract, alert=posted, by=neighbourhood["marc"], reason="Agent officiel vérifié."
    )

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.RETRACTED
    assert correction.kind == AlertMessage.Kind.CORRECTION
    assert pairs(correction) == pairs(original)
    assert correction.deliveries.count() == original.deliveries.count()
    assert (
        correction.deliveries.values("user").distinct().count()
        == original.deliveries.values("user").distinct().count()
    )
    # Restricted copies stay restricted, and the correction names no detail anyway.
    assert set(correction.deliveries.values_list("user_id", "channel", "restricted")) == set(
        original.deliveries.values_list("user_id", "channel", "restricted")
    )
    assert "Durand" not in correction.text
    assert "Durand" not in correction.restricted_text
    assert correction.text.startswith(
        'Rectificatif : l\'alerte "Démarcheur suspect" de Centre-bourg'
    )
    assert "a été retirée par la mairie" in correction.text
    new_sms = fake_twilio.requests[sms_before:]
    assert new_sms  # the original reached someone by SMS: the checks below are not vacuous
    assert sorted(r.params["To"] for r in new_sms) == sorted(
        str(d.user.phone) for d in original.deliveries.filter(channel=Channel.SMS)
    )
    assert all(r.params["Body"].startswith("Rectificatif") for r in new_sms)
    assert "+33612349999" not in [r.params["To"] for r in new_sms]
    assert set(correction.deliveries.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert events(posted)[-1] == ("retracted", "marc@cadaujac.test", "Agent officiel vérifié.")
    # The author is told, with the reason, by e-mail (she has an address).
    to_jeanne = [m for m in mail.outbox if m.to == ["jeanne@cadaujac.test"]]
    assert len(to_jeanne) == 1
    assert "retirée" in to_jeanne[0].body
    assert "Agent officiel vérifié." in to_jeanne[0].body


def test_retracting_withdraws_what_had_not_left_yet(posted, neighbourhood, run):
    original = posted.messages.get()
    waiting = original.deliveries.filter(channel=Channel.SMS).first()
    Delivery.objects.filter(pk=waiting.pk).update(status=DeliveryStatus.QUEUED)

    correction = run(alert_retract, alert=posted, by=neighbourhood["marc"], reason="Erreur.")

    waiting.refresh_from_db()
    assert waiting.status == DeliveryStatus.FAILED
    assert waiting.error_code == "retracted"
    # It never left: no correction for it on that channel.
    assert (waiting.user_id, Channel.SMS) not in pairs(correction)


def test_retracting_needs_a_reason_and_changes_nothing_without_one(posted, neighbourhood):
    with pytest.raises(ValidationError):
        alert_retract(alert=posted, by=neighbourhood["marc"], reason="   ")

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.TO_REVIEW
    assert posted.messages.count() == 1
    assert not posted.events.filter(action=AlertEvent.Action.RETRACTED).exists()


# --- Pre-moderation: held, then approved and sent, or refused -----------------------------------


def test_a_held_alert_sends_nothing_and_tells_the_moderators_at_once(
    held, neighbourhood, make_user, cadaujac, run
):
    assert held.moderation_status == ModerationStatus.HELD
    assert not alert_deliveries().exists()
    to_marc = [m for m in mail.outbox if m.to == ["marc@cadaujac.test"]]
    assert len(to_marc) == 1
    assert f"/admin/moderation-alertes/{held.pk}/" in to_marc[0].body
    assert events(held) == [("held", "jeanne@cadaujac.test", "")]


def test_moderators_with_a_phone_also_get_an_sms_for_a_held_alert(
    run, cadaujac, neighbourhood, make_user, fake_twilio
):
    mona = make_user("mona@cadaujac.test", first_name="Mona", phone="+33612345670")
    staff_role_grant(user=mona, commune=cadaujac, role=StaffRole.MODERATOR)
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])

    alert = run(
        alert_post,
        author=neighbourhood["jeanne"],
        category=AlertCategory.BURGLARY,
        text="Tentative d'effraction au 4 impasse des Pins.",
    )

    sms = notice_sms("+33612345670")
    assert "attend votre validation" in sms.message.text
    assert f"/admin/moderation-alertes/{alert.pk}/" in sms.message.text
    assert sms.status == DeliveryStatus.SENT
    assert [r.params["To"] for r in fake_twilio.requests] == ["+33612345670"]


def test_approving_a_held_alert_sends_it_and_tells_the_author(
    held, neighbourhood, run, fake_twilio
):
    mail.outbox.clear()

    run(alert_approve, alert=held, by=neighbourhood["marc"])

    held.refresh_from_db()
    assert held.moderation_status == ModerationStatus.APPROVED
    recipients = set(alert_deliveries().values_list("user__email", flat=True))
    assert recipients == {"paul@cadaujac.test", "marc@cadaujac.test", "paulette@cadaujac.test"}
    assert sorted(r.params["To"] for r in fake_twilio.requests) == ["+33612340099"]
    assert events(held)[-1] == ("approved", "marc@cadaujac.test", "")
    to_jeanne = [m for m in mail.outbox if m.to == ["jeanne@cadaujac.test"]]
    assert len(to_jeanne) == 1
    assert "validée" in to_jeanne[0].body


def test_refusing_a_held_alert_sends_nothing_and_tells_the_author_why(
    held, neighbourhood, run, fake_twilio
):
    mail.outbox.clear()

    run(alert_reject, alert=held, by=neighbourhood["marc"], reason="Description d'une personne.")

    held.refresh_from_db()
    assert held.moderation_status == ModerationStatus.REJECTED
    assert not alert_deliveries().exists()
    assert fake_twilio.requests == []
    assert events(held)[-1] == ("rejected", "marc@cadaujac.test", "Description d'une personne.")
    (notice,) = mail.outbox
    assert notice.to == ["jeanne@cadaujac.test"]
    assert "Description d'une personne." in notice.body


def test_an_author_without_e_mail_is_told_by_sms(
    run, cadaujac, centre_bourg, neighbourhood, make_member, django_user_model, fake_twilio
):
    from communities.models import Membership

    sms_only = django_user_model.objects.create_user(
        phone="+33612347777", first_name="Germaine", last_name="Sans-Mail"
    )
    Membership.objects.create(
        user=sms_only, community=centre_bourg, address="2 rue", status="verified"
    )
    cadaujac.moderation_policy = ModerationPolicy.PRE
    cadaujac.save(update_fields=["moderation_policy"])
    alert = run(
        alert_post,
        author=sms_only,
        category=AlertCategory.ELDERLY,
        text="Pas de nouvelles de la voisine du 6 depuis deux jours.",
    )
    mail.outbox.clear()

    run(alert_reject, alert=alert, by=neighbourhood["marc"], reason="Appelez plutôt le 17.")

    notice = notice_sms("+33612347777")
    assert "Appelez plutôt le 17." in notice.message.text
    assert notice.status == DeliveryStatus.SENT
    # The SMS is the notice in GSM-7 characters (one segment costs 160 of them, not 70).
    assert [r.params["Body"] for r in fake_twilio.requests] == [to_gsm7(notice.message.text)]
    assert "Motif : Appelez plutot le 17." in fake_twilio.requests[0].params["Body"]
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("decision", "status", "kwargs"),
    [
        (alert_reject, ModerationStatus.TO_REVIEW, {"reason": "Non."}),
        (alert_retract, ModerationStatus.HELD, {"reason": "Non."}),
        (alert_approve, ModerationStatus.REJECTED, {}),
        (alert_retract, ModerationStatus.RETRACTED, {"reason": "Non."}),
    ],
)
def test_a_decision_that_does_not_fit_the_status_is_refused(
    posted, neighbourhood, decision, status, kwargs
):
    Alert.objects.filter(pk=posted.pk).update(moderation_status=status)
    before = (AlertEvent.objects.count(), AlertMessage.objects.count(), Delivery.objects.count())

    with pytest.raises(ValidationError):
        decision(alert=posted, by=neighbourhood["marc"], **kwargs)

    posted.refresh_from_db()
    assert posted.moderation_status == status
    after = (AlertEvent.objects.count(), AlertMessage.objects.count(), Delivery.objects.count())
    assert after == before


# --- Reports ------------------------------------------------------------------------------------


def test_dismissing_reports_closes_them_and_keeps_the_alert(posted, neighbourhood, run):
    open_report = report(posted, neighbourhood["paul"])

    closed = run(
        report_dismiss, alert=posted, by=neighbourhood["marc"], reason="Démarchage vérifié."
    )

    open_report.refresh_from_db()
    posted.refresh_from_db()
    assert closed == 1
    assert open_report.status == ReportStatus.DISMISSED
    assert open_report.handled_by == neighbourhood["marc"]
    assert open_report.handled_at is not None
    assert open_report.decision_note == "Démarchage vérifié."
    assert posted.moderation_status == ModerationStatus.APPROVED
    assert events(posted)[-1] == (
        "approved",
        "marc@cadaujac.test",
        "Signalements classés sans suite : Démarchage vérifié.",
    )


def test_dismissing_when_no_report_is_open_is_refused(posted, neighbourhood):
    with pytest.raises(ValidationError):
        report_dismiss(alert=posted, by=neighbourhood["marc"], reason="Rien.")

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.TO_REVIEW


def test_upholding_reports_retracts_the_alert_and_closes_them(posted, neighbourhood, run):
    open_report = report(posted, neighbourhood["paul"])

    correction = run(
        report_uphold, alert=posted, by=neighbourhood["marc"], reason="Accusation sans fait."
    )

    open_report.refresh_from_db()
    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.RETRACTED
    assert correction.kind == AlertMessage.Kind.CORRECTION
    assert open_report.status == ReportStatus.UPHELD
    assert open_report.handled_by == neighbourhood["marc"]


# --- Who may decide -----------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["diane_moderator", "alice_editor", "jeanne_resident"])
@pytest.mark.parametrize(
    ("decision", "kwargs"),
    [
        (alert_approve, {}),
        (alert_retract, {"reason": "Non."}),
        (report_dismiss, {"reason": "Non."}),
    ],
)
def test_only_moderators_of_the_alerts_commune_decide(
    request, posted, neighbourhood, persona, decision, kwargs
):
    report(posted, neighbourhood["paul"])
    user = request.getfixturevalue(persona)

    with pytest.raises(PermissionDenied):
        decision(alert=posted, by=user, **kwargs)

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.TO_REVIEW
    assert posted.messages.count() == 1
    assert Report.objects.get().status == ReportStatus.OPEN


def test_platform_team_may_decide(posted, platform_admin, run):
    run(alert_retract, alert=posted, by=platform_admin, reason="Retrait par l'équipe.")

    posted.refresh_from_db()
    assert posted.moderation_status == ModerationStatus.RETRACTED


# --- The queue ----------------------------------------------------------------------------------


def test_queue_filters_and_never_shows_another_communes_alerts(
    run, posted, neighbourhood, dieter_didenheim, diane_moderator, cadaujac, fake_twilio
):
    other = run(
        alert_post,
        author=dieter_didenheim,
        category=AlertCategory.LOST_ANIMAL,
        text="Chat roux perdu près de l'église.",
    )
    reported = run(
        alert_post,
        author=neighbourhood["paul"],
        category=AlertCategory.OTHER,
        text="Rassemblement bruyant au parc chaque soir.",
    )
    report(reported, neighbourhood["jeanne"])
    marc = neighbourhood["marc"]

    assert list(moderation_queue(user=marc, show=QueueFilter.TO_REVIEW)) == [reported, posted]
    assert list(moderation_queue(user=marc, show=QueueFilter.REPORTED)) == [reported]
    assert list(moderation_queue(user=marc, show=QueueFilter.HELD)) == []
    assert list(moderation_queue(user=marc, show=QueueFilter.ALL)) == [reported, posted]
    assert list(moderation_queue(user=diane_moderator, show=QueueFilter.ALL)) == [other]


def test_an_alert_withdrawn_before_its_fan_out_ran_is_never_sent(
    neighbourhood, run, fake_twilio, django_capture_on_commit_callbacks
):
    # The fan-out task is still waiting in the broker when the moderator withdraws the alert.
    with django_capture_on_commit_callbacks(execute=False) as pending:
        alert = alert_post(
            author=neighbourhood["jeanne"],
            category=AlertCategory.OTHER,
            text="Message envoyé par erreur.",
        )
    run(alert_retract, alert=alert, by=neighbourhood["marc"], reason="Envoyée par erreur.")

    for callback in pending:
        callback()

    assert not Delivery.objects.filter(
        message__alert_message__kind=AlertMessage.Kind.ALERT
    ).exists()
    assert not Delivery.objects.filter(
        message__alert_message__kind=AlertMessage.Kind.CORRECTION
    ).exists()
    assert fake_twilio.requests == []
