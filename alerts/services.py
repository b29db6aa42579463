"""Posting alerts and following them up: the rules every entry point shares.

The web form, the API, an inbound SMS and the mairie's broadcast all call
``alert_post`` / ``broadcast_post``; what they may reach, how often, and when the
deliveries are written is decided here, once.
"""

import logging
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.absence import absence_dates_refuse
from communities.memberships import verified_membership
from communities.models import ModerationPolicy, StaffRole
from communities.selectors import user_has_commune_role
from moderation.models import Report
from moderation.reportables import report_create, reported_by
from moderation.suspensions import member_suspension_refuse
from notifications.quiet_hours import quiet_hours_end
from notifications.services import outbox_message_dispatch, outbox_messages_end

from .broadcast import broadcast_sms_budget_refusal
from .models import (
    BROADCAST_CATEGORIES,
    RESIDENT_CATEGORIES,
    Alert,
    AlertEvent,
    AlertMessage,
    AlertSource,
    ModerationStatus,
)
from .notices import alert_held_notify
from .permissions import alert_rights, police_take_refusal
from .shared_pages import alert_pages_invalidate
from .sms_text import alert_sms_text, broadcast_sms_text

logger = logging.getLogger(__name__)

ALERT_LIFETIME = timedelta(hours=24)
# How long a correction is worth delivering once it may leave (see correction_expires_at).
CORRECTION_LIFETIME = timedelta(hours=24)
MAX_TEXT = 480
MAX_ALERTS_PER_HOUR = 3


class AlertRateLimitError(ValidationError):
    """More than ``MAX_ALERTS_PER_HOUR`` alerts from one member: a refusal like any other
    on the site's form; the API answers it ``429 Too Many Requests``."""


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Décrivez ce qui se passe.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("Le texte dépasse %(max)d caractères.") % {"max": MAX_TEXT}}
        )
    absence_dates_refuse(text, field="text")  # every alert, follow-up and broadcast
    return text


def alert_has_ended(*, alert: Alert, now: datetime | None = None) -> bool:
    """Closed by its author or the mairie, or past its lifetime: nobody acts on it any more."""
    now = now or timezone.now()
    return alert.closed_at is not None or alert.expires_at <= now


def alert_message_not_before(
    *, alert: Alert, kind: str, now: datetime | None = None
) -> datetime | None:
    """When the SMS and push of a new message about ``alert`` may leave (None: at once).

    Quiet hours (``notifications.quiet_hours``) hold what is not urgent: a mairie
    broadcast marked non-urgent, and the correction of an alert that has already ended —
    nobody acts on an ended alert at night, so its correction waits for the morning. A
    running alert's correction goes at once, like residents' alerts and their follow-ups.
    E-mail is never held (the outbox sends it at once whatever ``not_before`` says).
    """
    now = now or timezone.now()
    if kind == AlertMessage.Kind.CORRECTION:
        quiet = alert_has_ended(alert=alert, now=now)
    else:
        quiet = alert.source == AlertSource.ADMIN and not alert.urgent
    return quiet_hours_end(now=now) if quiet else None


def correction_expires_at(*, not_before: datetime | None, now: datetime) -> datetime:
    """How long a correction is worth delivering: ``CORRECTION_LIFETIME`` from the moment
    its SMS and push may leave (now, or the end of quiet hours).

    The outbox reads every channel's limit from this one date. Push: the push service keeps
    the notification for a device that is off until then (24 h). SMS: the provider's
    validity period is the time left, capped at 2 h for every SMS
    (``notifications.channels.sms.SMS_VALIDITY_SECONDS``); that cap is how long the SMS may
    wait in the provider's queue once handed over, and the outbox's pacing hands SMS over
    only as fast as they leave, so it never cuts a correction short. A correction still
    unsent after its lifetime (a worker down for a day) is not sent: the alert it corrects
    is long over by then.
    """
    return (not_before or now) + CORRECTION_LIFETIME


def alert_message_create(
    *,
    alert: Alert,
    kind: str,
    text: str,
    author,
    sms_text: str | None = None,
    sms_withheld: bool = False,
) -> AlertMessage:
    """Record one text about ``alert``; after commit, fan it out (unless the alert is held).

    ``sms_text`` is sent as it is, to everyone (a correction names no detail). When its SMS
    and push may leave is ``alert_message_not_before``'s answer; e-mail goes at once.
    ``sms_withheld`` sends it by e-mail and push only (a broadcast sent without SMS).
    """
    now = timezone.now()
    not_before = alert_message_not_before(alert=alert, kind=kind, now=now)
    expires_at = None
    if kind == AlertMessage.Kind.CORRECTION:
        expires_at = correction_expires_at(not_before=not_before, now=now)
    message = AlertMessage.objects.create(
        alert=alert,
        kind=kind,
        text=sms_text or alert_sms_text(alert=alert, text=text),
        restricted_text=sms_text or alert_sms_text(alert=alert, text=text, restricted=True),
        author=author,
        not_before=not_before,
        expires_at=expires_at,
        sms_withheld=sms_withheld,
    )
    outbox_message_dispatch(message=message)  # a held alert's message waits, ``held``
    return message


@transaction.atomic
def alert_post(
    *,
    author,
    category: str,
    text: str,
    identifying_details: str = "",
    source: str = AlertSource.WEB,
    inbound_message_sid: str | None = None,
) -> Alert:
    """A verified resident alerts their own community (and, with it, the mairie and police).

    Refuses anyone without a verified membership, a category reserved to the mairie, an
    empty or over-long text, and more than a handful of alerts an hour from one member.
    Post-moderation (the default) dispatches at once; pre-moderation holds the alert until
    a moderator approves it.
    """
    membership = verified_membership(user=author)
    if membership is None:
        raise PermissionDenied(_("Seuls les membres vérifiés peuvent publier une alerte."))
    if category not in RESIDENT_CATEGORIES:
        raise ValidationError({"category": _("Choisissez une catégorie de la liste.")})
    text = _clean_text(text)
    recent = Alert.objects.filter(
        author=author, created_at__gte=timezone.now() - timedelta(hours=1)
    ).count()
    if recent >= MAX_ALERTS_PER_HOUR:
        raise AlertRateLimitError(
            _(
                "Vous avez déjà publié %(count)d alertes dans l'heure. Patientez un peu ; en cas "
                "d'urgence, composez le 17."
            )
            % {"count": recent}
        )
    commune = membership.community.commune
    member_suspension_refuse(user=author, commune=commune)
    held = commune.moderation_policy == ModerationPolicy.PRE
    alert = Alert.objects.create(
        commune=commune,
        community=membership.community,
        author=author,
        source=source,
        category=category,
        text=text,
        identifying_details=" ".join((identifying_details or "").split())[:300],
        urgent=True,
        moderation_status=ModerationStatus.HELD if held else ModerationStatus.TO_REVIEW,
        inbound_message_sid=inbound_message_sid,
        expires_at=timezone.now() + ALERT_LIFETIME,
    )
    alert_message_create(alert=alert, kind=AlertMessage.Kind.ALERT, text=text, author=author)
    if held:
        AlertEvent.objects.create(alert=alert, actor=author, action=AlertEvent.Action.HELD)
        alert_held_notify(alert=alert)  # the moderators are told once this commits
    return alert


@transaction.atomic
def broadcast_post(
    *,
    author,
    commune,
    category: str,
    text: str,
    communities=(),
    urgent: bool = True,
    transliterate: bool = False,
    without_sms: bool = False,
) -> Alert:
    """The mairie alerts the whole commune (or chosen communities) in one go.

    Only staff holding the broadcaster role of this very commune may; communities of
    another commune are refused. ``transliterate`` sends the text in GSM-7 characters only
    (« Fête » → "Fete"), so that one accent does not triple the number of SMS segments; the
    alert itself keeps the text as written. A non-urgent broadcast created during quiet
    hours holds its SMS and push until morning (see ``alert_message_create``).

    A non-urgent broadcast whose SMS would take the month over the commune's SMS budget is
    refused whole, nothing written (``communities.sms_budget.sms_budget_refusal``); sent
    ``without_sms`` it goes by e-mail and push only. An urgent one always goes with its SMS.
    """
    if not user_has_commune_role(user=author, commune=commune, role=StaffRole.BROADCASTER):
        raise PermissionDenied(_("Vous n'avez pas le rôle de diffuseur d'alertes ici."))
    if category not in BROADCAST_CATEGORIES:
        raise ValidationError({"category": _("Choisissez une catégorie de la liste.")})
    communities = list(communities)
    if any(c.commune_id != commune.pk for c in communities):
        raise ValidationError({"communities": _("Ces communautés ne sont pas les vôtres.")})
    text = _clean_text(text)
    if not urgent and not without_sms:
        refusal = broadcast_sms_budget_refusal(
            commune=commune,
            category=category,
            text=text,
            communities=communities,
            transliterate=transliterate,
            author=author,
        )
        if refusal:
            raise ValidationError(refusal, code="sms_budget")
    alert = Alert.objects.create(
        commune=commune,
        author=author,
        source=AlertSource.ADMIN,
        category=category,
        text=text,
        urgent=urgent,
        moderation_status=ModerationStatus.APPROVED,
        expires_at=timezone.now() + ALERT_LIFETIME,
    )
    if communities:
        alert.communities.set(communities)
    alert_message_create(
        alert=alert,
        kind=AlertMessage.Kind.ALERT,
        text=text,
        author=author,
        sms_text=broadcast_sms_text(alert=alert, text=text, transliterate=transliterate),
        sms_withheld=without_sms,
    )
    AlertEvent.objects.create(alert=alert, actor=author, action=AlertEvent.Action.POSTED)
    return alert


# --- Following an alert up: rights, follow-ups, end, police, reports ---------------------------


def alert_not_running_reason(*, alert: Alert) -> str | None:
    """Why nothing more can be sent about ``alert`` (None while it runs): held, withdrawn,
    closed or expired (an expired alert's own undelivered SMS and push are not sent either,
    see ``notifications.sending.deliveries_expire``)."""
    if alert.moderation_status == ModerationStatus.HELD:
        return _(
            "Cette alerte attend la validation d'un modérateur : rien ne peut encore y être ajouté."
        )
    if alert.moderation_status == ModerationStatus.REJECTED:
        return _("Cette alerte a été refusée par la modération.")
    if alert.moderation_status == ModerationStatus.RETRACTED:
        return _("Cette alerte a été retirée par la modération.")
    if alert.closed_at is not None:
        return _("Cette alerte est déjà close.")
    if alert.expires_at <= timezone.now():
        return _("Cette alerte a expiré : elle ne peut plus recevoir de suivi.")
    return None


def _alert_locked(alert: Alert) -> Alert:
    """The alert's row, locked, so that two closings at once cannot both go out."""
    return (
        Alert.objects.select_for_update(of=("self",))
        .select_related("commune", "community")
        .get(pk=alert.pk)
    )


def _follow_up_message(*, alert: Alert, by, text: str, kind: str, action: str) -> AlertMessage:
    alert = _alert_locked(alert)
    rights = alert_rights(user=by, alert=alert)
    if kind == AlertMessage.Kind.CLOSING and not rights.may_close:
        raise PermissionDenied(_("Seuls l'auteur de l'alerte et la mairie peuvent la clore."))
    if not rights.may_follow_up:
        raise PermissionDenied(
            _("Seuls l'auteur de l'alerte et la mairie peuvent publier un suivi ou la clore.")
        )
    reason = alert_not_running_reason(alert=alert)
    if reason:
        raise ValidationError(reason)
    text = _clean_text(text)
    if kind == AlertMessage.Kind.CLOSING:
        label = _("Fin d'alerte")
    elif rights.follows_up_as_police:
        label, action = _("Suivi de la police municipale"), AlertEvent.Action.POLICE_UPDATED
    else:
        label = _("Suivi")
    message = alert_message_create(alert=alert, kind=kind, text=f"{label} : {text}", author=by)
    AlertEvent.objects.create(alert=alert, actor=by, action=action, reason=text)
    return message


@transaction.atomic
def alert_follow_up(*, alert: Alert, by, text: str) -> AlertMessage:
    """Post an update ("suivi") to a running alert; it goes to the alert's audience.

    Only the author, the commune's administrators, moderators and broadcasters, and its
    police municipale (signed as such: "patrouille sur place") may; a held, refused,
    withdrawn, closed or expired alert takes no follow-up.
    """
    return _follow_up_message(
        alert=alert,
        by=by,
        text=text,
        kind=AlertMessage.Kind.UPDATE,
        action=AlertEvent.Action.UPDATED,
    )


@transaction.atomic
def alert_close(*, alert: Alert, by, text: str) -> AlertMessage:
    """End an alert ("fin d'alerte": le chat est retrouvé) and tell its audience.

    Same rights and refusals as ``alert_follow_up``; once closed, the alert leaves the
    active list and takes nothing more.
    """
    message = _follow_up_message(
        alert=alert,
        by=by,
        text=text,
        kind=AlertMessage.Kind.CLOSING,
        action=AlertEvent.Action.CLOSED,
    )
    now = timezone.now()
    Alert.objects.filter(pk=alert.pk).update(closed_at=now)
    alert_pages_invalidate(commune_id=alert.commune_id)
    alert.refresh_from_db(fields=["closed_at"])
    # The alert and its updates not yet sent by SMS or push will not be; the closing goes.
    outbox_messages_end(
        ids=list(
            alert.messages.filter(
                kind__in=[AlertMessage.Kind.ALERT, AlertMessage.Kind.UPDATE]
            ).values_list("pk", flat=True)
        ),
        now=now,
    )
    return message


@transaction.atomic
def alert_police_take(*, alert: Alert, by) -> Alert:
    """The police municipale of the alert's commune marks it "prise en charge".

    Asks ``alerts.permissions.police_may_take`` again on the locked row: only the police
    role of that commune, on an alert ``police_take_refusal`` accepts.
    """
    locked = _alert_locked(alert)
    if not alert_rights(user=by, alert=locked).is_police:
        raise PermissionDenied(
            _("Seule la police municipale de la commune peut prendre en charge.")
        )
    refusal = police_take_refusal(alert=locked)
    if refusal:
        raise ValidationError(refusal)
    now = timezone.now()
    Alert.objects.filter(pk=locked.pk).update(police_taken_at=now, police_taken_by=by)
    AlertEvent.objects.create(alert=locked, actor=by, action=AlertEvent.Action.POLICE_TAKEN)
    alert.police_taken_at, alert.police_taken_by = now, by
    return alert


def alert_reported_by(*, alert: Alert, user) -> bool:
    return reported_by(content=alert, user=user)


def alert_report(*, alert: Alert, by, reason: str) -> Report:
    """A member who can see an alert reports it to the commune's moderators, once.

    Filed through the one reports service (``moderation.reportables.report_create``):
    it refuses an alert the member cannot see, their own, an empty reason and a second
    report; the report joins the commune's queue and the alert's history records it.
    """
    return report_create(content=alert, reporter=by, reason=reason)


def alert_author_phone_show(*, alert: Alert, by):
    """The author's phone number, for the alert staff to call the witness back, recorded
    in the alert's history each time it is shown (``AlertEvent.Action.CONTACT_SHOWN``).

    Only for the commune's alert staff with two-factor authentication (PermissionDenied
    otherwise); None when the author has no phone (or the account is gone).
    """
    if not alert_rights(user=by, alert=alert).sees_author_phone:
        raise PermissionDenied(
            _("Le téléphone de l'auteur est réservé à la mairie et à la police.")
        )
    phone = alert.author.phone if alert.author_id else None
    if phone:
        AlertEvent.objects.create(alert=alert, actor=by, action=AlertEvent.Action.CONTACT_SHOWN)
    return phone or None
