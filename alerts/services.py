"""Posting alerts and following them up: the rules every entry point shares.

The web form, the API, an inbound SMS and the mairie's broadcast all call
``alert_post`` / ``broadcast_post``; what they may reach, how often, and when the
deliveries are written is decided here, once.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.memberships import verified_membership
from communities.models import ModerationPolicy, StaffRole
from communities.selectors import user_has_commune_role

from .models import (
    BROADCAST_CATEGORIES,
    RESIDENT_CATEGORIES,
    Alert,
    AlertEvent,
    AlertMessage,
    AlertSource,
    ModerationStatus,
)

ALERT_LIFETIME = timedelta(hours=24)
MAX_TEXT = 480
MAX_ALERTS_PER_HOUR = 3


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Décrivez ce qui se passe.")})
    if len(text) > MAX_TEXT:
        raise ValidationError(
            {"text": _("Le texte dépasse %(max)d caractères.") % {"max": MAX_TEXT}}
        )
    return text


def alert_sms_text(*, alert: Alert, text: str, restricted: bool = False) -> str:
    """The SMS wording: who it is from, what, and the STOP mention (French short-code rules)."""
    where = alert.community.name if alert.community_id else alert.commune.name
    details = ""
    if restricted and alert.identifying_details:
        details = " " + _("Éléments : %(details)s") % {"details": alert.identifying_details}
    return _("Alerte %(where)s — %(category)s : %(text)s%(details)s (STOP au numéro relais)") % {
        "where": where,
        "category": alert.get_category_display(),
        "text": text,
        "details": details,
    }


def _message_create(
    *, alert: Alert, kind: str, text: str, author, sms_text: str | None = None
) -> AlertMessage:
    """Record one text about ``alert``; after commit, fan it out (unless the alert is held).

    ``sms_text`` is sent as it is, to everyone (a correction names no detail). A non-urgent
    message (a mairie broadcast about roadworks) created during quiet hours carries the
    moment its SMS and push may leave (``not_before``); e-mail goes at once. Urgent ones,
    residents' alerts among them, and corrections go at once on every channel.
    """
    from .broadcast import quiet_hours_end

    quiet = (
        alert.source == AlertSource.ADMIN
        and not alert.urgent
        and kind != AlertMessage.Kind.CORRECTION
    )
    message = AlertMessage.objects.create(
        alert=alert,
        kind=kind,
        text=sms_text or alert_sms_text(alert=alert, text=text),
        restricted_text=sms_text or alert_sms_text(alert=alert, text=text, restricted=True),
        author=author,
        not_before=quiet_hours_end(now=timezone.now()) if quiet else None,
    )
    if alert.moderation_status != ModerationStatus.HELD:
        transaction.on_commit(lambda: _fanout_enqueue(message.pk))
    return message


def _fanout_enqueue(message_id: int) -> None:
    from .tasks import alert_message_fanout

    alert_message_fanout.apply_async(args=[message_id], queue="alerts")


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
        raise ValidationError(
            _(
                "Vous avez déjà publié %(count)d alertes dans l'heure. Patientez un peu ; en cas "
                "d'urgence, composez le 17."
            )
            % {"count": recent}
        )
    commune = membership.community.commune
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
    _message_create(alert=alert, kind=AlertMessage.Kind.ALERT, text=text, author=author)
    if held:
        from .notices import alert_held_notify

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
) -> Alert:
    """The mairie alerts the whole commune (or chosen communities) in one go.

    Only staff holding the broadcaster role of this very commune may; communities of
    another commune are refused. ``transliterate`` sends the text in GSM-7 characters only
    (« Fête » → "Fete"), so that one accent does not triple the number of SMS segments; the
    alert itself keeps the text as written. A non-urgent broadcast created during quiet
    hours holds its SMS and push until morning (see ``_message_create``).
    """
    if not user_has_commune_role(user=author, commune=commune, role=StaffRole.BROADCASTER):
        raise PermissionDenied(_("Vous n'avez pas le rôle de diffuseur d'alertes ici."))
    if category not in BROADCAST_CATEGORIES:
        raise ValidationError({"category": _("Choisissez une catégorie de la liste.")})
    communities = list(communities)
    if any(c.commune_id != commune.pk for c in communities):
        raise ValidationError({"communities": _("Ces communautés ne sont pas les vôtres.")})
    text = _clean_text(text)
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
    from .broadcast import broadcast_sms_text

    _message_create(
        alert=alert,
        kind=AlertMessage.Kind.ALERT,
        text=text,
        author=author,
        sms_text=broadcast_sms_text(alert=alert, text=text, transliterate=transliterate),
    )
    AlertEvent.objects.create(alert=alert, actor=author, action=AlertEvent.Action.POSTED)
    return alert
