"""Web push (VAPID): the keys, who push services may contact, and where pushes may go.

Without both keys push is off; ``manage.py generate_vapid_keys`` prints a pair.
"""

from django.core.exceptions import ImproperlyConfigured

from .environment import env_float, env_int, env_list, env_str
from .mail import DEFAULT_FROM_EMAIL

VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
# One key without the other would offer members a subscription that can never be sent to.
if bool(VAPID_PUBLIC_KEY) != bool(VAPID_PRIVATE_KEY):
    raise ImproperlyConfigured("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY go together: set both.")
# Who push services contact about our traffic (RFC 8292): a mailto: or https: address.
VAPID_SUBJECT = env_str(
    "VAPID_SUBJECT", default="mailto:" + DEFAULT_FROM_EMAIL.rpartition("<")[2].rstrip(">")
)
if not VAPID_SUBJECT.startswith(("mailto:", "https://")):
    raise ImproperlyConfigured("VAPID_SUBJECT must start with mailto: or https://.")
# Push requests in flight per worker, and how long one push service may take to answer.
PUSH_SEND_CONCURRENCY = env_int("PUSH_SEND_CONCURRENCY", default=16, minimum=1)
PUSH_HTTP_TIMEOUT = env_float("PUSH_HTTP_TIMEOUT", default=10.0)
# Push services browsers subscribe with (Chrome and most others, Firefox, Edge, Safari):
# endpoints elsewhere are refused, so that workers never post to an arbitrary machine.
PUSH_SERVICE_HOSTS = env_list(
    "PUSH_SERVICE_HOSTS",
    default=[
        "fcm.googleapis.com",
        "android.googleapis.com",
        "push.services.mozilla.com",
        "notify.windows.com",
        "push.apple.com",
    ],
)
