"""E-mail: django-anymail in production (``EMAIL_BACKEND`` and ``ANYMAIL_*``), console in the demo.

``ANYMAIL_WEBHOOK_SECRET`` also opens the provider's tracking webhook (``/anymail/…``).
"""

from .environment import env_prefixed, env_str

EMAIL_BACKEND = env_str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", default="Voisinage <ne-pas-repondre@voisinage.invalid>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"] (API keys, the webhook secret).
ANYMAIL = env_prefixed("ANYMAIL_")
