"""Redis: the shared cache (and the default Celery broker, see ``tasks.py``) when configured.

Without ``REDIS_URL`` each process keeps its own in-memory cache, which is what the demo
needs and nothing more.
"""

from .environment import env_int, env_str

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            # One client per pool (portal.redis_cache), not one per call.
            "BACKEND": "portal.redis_cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voisinage",
        }
    }
    # Sessions are read from the shared cache and written through to the database: a
    # signed-in page costs no session query (after a restart of Redis, the database answers).
    # Never with a per-process cache: another process would keep a signed-out session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    # The signed-in user's row too (accounts.session_user), with the same rule.
    SESSION_USER_CACHE = True
else:
    SESSION_USER_CACHE = False
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous pages are served from the cache for this many seconds at most; publishing
# anything in a commune's tree invalidates that commune's pages at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", default=300)
