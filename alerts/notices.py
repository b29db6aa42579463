"""Telling people about moderation: the author of the outcome, moderators of a held alert.

Each notice is decided inside the caller's transaction (an SMS is written to the outbox
there, with ``sms_queue``) and sent only after commit: a decision that rolls back tells
nobody, and a provider's failure never undoes a decision already saved.
"""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from communities.models import StaffRole
from communities.roles import role_holders
from notifications.models import SmsPurpose

from .models import Alert

logger = logging.getLogger(__name__)


def _where(alert: Alert) -> str:
    return alert.community.name if alert.community_id else alert.commune.name


def _queue_url(alert: Alert) -> str:
    """The alert in the admin's moderation queue, on the commune's own host."""
    path = reverse("alert_moderation:detail", args=(alert.pk,))
    return f"{alert.commune.site.root_url}{path}"


def _tell(*, user, subject: str, text: str, sms: str, sender: str, by_email: bool, by_sms: bool):
    """Write what must go to ``user`` now and send it after commit.

    The SMS outbox row is written in the caller's transaction, so it exists exactly when
    the decision does.
    """
    outbox_row = None
    if by_sms and user.phone:
        from notifications.sms.service import sms_queue

        try:
            outbox_row = sms_queue(
                to=str(user.phone), body=sms, purpose=SmsPurpose.ACCOUNT, sender=sender
            )
        except ValueError:
            logger.warning("No SMS notice for user %s: the message was refused", user.pk)
    email = user.email if by_email else ""

    def send():
        if email:
            try:
                send_mail(subject, text, None, [email])
            except Exception:
                logger.exception("Could not e-mail the notice to user %s", user.pk)
        if outbox_row is not None:
            from notifications.sms.service import sms_dispatch

            try:
                sms_dispatch(outbox_row)
            except Exception:
                logger.exception("Could not send the SMS notice %s", outbox_row.pk)

    transaction.on_commit(send)


def _outcome_text(outcome: str) -> str:
    # Literal calls, so that the catalogue extraction finds each sentence.
    if outcome == "approved":
        return _(
            "Votre alerte « %(category)s » (%(where)s) a été validée par la modération de la "
            "mairie et envoyée à vos voisins."
        )
    if outcome == "rejected":
        return _(
            "Votre alerte « %(category)s » (%(where)s) n'a pas été diffusée : la modération de "
            "la mairie l'a refusée. Motif : %(reason)s"
        )
    return _(
        "Votre alerte « %(category)s » (%(where)s) a été retirée par la modération de la "
        "mairie ; un rectificatif a été envoyé à ceux qui l'avaient reçue. Motif : %(reason)s"
    )


def alert_outcome_notify(*, alert: Alert, outcome: str, reason: str = "") -> None:
    """Tell the author what moderation decided about their alert, and why.

    ``outcome`` is ``approved``, ``rejected`` or ``retracted``. By e-mail when the author has
    an address, otherwise by SMS (members who take part by SMS alone). Call it inside the
    decision's transaction: it sends after commit. The mairie's own broadcasts and alerts
    whose author left have nobody to tell.
    """
    author = alert.author
    if author is None or not author.is_active:
        return
    with override(author.language or None):
        text = _outcome_text(outcome) % {
            "category": alert.get_category_display(),
            "where": _where(alert),
            "reason": reason or "—",
        }
        subject = _("Votre alerte sur Voisinage")
    _tell(
        user=author,
        subject=subject,
        text=text,
        sms=text,
        sender=alert.commune.sms_sender_name,
        by_email=bool(author.email),
        by_sms=not author.email,
    )


def alert_held_notify(*, alert: Alert) -> None:
    """Pre-moderation: tell the commune's moderators at once that an alert waits for them.

    By e-mail with a link to the alert in the moderation queue, and by SMS too for those
    with a mobile number, since a held alert about a burglary must not wait for the
    morning's mail. Call it inside the transaction that held the alert.
    """
    url = _queue_url(alert)
    moderators = role_holders(commune=alert.commune, role=StaffRole.MODERATOR)
    for moderator in moderators.filter(is_active=True):
        with override(moderator.language or None):
            names = {
                "category": alert.get_category_display(),
                "where": _where(alert),
                "url": url,
            }
            subject = _("Alerte à valider : %(category)s (%(where)s)") % names
            text = (
                _(
                    "Une alerte « %(category)s » de %(where)s attend votre validation avant d'être "
                    "envoyée aux voisins. Relisez-la dans la file de modération : %(url)s"
                )
                % names
            )
            sms = (
                _(
                    "Voisinage : une alerte « %(category)s » de %(where)s attend votre "
                    "validation. %(url)s"
                )
                % names
            )
        _tell(
            user=moderator,
            subject=subject,
            text=text,
            sms=sms,
            sender=alert.commune.sms_sender_name,
            by_email=bool(moderator.email),
            by_sms=True,
        )
