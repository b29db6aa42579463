"""The absence-dates guard: no text on the platform says when a home will be empty.

One plain function for every place a member or the mairie writes something others read:
gazette posts and comments, alerts (web, SMS, the mairie's broadcast, follow-ups), private
and official messages, profile texts. It lives here, low in the layers (accounts), so that
every domain may import it.

"Absents du 3 au 17 août", "nous partons en vacances samedi": published to neighbours,
such a sentence tells a burglar when to come. A text is refused when one sentence holds
both an absence cue (we leave, we are away, the house will be empty…) and a time that
places it (a date, a weekday, "demain", "pendant deux semaines"…). Either alone is fine:
"le vide-grenier a lieu samedi", "absent de la réunion, désolé". French and English.
"""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ABSENCE_REFUSED = _(
    "Pour votre sécurité, n'indiquez pas quand votre logement sera inoccupé (dates "
    "d'absence ou de vacances) : ce message est lu par beaucoup de monde. Reformulez sans ces "
    "dates ; pour qu'un voisin veille sur votre maison, prévenez-le directement."
)
# Private messages are read by fewer people, but a written date outlives the conversation
# (a borrowed phone, a forwarded screenshot, a compromised account).
ABSENCE_REFUSED_PRIVATE = _(
    "Pour votre sécurité, n'écrivez pas quand un logement sera inoccupé (dates d'absence ou "
    "de vacances) : un message écrit peut être lu par d'autres que son destinataire. "
    "Reformulez sans ces dates ; pour qu'un voisin veille sur votre maison, dites-le-lui de "
    "vive voix ou par téléphone."
)
# The code of the refusal, for callers that answer in their own words (the SMS reply).
ABSENCE_CODE = "absence_dates"

_WEEKDAYS = r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche"
_MONTHS = (
    r"janvier|fevrier|mars|avril|mai|juin|juillet|aout|septembre|octobre|novembre|decembre|"
    r"janv|fevr|sept|oct|nov|dec"
)
_EN_DAYS = r"monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_EN_MONTHS = r"january|february|march|april|june|july|august|september|october|november|december"

_CUES = re.compile(
    r"\b(?:"
    r"absente?s?|absence|"
    r"en (?:vacances|conges|voyage|deplacement)|"
    r"(?:nous|on|je|j|il|elle|ils|elles)\s+(?:partons|partirons|pars|partirai|part|partira|"
    r"partent|partiront|serons partis|serai parti|sera parti|seront partis|nous absentons|"
    r"m absente|absenterai|absenterons)|"
    r"(?:ne )?(?:serons|serai|sera|seront) pas (?:la|chez nous|chez moi|a la maison)|"
    r"(?:maison|logement|appartement) (?:sera |restera )?(?:vide|inoccupee?|fermee?)|"
    r"personne (?:ne sera )?a la maison|"
    r"de retour|rentrons|rentrerons|"
    r"away|on holiday|on vacation|out of town|back on|house (?:will be )?empty"
    r")\b"
)

_TIMES = re.compile(
    r"\b(?:"
    rf"{_WEEKDAYS}|{_MONTHS}|{_EN_DAYS}|{_EN_MONTHS}|"
    r"\d{1,2}\s*(?:er)?\s*[/.-]\s*\d{1,2}|"
    r"(?:du|le|au|jusqu ?au|a partir du|des le|from|until|till|on the)"
    r"\s+\d{1,2}(?:er|st|nd|rd|th)?|"
    r"\d+\s*(?:jours?|semaines?|nuits?|days?|weeks?|nights?)|"
    r"(?:une|deux|trois|quinze|huit|dix) (?:jours|semaines|nuits)|"
    r"demain|apres-demain|ce (?:week-end|weekend|soir)|le week-end prochain|"
    r"la semaine prochaine|le mois prochain|cet ete|a la toussaint|a noel|a paques|"
    r"tomorrow|next week|this weekend|next month|tonight"
    r")\b"
)

_SENTENCES = re.compile(r"[.!?;\n]+")


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[’'`]", " ", plain)


def reveals_absence(text: str) -> bool:
    """Whether one sentence of ``text`` says when its author's home will be empty."""
    for sentence in _SENTENCES.split(_plain(text or "")):
        if _CUES.search(sentence) and _TIMES.search(sentence):
            return True
    return False


def absence_dates_refuse(*texts: str, field: str | None = None, message=ABSENCE_REFUSED) -> None:
    """Raise a ValidationError (on ``field`` when given) if any text reveals an absence.

    The error's code is ``ABSENCE_CODE``; ``message`` lets a private channel explain itself.
    """
    if any(reveals_absence(text) for text in texts):
        error = ValidationError(message, code=ABSENCE_CODE)
        raise ValidationError({field: error}) if field else error


def is_absence_refusal(error: ValidationError) -> bool:
    """Whether ``error`` (as raised by a service) holds the absence-dates refusal."""
    errors = (
        [e for field_errors in error.error_dict.values() for e in field_errors]
        if hasattr(error, "error_dict")
        else error.error_list
    )
    return any(e.code == ABSENCE_CODE for e in errors)
