"""The Redis cache keeps one client per connection pool, and still works as a cache."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches

from config.cache import RedisCache


def redis_cache() -> RedisCache:
    """The run's cache when it is Redis; on the embedded pass (a file cache) one on the
    real Redis that make test started (scripts/with-services.sh)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return cache
    if "LDN_REDIS_PORT" not in os.environ:
        pytest.fail("run through scripts/with-services.sh: the test needs the real Redis it starts")
    return RedisCache(f"redis://127.0.0.1:{os.environ['LDN_REDIS_PORT']}/0", {})


def test_one_redis_client_serves_every_call():
    cache = redis_cache()
    inner = cache._cache  # type: ignore[attr-defined]
    client = inner.get_client()
    assert inner.get_client(write=True) is client
    cache.set("ldn-test-cache", {"n": 1}, 30)
    assert cache.get("ldn-test-cache") == {"n": 1}
    assert inner.get_client() is client
    cache.delete("ldn-test-cache")
    assert cache.get("ldn-test-cache") is None
