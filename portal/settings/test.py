"""Test settings: the development settings with fast hashing and no outbound e-mail."""

from .base import *  # noqa: F403
from .development import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PAGE_CACHE_SECONDS = 300

# Each test process keeps its own cache: a shared Redis would leak pages between parallel
# test databases. Tests that need Redis itself connect to REDIS_URL explicitly.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True

# Uploaded and private files of the tests stay apart from the demo's.
import os  # noqa: E402

from .base import VAR_DIR  # noqa: E402

# One folder per pytest-xdist worker: tests that count files must not see another process's.
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
