"""Development and the demo (``DEBUG=true``): relaxations only, never used in production.

``make demo`` writes ``.env`` with ``DEBUG=true`` and a secret key of this checkout, so that
``manage.py`` and its commands run these settings there; nothing here has a key to offer.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SECRET_KEY
from .environment import env_str

if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set, even with DEBUG=true. In a development checkout, run "
        "`make demo` once: it writes .env with a key of this checkout, which manage.py reads."
    )

# The demo signs webhook calls with this documented token, so that they can be tried locally.
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", default="demo-twilio-token")

# Static files straight from the apps' folders, without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
