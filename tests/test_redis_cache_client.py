"""The shared cache's Redis client is built once per connection pool, not once per call
(``portal.redis_cache``), and still answers every thread. Needs Redis (``REDIS_URL``); its
keys carry a prefix of their own and are deleted after."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from portal.redis_cache import SharedClientRedisCache


@pytest.fixture
def shared_cache():
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("needs Redis (REDIS_URL=redis://…)")
    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis at REDIS_URL does not answer: {error}")
    cache = SharedClientRedisCache(url, {"KEY_PREFIX": f"test-client-{uuid.uuid4().hex}"})
    yield cache
    keys = [f"key-{number}" for number in range(20)]
    cache.delete_many(["answer", *keys])


def test_every_call_uses_the_same_client_and_reads_what_was_written(shared_cache):
    shared_cache.set("answer", {"commune": "Cadaujac"}, 30)

    assert shared_cache.get("answer") == {"commune": "Cadaujac"}
    assert shared_cache._cache.get_client() is shared_cache._cache.get_client()


def test_threads_sharing_the_client_each_read_their_own_values(shared_cache):
    def write_and_read(number):
        shared_cache.set(f"key-{number}", number, 30)
        return shared_cache.get(f"key-{number}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert list(pool.map(write_and_read, range(20))) == list(range(20))
