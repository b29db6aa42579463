"""Keys of the members' pages' cached fragments: the content itself, never the reader.

A fragment's key is a digest of everything the fragment shows — every column of each row,
the names it prints, the language — computed from rows the page has just read through the
one visibility rule. Two readers share a fragment only when they would have been shown the
same thing; a change to any row (a follow-up, an end, a correction, a new comment) changes
the key at once, with no invalidation to forget. What belongs to the reader (form tokens,
their unread count) stays outside every fragment.
"""

import hashlib

from django.utils.translation import get_language


def row_state(row) -> tuple:
    """Every column of ``row``, as read from the database."""
    return tuple(getattr(row, field.attname) for field in row._meta.concrete_fields)


def fragment_key(*parts) -> str:
    """A digest of ``parts`` and the active language."""
    return hashlib.sha256(repr((get_language(), parts)).encode()).hexdigest()
