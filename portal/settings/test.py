"""Test settings (pytest's ``portal.settings.test``): development's, with fast hashing, no
outbound e-mail, a cache per process and tasks run in-process.

They need no ``.env`` and no variable: CI runs them on a fresh clone.
"""

import os

# Set before the settings are read, and inherited by every process a test starts
# (``manage.py``, a Celery worker): the development settings with a key for tests only,
# unless the test says otherwise, and never a developer's .env.
os.environ["ENV_FILE"] = ""
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "tests-only-key-never-deployed-" + "0" * 32)

from .development import *  # noqa: F403
from .environment import VAR_DIR

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PAGE_CACHE_SECONDS = 300

# Each test process keeps its own cache: a shared Redis would leak pages between parallel
# test databases. Tests that need Redis itself connect to REDIS_URL explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# One process reads that cache: the signed-in user may be kept there, as with Redis.
SESSION_USER_CACHE = True
CELERY_TASK_ALWAYS_EAGER = True

# Uploaded and private files of the tests stay apart from the demo's, and one folder per
# pytest-xdist worker: tests that count files must not see another process's.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
MEDIA_ROOT = VAR_DIR / f"test-media-{_WORKER}"
PRIVATE_ROOT = VAR_DIR / f"test-private-{_WORKER}"
STORAGES = {
    **STORAGES,  # noqa: F405
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
}
