"""The settings entry point, ``portal.settings`` (what manage.py, WSGI and Celery load).

It first reads the checkout's ``.env`` (or the file ``ENV_FILE`` names; the environment
wins), then serves ``production`` — the default — or ``development`` when ``DEBUG=true``.
Nothing happens until a setting is read, so that importing another module of this package
(``portal.settings.test``) never runs this choice nor its checks.
"""

import functools
import importlib
from types import ModuleType

from .environment import env_bool, env_file_load


@functools.cache
def _chosen() -> ModuleType:
    env_file_load()
    debug = env_bool("DEBUG", default=False)
    return importlib.import_module(f"{__name__}.{'development' if debug else 'production'}")


def __getattr__(name: str):
    if not name.isupper():
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(_chosen(), name)


def __dir__() -> list[str]:
    return [name for name in dir(_chosen()) if name.isupper()]
