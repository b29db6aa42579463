"""Telling the author of reported content what a moderator decided about them.

By e-mail when they have a deliverable address, otherwise by SMS (members who take part
by SMS alone). Each notice is a ``notifications.Notice`` written inside the decision's
transaction and sent by the outbox after commit: a decision that rolls back tells nobody.
"""

from django.utils.translation import gettext as _
from django.utils.translation import override

from accounts.member_language import member_language
from communities.dates import date_display
from communities.wording import of_place
from notifications.models import Notice
from notifications.notices import email_else_sms, notice_send


def author_reachable(*, user) -> bool:
    return bool(user is not None and user.is_active and (user.email or user.phone))


def warning_notify(*, author, commune, summary: dict, note: str) -> Notice | None:
    """The moderator's warning, with their note, about one item the author posted."""
    with override(member_language(author)):
        subject = _("Avertissement de la modération — %(commune)s") % {"commune": commune.name}
        text = _(
            "Bonjour,\n\nLa modération de la mairie %(of_commune)s vous adresse un "
            "avertissement à propos de votre publication « %(title)s », signalée par des "
            "voisins.\n\nMessage du modérateur : %(note)s\n\nMerci de respecter les règles "
            "de la communauté ; en cas de récidive, votre participation pourra être suspendue."
        ) % {"of_commune": of_place(commune.name), "title": summary.get("title", ""), "note": note}
    return notice_send(
        user=author,
        kind="moderation_warning",
        subject=subject,
        text=text,
        channels=email_else_sms(author),
        sender_name=commune.sms_sender_name,
        payer=commune,
    )


def suspension_notify(*, author, commune, until, note: str) -> Notice | None:
    """The suspension, its end and the moderator's reason."""
    with override(member_language(author)):
        when = date_display(until, "DATETIME_FORMAT")
        subject = _("Participation suspendue — %(commune)s") % {"commune": commune.name}
        text = _(
            "Bonjour,\n\nLa modération de la mairie %(of_commune)s a suspendu votre "
            "participation jusqu'au %(until)s : d'ici là, vous ne pouvez pas publier "
            "d'alerte, d'annonce, de commentaire ni de message dans cette commune.\n\n"
            "Motif : %(note)s"
        ) % {"of_commune": of_place(commune.name), "until": when, "note": note}
    return notice_send(
        user=author,
        kind="moderation_suspension",
        subject=subject,
        text=text,
        channels=email_else_sms(author),
        sender_name=commune.sms_sender_name,
        payer=commune,
    )


def hidden_notify(*, author, commune, summary: dict, note: str) -> Notice | None:
    """The content was hidden after reports: which one, and the moderator's reason."""
    with override(member_language(author)):
        subject = _("Publication masquée par la modération — %(commune)s") % {
            "commune": commune.name
        }
        text = _(
            "Bonjour,\n\nLa modération de la mairie %(of_commune)s a masqué votre publication "
            "« %(title)s » après des signalements de voisins.\n\nMotif : %(note)s"
        ) % {"of_commune": of_place(commune.name), "title": summary.get("title", ""), "note": note}
    return notice_send(
        user=author,
        kind="moderation_hidden",
        subject=subject,
        text=text,
        channels=email_else_sms(author),
        sender_name=commune.sms_sender_name,
        payer=commune,
    )


def lift_notify(*, author, commune, note: str) -> Notice | None:
    """The suspension ended early: the member may post again."""
    with override(member_language(author)):
        subject = _("Participation rétablie — %(commune)s") % {"commune": commune.name}
        text = _(
            "Bonjour,\n\nLa modération de la mairie %(of_commune)s a levé votre suspension : "
            "vous pouvez de nouveau publier dans cette commune.\n\nMessage du modérateur : "
            "%(note)s"
        ) % {"of_commune": of_place(commune.name), "note": note}
    return notice_send(
        user=author,
        kind="moderation_lift",
        subject=subject,
        text=text,
        channels=email_else_sms(author),
        sender_name=commune.sms_sender_name,
        payer=commune,
    )
