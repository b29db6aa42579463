"""Where settings come from: the process environment, then the checkout's ``.env``.

Every setting read from the environment goes through one of these typed helpers, so that a
typo (``DEBUG=flase``, ``SMS_RATE_PER_SECOND=10/s``) stops the process with the variable's
name rather than quietly turning into a default. An empty value counts as unset. Secrets
have no default here: ``production.py`` and ``development.py`` decide what a missing one
means.
"""

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
# Written by `make demo`, git-ignored; ENV_FILE names another file, or none when empty.
DEFAULT_ENV_FILE = BASE_DIR / ".env"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _raw(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _invalid(name: str, value: str, expected: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} is not {expected}.")


def env_str(name: str, default: str = "") -> str:
    return _raw(name) or default


def env_bool(name: str, *, default: bool) -> bool:
    value = _raw(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise _invalid(name, value, "a boolean (true/false, yes/no, on/off, 1/0)")


def env_int(name: str, *, default: int, minimum: int | None = 0) -> int:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise _invalid(name, value, "a whole number") from None
    if minimum is not None and number < minimum:
        raise _invalid(name, value, f"at least {minimum}")
    return number


def env_float(name: str, *, default: float, minimum: float | None = 0.0) -> float:
    value = _raw(name)
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise _invalid(name, value, "a number") from None
    if minimum is not None and number < minimum:
        raise _invalid(name, value, f"at least {minimum:g}")
    return number


def env_list(name: str, *, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = _raw(name)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_path(name: str, *, default: Path) -> Path:
    value = _raw(name)
    return Path(value) if value else default


def env_time_zone(name: str, *, default: str) -> str:
    """An IANA time zone name (``Europe/Paris``, ``Pacific/Noumea``), checked here: a typo
    would otherwise only fail at the first message that asks the zone."""
    value = _raw(name)
    if value is None:
        return default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder ("Europe")
        raise _invalid(name, value, "a time zone (an IANA name such as Europe/Paris)") from None
    return value


def env_database(name: str, *, default: str) -> dict:
    """A database URL (``postgres://…``, ``sqlite:///…``) as Django's ``DATABASES`` entry."""
    value = _raw(name) or default
    try:
        return environ.Env.db_url_config(value)
    except (ValueError, KeyError, ImproperlyConfigured) as error:
        raise ImproperlyConfigured(f"{name} is not a database URL: {error}") from None


def env_prefixed(prefix: str) -> dict[str, str]:
    """Every variable named ``<prefix>…``, keyed without the prefix (``ANYMAIL_*``)."""
    return {
        key.removeprefix(prefix): value
        for key, value in os.environ.items()
        if key.startswith(prefix)
    }


def env_file_load() -> Path | None:
    """Read ``ENV_FILE`` (by default the checkout's ``.env``) into the environment.

    The real environment wins over the file, as for any 12-factor setting. A file named by
    ``ENV_FILE`` must exist; the default one is optional (production has none).
    """
    named = os.environ.get("ENV_FILE")
    if named is not None and not named.strip():
        return None
    path = Path(named.strip()) if named else DEFAULT_ENV_FILE
    if not path.is_file():
        if named:
            raise ImproperlyConfigured(f"ENV_FILE={named!r}: no such file.")
        return None
    environ.Env.read_env(path, overwrite=False)
    return path
