"""Text messages received on the relay number: keywords, invitations and alerts by SMS.

The first word decides, whatever its case or accents: STOP/ARRET, START/REPRENDRE,
AIDE/HELP, OUI (a neighbour accepting an invitation). Anything else from a verified
member's verified phone is an alert to their community; from any other number, a polite
answer and nothing posted.
"""

import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.absence import is_absence_refusal
from accounts.inactivity import member_activity_record
from accounts.models import User
from accounts.session_user import session_user_forget
from communities.memberships import sponsored_invitation_accept, verified_membership
from communities.wording import of_place
from notifications.reachability import sms_opt_in, sms_opt_out

from .models import AlertCategory, AlertSource, InboundSms, ModerationStatus
from .services import alert_post

STOP_WORDS = {"STOP", "ARRET", "STOPALL", "UNSUBSCRIBE"}
START_WORDS = {"START", "REPRENDRE", "UNSTOP"}
HELP_WORDS = {"AIDE", "HELP", "INFO"}
YES_WORDS = {"OUI", "YES"}


def first_word(body: str) -> str:
    words = (body or "").split()
    if not words:
        return ""
    decomposed = unicodedata.normalize("NFKD", words[0])
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain if c.isalnum()).upper()


def _sender(phone: str) -> User | None:
    return User.objects.filter(phone=phone, is_active=True).first()


def _handle(*, phone: str, body: str, message_sid: str) -> tuple[str, str]:
    """Return (outcome, reply) for one inbound message."""
    word = first_word(body)
    user = _sender(phone)
    if user is not None:
        member_activity_record(user=user, sms=True)  # SMS-only members never sign in
    if word in STOP_WORDS:
        if user is not None:
            sms_opt_out(user_id=user.pk)
        return "stop", _(
            "Vous ne recevrez plus de SMS de Voisinage. Envoyez START pour les recevoir à nouveau."
        )
    if word in START_WORDS:
        if user is not None:
            sms_opt_in(user_id=user.pk)
        return "start", _("Les SMS de Voisinage sont réactivés. STOP pour les arrêter.")
    if word in HELP_WORDS:
        return "help", _(
            "Voisinage : écrivez votre alerte en un SMS, elle part à vos voisins, à la mairie "
            "et à la police municipale. Danger immédiat : composez le 17. STOP pour arrêter."
        )
    if word in YES_WORDS:
        membership = sponsored_invitation_accept(phone=phone)
        if membership is not None:
            if User.objects.filter(pk=membership.user_id, phone_verified_at=None).update(
                phone_verified_at=timezone.now()
            ):
                session_user_forget(user_pk=membership.user_id)
            return "invitation_accepted", _(
                "Merci ! Votre inscription sera validée par la mairie %(of_commune)s."
            ) % {"of_commune": of_place(membership.community.commune.name)}
    if user is None or user.phone_verified_at is None or verified_membership(user=user) is None:
        return "unknown_sender", _(
            "Bonjour, ce numéro n'est pas celui d'un membre vérifié de Voisinage : votre message "
            "n'a pas été diffusé. En cas de danger immédiat, composez le 17."
        )
    try:
        alert = alert_post(
            author=user,
            category=AlertCategory.OTHER,
            text=body,
            source=AlertSource.SMS,
            inbound_message_sid=message_sid,
        )
    except (ValidationError, PermissionDenied) as error:
        if isinstance(error, ValidationError) and is_absence_refusal(error):
            # The web form's wording is too long for an SMS, and must say nothing went out.
            return "refused", _(
                "Votre message n'a pas été diffusé : pour votre sécurité, n'indiquez pas quand "
                "un logement sera inoccupé (dates d'absence, vacances). Renvoyez-le sans ces "
                "dates. Danger immédiat : composez le 17."
            )
        messages = getattr(error, "messages", None) or [str(error)]
        return "refused", " ".join(messages)
    if alert.moderation_status == ModerationStatus.HELD:
        return "alert_held", _(
            "Alerte reçue : elle attend la validation d'un modérateur de la mairie avant "
            "d'être envoyée à vos voisins. Danger immédiat : composez le 17."
        )
    return "alert_posted", _(
        "Alerte reçue et transmise à vos voisins, à la mairie et à la police municipale. "
        "Danger immédiat : composez le 17."
    )


def inbound_sms_receive(*, phone: str, body: str, message_sid: str) -> str:
    """Handle one inbound SMS at most once per provider id; return the reply to send.

    A provider retry (same ``message_sid``) gets the first reply again and posts nothing.
    """
    existing = InboundSms.objects.filter(message_sid=message_sid).first()
    if existing is not None:
        return existing.reply
    try:
        with transaction.atomic():
            record = InboundSms.objects.create(message_sid=message_sid, outcome="received")
            outcome, reply = _handle(phone=phone, body=body, message_sid=message_sid)
            record.outcome, record.reply = outcome, reply
            record.save(update_fields=["outcome", "reply"])
    except IntegrityError:  # the same message handled concurrently by another request
        return InboundSms.objects.get(message_sid=message_sid).reply
    return reply
