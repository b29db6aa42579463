"""Place names inside sentences, with French contractions.

"de" + "Les Graves" is "des Graves", "de" + "Le Bouscat" is "du Bouscat", "à" + "Le
Bouscat" is "au Bouscat", "de" + "Eysines" is "d'Eysines": a sentence that says "de Les
Graves" reads as written by a machine. Communities and communes are named with their
article ("Les Graves", "Le Bourg", "La Teste-de-Buch"), so every sentence the platform
writes with a place name goes through ``of_place`` or ``at_place``. In another language
the preposition is that language's (``gettext``), without contraction.
"""

import re

from django.utils.translation import get_language
from django.utils.translation import gettext as _

_VOWEL = re.compile(r"^[AEIOUYÀÂÉÈÊÎÔÛaeiouyàâéèêîôû]")


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def of_place(name: str) -> str:
    """ "de Cadaujac", "des Graves", "du Bouscat", "d'Eysines", "de La Teste" (French)."""
    if not _french():
        return _("de %(place)s") % {"place": name}
    if name.startswith("Les "):
        return f"des {name[4:]}"
    if name.startswith("Le "):
        return f"du {name[3:]}"
    if _VOWEL.match(name):
        return f"d'{name}"
    return f"de {name}"


def at_place(name: str) -> str:
    """ "à Cadaujac", "aux Graves", "au Bouscat", "à La Teste" (French)."""
    if not _french():
        return _("à %(place)s") % {"place": name}
    if name.startswith("Les "):
        return f"aux {name[4:]}"
    if name.startswith("Le "):
        return f"au {name[3:]}"
    return f"à {name}"


def mairie_of(name: str) -> str:
    """How the mairie signs: "Mairie de Cadaujac", "Mairie du Haillan", "Mairie d'Eysines".

    What its staff write for it (broadcasts, official messages, gazette posts) is signed so,
    never with the staff member's own name.
    """
    return _("Mairie %(of_commune)s") % {"of_commune": of_place(name)}
