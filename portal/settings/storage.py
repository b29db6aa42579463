"""Files: static files (whitenoise), public media, and private files outside ``MEDIA_URL``."""

from .environment import BASE_DIR, VAR_DIR, env_path

STATIC_URL = "/static/"
STATIC_ROOT = env_path("STATIC_ROOT", default=VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env_path("MEDIA_ROOT", default=VAR_DIR / "media")
# Private files (proofs of address, members' photos) never sit under MEDIA_URL: they are
# served only by permission-checked views.
PRIVATE_ROOT = env_path("PRIVATE_ROOT", default=VAR_DIR / "private")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_ROOT), "base_url": None},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
