"""Relaxations for the demo and for development: never used when ``DEBUG=false``."""

from .base import SECRET_KEY

# A fixed key is fine here: nothing secret is ever signed with it outside a developer machine.
SECRET_KEY = SECRET_KEY or "dev-only-secret-key-not-for-production-use-voisinage-0000"

# Static files straight from the apps' folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
