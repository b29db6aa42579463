"""How many SMS segments a text costs, and a GSM-7 transliteration that keeps its meaning.

A single character outside the GSM 03.38 alphabet (ê, â, ç, ’…) switches the whole message
to UCS-2: 70 characters a segment instead of 160, and the bill doubles or more. Counting
here must therefore match the operators' table exactly, not an approximation of it.
"""

import re
import unicodedata
from dataclasses import dataclass

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# GSM 03.38 default alphabet (the escape code 0x1B left out: nobody types it).
# é, è, ù, ì, ò, à, Ç, É, Ø, Å, Ä, Ö, Ñ, Ü are in it; ê, â, î, ô, û, ë, ï, ç and œ are not.
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each of these costs two septets (escape + character).
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE_SEGMENT = 160
GSM7_MULTIPART_SEGMENT = 153  # 7 septets go to the concatenation header
UCS2_SINGLE_SEGMENT = 70
UCS2_MULTIPART_SEGMENT = 67


@dataclass(frozen=True)
class SmsSegmentation:
    """``characters`` counts what the limit counts: septets for GSM-7 (an extension
    character counts two), UTF-16 code units for UCS-2 (an emoji counts two)."""

    encoding: str
    characters: int
    segments: int
    per_segment: int


def is_gsm7(text: str) -> bool:
    return all(char in GSM7_BASIC or char in GSM7_EXTENSION for char in text)


def _pack(units: list[int], single: int, multipart: int) -> tuple[int, int]:
    """Segments needed for these indivisible units, and the size of one segment.

    A unit (an escaped GSM character, a surrogate pair) is never split across two
    segments, so a long message may need one more segment than a plain division says.
    """
    total = sum(units)
    if total == 0:
        return 0, single
    if total <= single:
        return 1, single
    segments, room = 1, multipart
    for unit in units:
        if unit > room:
            segments, room = segments + 1, multipart
        room -= unit
    return segments, multipart


def sms_segments(text: str) -> SmsSegmentation:
    """Encoding and segment count of ``text`` as an operator bills it.

    An empty text costs no segment.
    """
    if is_gsm7(text):
        units = [2 if char in GSM7_EXTENSION else 1 for char in text]
        segments, per_segment = _pack(units, GSM7_SINGLE_SEGMENT, GSM7_MULTIPART_SEGMENT)
        return SmsSegmentation(GSM7, sum(units), segments, per_segment)
    units = [2 if ord(char) > 0xFFFF else 1 for char in text]
    segments, per_segment = _pack(units, UCS2_SINGLE_SEGMENT, UCS2_MULTIPART_SEGMENT)
    return SmsSegmentation(UCS2, sum(units), segments, per_segment)


# Replacements chosen for French text: a reader must understand the same thing.
_TRANSLITERATIONS = {
    # Lower-case letters missing from GSM 03.38 (é è ù ì ò à ä ö ü ñ are kept as they are).
    "â": "a",
    "á": "a",
    "ã": "a",
    "ê": "e",
    "ë": "e",
    "î": "i",
    "ï": "i",
    "í": "i",
    "ô": "o",
    "ó": "o",
    "õ": "o",
    "û": "u",
    "ú": "u",
    "ÿ": "y",
    "ý": "y",
    "ç": "c",
    "œ": "oe",
    # Capitals missing from it (É Ç Ä Ö Ü Ñ Å Ø Æ are kept).
    "À": "A",
    "Â": "A",
    "Á": "A",
    "Ã": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Ì": "I",
    "Î": "I",
    "Ï": "I",
    "Í": "I",
    "Ò": "O",
    "Ô": "O",
    "Ó": "O",
    "Õ": "O",
    "Ù": "U",
    "Û": "U",
    "Ú": "U",
    "Ÿ": "Y",
    "Ý": "Y",
    "Œ": "OE",
    # Typography.
    "’": "'",
    "‘": "'",
    "‛": "'",
    "´": "'",
    "`": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "«": '"',
    "»": '"',
    "‹": '"',
    "›": '"',
    "–": "-",
    "—": "-",
    "‐": "-",
    "‑": "-",
    "−": "-",
    "…": "...",
    "•": "-",
    "·": ".",
    "×": "x",
    "÷": "/",
    "°": "o",  # « n° 5 » → « no 5 », « 15 °C » → « 15 oC »
    "\t": " ",
    "\u00a0": " ",  # no-break space, before « : ; ! ? » in French typography
    "\u202f": " ",  # narrow no-break space, likewise
    "\u2009": " ",
    "\u2007": " ",
    "\u200b": "",  # zero-width space
    "\u00ad": "",  # soft hyphen
}
_GUILLEMETS = re.compile(r"«[\s\u00a0\u202f]*|[\s\u00a0\u202f]*»")


def _transliterate_char(char: str) -> str:
    if char in GSM7_BASIC or char in GSM7_EXTENSION:
        return char
    if char in _TRANSLITERATIONS:
        return _TRANSLITERATIONS[char]
    stripped = "".join(
        part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part)
    )
    if stripped and is_gsm7(stripped):
        return stripped
    return "?"  # nothing close enough: say something was lost rather than hide it


def to_gsm7(text: str) -> str:
    """``text`` rewritten with GSM-7 characters only, keeping its meaning.

    « Fête de l’école » becomes "Fete de l'ecole" and fits in one 160-character segment
    again. A character with no sensible equivalent (an emoji) becomes « ? ».
    """
    text = _GUILLEMETS.sub('"', text)
    return "".join(_transliterate_char(char) for char in text)
