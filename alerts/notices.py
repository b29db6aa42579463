"""Telling people about moderation: the author of the outcome, moderators of a held alert.

Each notice is a ``notifications.Notice`` written inside the caller's transaction and sent
by the outbox after commit: a decision that rolls back tells nobody, and a provider's
failure never undoes a decision already saved (the outbox retries it).
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.member_language import member_language
from communities.models import StaffRole
from communities.roles import role_holders
from communities.wording import of_place
from notifications.models import Channel
from notifications.notices import email_else_sms, notice_send

from .models import Alert


def _where(alert: Alert) -> str:
    return alert.community.name if alert.community_id else alert.commune.name


def _queue_url(alert: Alert) -> str:
    """The alert in the admin's moderation queue, on the commune's own host."""
    path = reverse("alert_moderation:detail", args=(alert.pk,))
    return f"{alert.commune.site.root_url}{path}"


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
    with override(member_language(author)):
        text = _outcome_text(outcome) % {
            "category": alert.get_category_display(),
            "where": _where(alert),
            "reason": reason or "—",
        }
        subject = _("Votre alerte sur Voisinage")
    notice_send(
        user=author,
        kind="alert_outcome",
        subject=subject,
        text=text,
        channels=email_else_sms(author),
        sender_name=alert.commune.sms_sender_name,
        payer=alert.commune,
        url=f"{alert.commune.site.root_url}/alertes/{alert.pk}/",
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
        with override(member_language(moderator)):
            names = {
                "category": alert.get_category_display(),
                "where": _where(alert),
                "of_where": of_place(_where(alert)),
                "url": url,
            }
            subject = _("Alerte à valider : %(category)s (%(where)s)") % names
            text = (
                _(
                    "Une alerte « %(category)s » %(of_where)s attend votre validation avant d'être "
                    "envoyée aux voisins. Relisez-la dans la file de modération : %(url)s"
                )
                % names
            )
            sms = (
                _(
                    "Voisinage : une alerte « %(category)s » %(of_where)s attend votre "
                    "validation. %(url)s"
                )
                % names
            )
        notice_send(
            user=moderator,
            kind="alert_held",
            subject=subject,
            text=text,
            sms_text=sms,
            channels=(Channel.EMAIL, Channel.SMS),
            sender_name=alert.commune.sms_sender_name,
            payer=alert.commune,
            url=url,
            urgent=True,
        )
