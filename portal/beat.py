"""Celery beat that runs its schedule on one machine only, however many are started.

Several machines share one Redis. A second ``celery beat`` started by mistake (or left
running on an old machine) would double every sweep, digest and reminder. Each beat
process here ticks only while it holds a lock in Redis (``BEAT_LOCK_KEY``), renewed at
every tick and expiring after ``BEAT_LOCK_SECONDS``: the others wait, and one of them
takes over within that time when the holder stops or loses its network. Without Redis
(the demo) there is one process and no lock.
"""

import logging
import uuid

import redis
from celery.beat import PersistentScheduler
from django.conf import settings

logger = logging.getLogger(__name__)


class BeatLeadership:
    """The lock that makes one beat the leader: ``held()`` acquires or renews it."""

    def __init__(self, *, url: str, key: str, seconds: int):
        self.client = redis.Redis.from_url(url)
        self.key = key
        self.seconds = seconds
        self.token = uuid.uuid4().hex
        self.leading = False

    # Renew only if the lock is still ours (compare and expire, atomically).
    _RENEW = (
        "if redis.call('get', KEYS[1]) == ARGV[1] then "
        "return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end"
    )

    def held(self) -> bool:
        try:
            if self.leading and self.client.eval(
                self._RENEW, 1, self.key, self.token, self.seconds * 1000
            ):
                return True
            was_leading = self.leading
            self.leading = bool(
                self.client.set(self.key, self.token, nx=True, px=self.seconds * 1000)
            )
            if was_leading and not self.leading:
                logger.warning("Beat: another process took over the schedule.")
            elif self.leading:
                logger.info("Beat: this process now runs the schedule.")
        except redis.RedisError:
            logger.exception("Beat: Redis unreachable, the schedule waits.")
            self.leading = False
        return self.leading

    def release(self) -> None:
        if self.leading:
            self.client.eval(
                "if redis.call('get', KEYS[1]) == ARGV[1] then "
                "return redis.call('del', KEYS[1]) else return 0 end",
                1,
                self.key,
                self.token,
            )
            self.leading = False


class SingleBeatScheduler(PersistentScheduler):
    """``celery beat --scheduler portal.beat:SingleBeatScheduler`` (the settings' default)."""

    def __init__(self, *args, **kwargs):
        url = getattr(settings, "REDIS_URL", None)
        self.leadership = (
            BeatLeadership(url=url, key=settings.BEAT_LOCK_KEY, seconds=settings.BEAT_LOCK_SECONDS)
            if url
            else None
        )
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if self.leadership is not None and not self.leadership.held():
            # Try again well before the holder's lock could expire.
            return min(self.max_interval, settings.BEAT_LOCK_SECONDS / 3)
        return super().tick(*args, **kwargs)

    def close(self):
        super().close()
        if self.leadership is not None:
            self.leadership.release()
