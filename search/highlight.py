"""Highlighted excerpts: the text is escaped first, then the query's words wrapped in <mark>.

Matching ignores case and accents ("evenement" marks "Événement") and accepts French plural
and other endings ("chat" marks "chats"), as the search itself does on PostgreSQL.
"""

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

EXCERPT_LENGTH = 240
CONTEXT_BEFORE = 60
MIN_TERM_LENGTH = 2


def _fold(text: str) -> str:
    """Lower case without accents, one character for one, so positions stay the same."""
    folded = []
    for char in text:
        base = unicodedata.normalize("NFD", char)[0].lower()
        folded.append(base[0] if base else char)
    return "".join(folded)


def _terms_pattern(query: str) -> re.Pattern | None:
    roots = set()
    for term in re.findall(r"\w+", _fold(query)):
        if len(term) < MIN_TERM_LENGTH:
            continue
        # "chats" and "chat", "travaux" and "travail" share their beginning.
        if len(term) > 3 and term[-1] in "sx":
            term = term[:-1]
        roots.add(term)
    if not roots:
        return None
    alternatives = "|".join(re.escape(root) for root in sorted(roots, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives})\w*")


def _spans(text: str, pattern: re.Pattern | None) -> list[tuple[int, int]]:
    if pattern is None:
        return []
    return [match.span() for match in pattern.finditer(_fold(text))]


def _marked(text: str, spans, start: int, end: int) -> str:
    out, position = [], start
    for span_start, span_end in spans:
        if span_end <= start or span_start >= end:
            continue
        span_start, span_end = max(span_start, start), min(span_end, end)
        out.append(escape(text[position:span_start]))
        out.append(f"<mark>{escape(text[span_start:span_end])}</mark>")
        position = span_end
    out.append(escape(text[position:end]))
    return "".join(out)


def highlight(text: str, query: str) -> SafeString:
    """All of ``text``, escaped, with the query's words marked."""
    return mark_safe(_marked(text, _spans(text, _terms_pattern(query)), 0, len(text)))  # noqa: S308


def highlighted_excerpt(text: str, query: str, length: int = EXCERPT_LENGTH) -> SafeString:
    """About ``length`` characters of ``text`` around the first match, escaped and marked."""
    spans = _spans(text, _terms_pattern(query))
    start = 0
    if spans and spans[0][0] > CONTEXT_BEFORE:
        start = spans[0][0] - CONTEXT_BEFORE
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else spans[0][0]
    end = min(len(text), start + length)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    html = _marked(text, spans, start, end)
    if start > 0:
        html = "… " + html
    if end < len(text):
        html += " …"
    return mark_safe(html)  # noqa: S308
