"""Moderating alerts: the commune's queue, and what a moderator decides about an alert.

Every decision asks again whether its author moderates the alert's commune, locks the
alert's row so that two moderators cannot decide twice, records an ``AlertEvent`` (who,
what, why) and tells the alert's author after commit. Post-moderation alerts were sent at
once: withdrawing one sends a short correction to exactly those who received it.
Pre-moderation alerts were held: approving one sends it, refusing one sends nothing.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import StaffRole
from communities.selectors import communes_where
from communities.wording import of_place
from moderation.models import Report, ReportStatus
from notifications.services import outbox_messages_release, outbox_messages_withdraw
from notifications.sms.segments import to_gsm7

from .models import (
    Alert,
    AlertEvent,
    AlertMessage,
    ModerationStatus,
)
from .notices import alert_outcome_notify
from .permissions import alert_may_moderate, alert_withdraw_refusal
from .services import alert_message_create
from .shared_pages import alert_pages_invalidate

MAX_REASON = 500


class QueueFilter:
    TO_REVIEW = "a-relire"
    HELD = "retenues"
    REPORTED = "signalees"
    ALL = "toutes"


def _alert_reports(alert_ids) -> QuerySet[Report]:
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(Alert), object_id__in=alert_ids
    )


def _open_reports() -> QuerySet[Report]:
    """Open reports on the alert of the outer query."""
    return Report.objects.filter(
        content_type=ContentType.objects.get_for_model(Alert),
        object_id=OuterRef("pk"),
        status=ReportStatus.OPEN,
    )


def alerts_moderated_by(*, user) -> QuerySet[Alert]:
    """The alerts ``user`` moderates: those of the communes where they hold the moderator
    role (every commune for the platform team), within what the visibility rule lets them
    see. Another commune's alerts are never in it."""
    return Alert.objects.visible_to(user).filter(
        commune__in=communes_where(user=user, role=StaffRole.MODERATOR)
    )


def moderation_queue(*, user, show: str = QueueFilter.TO_REVIEW) -> QuerySet[Alert]:
    """The moderation queue of ``user``, newest first, each alert marked when it has an
    open report (``has_open_reports``).

    ``show``: "à relire" (sent, not yet read by a moderator), "retenues" (pre-moderation,
    waiting), "signalées" (with an open report) or all of them.
    """
    alerts = alerts_moderated_by(user=user).annotate(has_open_reports=Exists(_open_reports()))
    if show == QueueFilter.TO_REVIEW:
        alerts = alerts.filter(moderation_status=ModerationStatus.TO_REVIEW)
    elif show == QueueFilter.HELD:
        alerts = alerts.filter(moderation_status=ModerationStatus.HELD)
    elif show == QueueFilter.REPORTED:
        alerts = alerts.filter(has_open_reports=True)
    return alerts.select_related("commune", "community", "author").order_by("-created_at", "-pk")


def queue_counts(*, user) -> dict[str, int]:
    """How many alerts wait under each filter of the queue (one query)."""
    counts = (
        alerts_moderated_by(user=user)
        .annotate(has_open_reports=Exists(_open_reports()))
        .aggregate(
            to_review=Count("pk", filter=Q(moderation_status=ModerationStatus.TO_REVIEW)),
            held=Count("pk", filter=Q(moderation_status=ModerationStatus.HELD)),
            reported=Count("pk", filter=Q(has_open_reports=True)),
            all=Count("pk"),
        )
    )
    return {
        QueueFilter.TO_REVIEW: counts["to_review"],
        QueueFilter.HELD: counts["held"],
        QueueFilter.REPORTED: counts["reported"],
        QueueFilter.ALL: counts["all"],
    }


def open_report_reasons(*, alerts) -> dict[int, list[str]]:
    """The reasons of the open reports on each of ``alerts`` (one query), oldest first."""
    reasons: dict[int, list[str]] = {}
    rows = (
        _alert_reports([alert.pk for alert in alerts])
        .filter(status=ReportStatus.OPEN)
        .order_by("created_at", "pk")
        .values_list("object_id", "reason")
    )
    for alert_id, reason in rows:
        reasons.setdefault(alert_id, []).append(reason)
    return reasons


def alert_reports(*, alert: Alert) -> QuerySet[Report]:
    """Every report on ``alert``, open ones first, newest first."""
    return (
        _alert_reports([alert.pk])
        .select_related("reporter", "handled_by")
        .order_by("-status", "-created_at")  # "open" sorts after "dismissed"/"upheld"
    )


def _check_moderator(*, user, alert: Alert) -> None:
    if not alert_may_moderate(user=user, alert=alert):
        raise PermissionDenied(
            _("Seuls les modérateurs de la commune peuvent modérer cette alerte.")
        )


def _locked(alert: Alert, *, by) -> Alert:
    """The alert's row, locked for the decision, once its moderator is checked."""
    locked = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("commune__site", "community", "author")
        .get(pk=alert.pk)
    )
    _check_moderator(user=by, alert=locked)
    return locked


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Indiquez le motif : l'auteur le recevra.")})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": _("Le motif dépasse %(max)d caractères.") % {"max": MAX_REASON}}
        )
    return reason


def _set_status(alert: Alert, status: str) -> None:
    Alert.objects.filter(pk=alert.pk).update(moderation_status=status)
    alert.moderation_status = status
    alert_pages_invalidate(commune_id=alert.commune_id)


def _close_reports(*, alert: Alert, by, status: str, note: str) -> int:
    return (
        _alert_reports([alert.pk])
        .filter(status=ReportStatus.OPEN)
        .update(status=status, handled_by=by, handled_at=timezone.now(), decision_note=note)
    )


@transaction.atomic
def alert_approve(*, alert: Alert, by, reason: str = "") -> Alert:
    """A moderator of the alert's commune approves it.

    An alert already sent (post-moderation, "à relire") is marked read and stays as it is.
    A held alert (pre-moderation) is approved and sent: its message, recorded when it was
    posted but never fanned out, goes to the fan-out after commit, and its author is told.
    Any other status is refused.
    """
    locked = _locked(alert, by=by)
    reason = " ".join((reason or "").split())[:MAX_REASON]
    if locked.moderation_status == ModerationStatus.TO_REVIEW:
        _set_status(locked, ModerationStatus.APPROVED)
    elif locked.moderation_status == ModerationStatus.HELD:
        _set_status(locked, ModerationStatus.APPROVED)
        outbox_messages_release(ids=list(locked.messages.values_list("pk", flat=True)))
        alert_outcome_notify(alert=locked, outcome="approved", reason=reason)
    else:
        raise ValidationError(_("Cette alerte n'attend pas de validation."))
    AlertEvent.objects.create(
        alert=locked, actor=by, action=AlertEvent.Action.APPROVED, reason=reason
    )
    alert.moderation_status = locked.moderation_status
    return locked


@transaction.atomic
def alert_reject(*, alert: Alert, by, reason: str) -> Alert:
    """A moderator refuses a held alert: nothing was sent, nothing will be; the author is
    told why. Only held alerts can be refused (a sent one is withdrawn instead)."""
    locked = _locked(alert, by=by)
    reason = _clean_reason(reason)
    if locked.moderation_status != ModerationStatus.HELD:
        raise ValidationError(
            _("Seule une alerte retenue peut être refusée ; une alerte déjà envoyée se retire.")
        )
    _set_status(locked, ModerationStatus.REJECTED)
    outbox_messages_withdraw(ids=list(locked.messages.values_list("pk", flat=True)))
    AlertEvent.objects.create(
        alert=locked, actor=by, action=AlertEvent.Action.REJECTED, reason=reason
    )
    _close_reports(alert=locked, by=by, status=ReportStatus.UPHELD, note=reason)
    alert_outcome_notify(alert=locked, outcome="rejected", reason=reason)
    alert.moderation_status = locked.moderation_status
    return locked


def correction_sms_text(*, alert: Alert) -> str:
    """The correction as recipients read it: which alert, from where, when; no detail.

    In GSM-7 characters only (``to_gsm7``): a correction goes to everyone the alert
    reached, and French quotes alone would bill it as UCS-2, three segments instead of one.
    """
    where = alert.community.name if alert.community_id else alert.commune.name
    created = timezone.localtime(alert.created_at)
    text = _(
        'Rectificatif : l\'alerte "%(category)s" %(of_where)s du %(date)s à %(time)s a été '
        "retirée par la mairie. Merci de ne pas en tenir compte. (STOP au numéro relais)"
    ) % {
        "category": alert.get_category_display(),
        "of_where": of_place(where),
        "date": created.strftime("%d/%m"),
        "time": created.strftime("%Hh%M"),
    }
    return to_gsm7(text)


@transaction.atomic
def alert_retract(*, alert: Alert, by, reason: str) -> AlertMessage:
    """A moderator withdraws an alert already sent; return the correction message.

    The alert leaves every list; what had not left yet (SMS held by the pace or by quiet
    hours) is withdrawn; a short correction goes, on the same channels, to exactly those
    who had deliveries of the alert (see ``alerts.fanout.correction_audience_sql``): at
    once while the alert runs, its SMS and push after quiet hours once it has ended
    (``alerts.services.alert_message_not_before``). Open reports are closed as upheld; the
    author is told why. The admin asks for a confirmation first, showing the correction's
    reach and cost (``alerts.retraction``).
    """
    locked = _locked(alert, by=by)
    reason = _clean_reason(reason)
    refusal = alert_withdraw_refusal(alert=locked)
    if refusal:
        raise ValidationError(refusal)
    _set_status(locked, ModerationStatus.RETRACTED)
    outbox_messages_withdraw(ids=list(locked.messages.values_list("pk", flat=True)))
    correction = alert_message_create(
        alert=locked,
        kind=AlertMessage.Kind.CORRECTION,
        text=reason,
        author=by,
        sms_text=correction_sms_text(alert=locked),
    )
    AlertEvent.objects.create(
        alert=locked, actor=by, action=AlertEvent.Action.RETRACTED, reason=reason
    )
    _close_reports(alert=locked, by=by, status=ReportStatus.UPHELD, note=reason)
    alert_outcome_notify(alert=locked, outcome="retracted", reason=reason)
    alert.moderation_status = locked.moderation_status
    return correction


@transaction.atomic
def report_uphold(*, alert: Alert, by, reason: str) -> AlertMessage:
    """Agree with the reports on an alert: it is withdrawn (see ``alert_retract``)."""
    return alert_retract(alert=alert, by=by, reason=reason)


@transaction.atomic
def report_dismiss(*, alert: Alert, by, reason: str) -> int:
    """Close the open reports on an alert without withdrawing it; return how many.

    The alert stays and counts as read by a moderator (approved); the history records
    who decided and why. Refused when no report is open.
    """
    locked = _locked(alert, by=by)
    reason = _clean_reason(reason)
    closed = _close_reports(alert=locked, by=by, status=ReportStatus.DISMISSED, note=reason)
    if not closed:
        raise ValidationError(_("Aucun signalement en cours sur cette alerte."))
    if locked.moderation_status == ModerationStatus.TO_REVIEW:
        _set_status(locked, ModerationStatus.APPROVED)
    AlertEvent.objects.create(
        alert=locked,
        actor=by,
        action=AlertEvent.Action.APPROVED,
        reason=_("Signalements classés sans suite : %(reason)s") % {"reason": reason},
    )
    alert.moderation_status = locked.moderation_status
    return closed
