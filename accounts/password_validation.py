"""Passwords people in France pick first, refused (CNIL 2022-100: length plus a common list)."""

import gzip
import re
import unicodedata
from itertools import pairwise
from pathlib import Path

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

FRENCH_PASSWORD_LIST_PATH = (
    Path(__file__).resolve().parent / "password_lists" / "french-common-passwords.txt.gz"
)
# Spaces, dashes, dots and underscores between words: "mot de passe" is "motdepasse".
_SEPARATORS = re.compile(r"[\s\-._]+")
# What people add around a common password to pass a length rule: digits and symbols.
_PADDING = re.compile(r"^[\d\W_]*(?P<core>.*?)[\d\W_]*$")
# A shorter core ("abc", "toto") padded with enough digits is not a common password.
MIN_CORE_LENGTH = 4


def _predictable_digits(text: str) -> bool:
    """Digits in a row (``123456789012``, ``987654``) or a short pattern again and again
    (``111111111111``, ``121212…``, ``123123…``): not a number anybody drew at random."""
    digits = re.sub(r"\D", "", text)
    if not digits:
        return False
    steps = {(int(b) - int(a)) % 10 for a, b in pairwise(digits)}
    if steps in ({1}, {9}):
        return True
    return any(digits == (digits[:size] * len(digits))[: len(digits)] for size in range(1, 5))


def _plain(text: str) -> str:
    """Lower case, without accents: "Été" and "ete" are the same password to a guesser."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


class FrenchCommonPasswordValidator(CommonPasswordValidator):
    """Django's list of 20,000 common passwords plus the most common French ones.

    The French list (``password_lists/``, see its README) comes from leaked passwords of
    ".fr" addresses: ``azerty``, ``soleil``, ``motdepasse``… A password is refused when it
    is one of them, or one of them with digits or symbols added before or after
    (``motdepasse123``, ``azerty123456``, ``soleil2026!``), with or without spaces between
    words and accents: the first things a guesser tries.
    """

    def __init__(
        self,
        password_list_path=CommonPasswordValidator.DEFAULT_PASSWORD_LIST_PATH,
        french_password_list_path=FRENCH_PASSWORD_LIST_PATH,
    ):
        super().__init__(password_list_path)
        with gzip.open(french_password_list_path, "rt", encoding="utf-8") as lines:
            french = {line.strip() for line in lines}
        self.passwords = {_plain(password) for password in self.passwords | french} - {""}

    def is_common(self, password: str) -> bool:
        plain = _plain(password)
        compact = _SEPARATORS.sub("", plain)
        if plain in self.passwords or compact in self.passwords:
            return True
        core = _PADDING.match(compact).group("core")
        if not core:
            return _predictable_digits(compact)
        return len(core) >= MIN_CORE_LENGTH and core in self.passwords

    def validate(self, password, user=None):
        if self.is_common(password):
            raise ValidationError(self.get_error_message(), code="password_too_common")

    def get_error_message(self):
        return _(
            "Ce mot de passe est trop courant. Il fait partie des premiers qu'essaie quiconque "
            "veut entrer dans un compte, même avec des chiffres ajoutés : choisissez plutôt une "
            "phrase de quelques mots qui n'appartient qu'à vous."
        )

    def get_help_text(self):
        return _(
            "Votre mot de passe ne peut pas être un mot de passe courant, même suivi de chiffres."
        )
