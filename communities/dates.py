"""Dates as French readers write them: "1er janvier", not "1 janvier".

Django's ``date`` filter and ``date_format`` print the day of the month as a number ("j"),
so the first of a month comes out "1 janvier", which French typography writes "1er janvier".
Every date shown to residents and staff with its day and month (pages, notices, e-mails)
goes through ``date_display`` or the ``human_date`` template filter, which take the same
formats as Django's (a named format such as "DATE_FORMAT", or format characters). Other
languages keep Django's output.
"""

import datetime

from django.utils import formats, timezone
from django.utils.translation import get_language

# "1" is no format character; "e" and "r" are, so they are escaped.
_FIRST = "1\\e\\r"


def _french() -> bool:
    return (get_language() or "fr").startswith("fr")


def _first_of_month(format_string: str) -> str:
    """The format with each unescaped "j" (day without leading zero) written "1er"."""
    out = []
    chars = iter(format_string)
    for char in chars:
        if char == "\\":
            out.append(char + next(chars, ""))
        elif char == "j":
            out.append(_FIRST)
        else:
            out.append(char)
    return "".join(out)


def date_display(
    value: datetime.date | datetime.datetime, format_string: str = "DATE_FORMAT"
) -> str:
    """``value`` in ``format_string`` (named or literal), local time, "1er" in French.

    Aware datetimes are shown in the site's time zone (Europe/Paris), as templates do.
    """
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    fmt = formats.get_format(format_string)
    if _french() and value.day == 1:
        fmt = _first_of_month(fmt)
    return formats.date_format(value, fmt)
