"""The wording of an alert's SMS: heading, text, STOP mention; GSM-7 where it matters.

Shared by the posting services, the broadcast's preview and the outbox's source, so that
what staff preview is what recipients read.
"""

from django.utils.translation import gettext as _

from notifications.sms.segments import to_gsm7

from .models import Alert


def alert_sms_text(*, alert: Alert, text: str, restricted: bool = False) -> str:
    """The SMS wording: who it is from, what, and the STOP mention (French short-code rules).

    The heading is written in GSM-7 characters only (a "—" or the "ê" of "Fenêtre" would
    switch the whole SMS to UCS-2, 70 characters a segment instead of 160); the member's
    own words are kept as they wrote them.
    """
    where = alert.community.name if alert.community_id else alert.commune.name
    details = ""
    if restricted and alert.identifying_details:
        details = " " + _("Éléments : %(details)s") % {"details": alert.identifying_details}
    heading = to_gsm7(
        _("Alerte %(where)s - %(category)s")
        % {"where": where, "category": alert.get_category_display()}
    )
    return f"{heading} : {text}{details}{alert_sms_stop_mention()}"


def alert_sms_stop_mention() -> str:
    """The STOP mention closing every alert SMS (e-mail and push leave it out)."""
    return " (" + _("STOP au numéro relais") + ")"


def broadcast_sms_text(*, alert: Alert, text: str, transliterate: bool) -> str:
    """The broadcast exactly as recipients read it; GSM-7 characters only when asked.

    Transliteration covers the whole message (the commune's name, the category, the dash of
    the heading), since a single character outside GSM-7 bills all of it as UCS-2.
    """
    sms_text = alert_sms_text(alert=alert, text=" ".join((text or "").split()))
    return to_gsm7(sms_text) if transliterate else sms_text
