"""The French and English catalogues are complete: no user-facing string left untranslated.

``make test`` extracts the strings (``make messages``) before running this, so a string added
to the code without its translation fails here.
"""

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete(language):
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po, locale=language)

    messages = [m for m in catalogue if m.id]
    untranslated = [m.id for m in messages if not m.string or not all(m.string)]
    fuzzy = [m.id for m in messages if m.fuzzy]

    assert len(messages) > 100
    assert untranslated == []
    assert fuzzy == []


def test_english_catalogue_translates_the_emergency_notice():
    with (LOCALE / "en" / "LC_MESSAGES" / "django.po").open("rb") as po:
        catalogue = read_po(po, locale="en")

    assert catalogue.get("Danger immédiat : composez le 17 (ou le 112).").string == (
        "Immediate danger: dial 17 (or 112)."
    )
