"""One settings entry point: development by default, production when ``DEBUG=false``."""

from .base import *  # noqa: F403
from .base import DEBUG

if DEBUG:
    from .development import *  # noqa: F403
else:
    from .production import *  # noqa: F403
