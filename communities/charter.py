"""The commune's *Charte du voisin vigilant et solidaire*: its text, and when it last changed.

Each commune's charter is the text its mairie wrote in the admin (*Mairie → Ma commune*), or
Voisinage's own when it wrote none (``templates/account/charter_default.html``). A change of
the text is a new version: members accept it again at their next visit
(``accounts.terms``).
"""

import re

from django.utils import timezone
from django.utils.html import strip_tags

_BLOCK_KEYS = re.compile(r'\s+data-block-key="[^"]*"')


def charter_changed(*, commune, now=None) -> None:
    """Record that ``commune``'s charter text changed now (saved by the caller)."""
    commune.charter_changed_at = now or timezone.now()


def _normalised(html: str) -> str:
    """The text as a reader sees it: an editor's empty paragraph is no charter, and the
    block keys the rich text editor writes are not part of the text."""
    html = _BLOCK_KEYS.sub("", html or "").strip()
    return html if strip_tags(html).strip() else ""


def charter_text_differs(before: str, after: str) -> bool:
    """Whether saving ``after`` over ``before`` changes the charter members read."""
    return _normalised(before) != _normalised(after)
