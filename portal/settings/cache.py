"""Redis: the shared cache (and the default Celery broker, see ``tasks.py``) when configured.

Without ``REDIS_URL`` each process keeps its own in-memory cache, which is what the demo
needs and nothing more.
"""

from .environment import env_int, env_str

REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "voisinage",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous pages are served from the cache for this many seconds at most; publishing
# anything in a commune's tree invalidates that commune's pages at once.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", default=300)
