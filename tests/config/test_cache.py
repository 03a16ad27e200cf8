"""The Redis cache keeps one client per connection pool, and still works as a cache."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from config.cache import RedisCache


def test_one_redis_client_serves_every_call():
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.fail("run through scripts/with-services.sh: the tests expect Redis as the cache")
    inner = cache._cache  # type: ignore[attr-defined]
    client = inner.get_client()
    assert inner.get_client(write=True) is client
    cache.set("ldn-test-cache", {"n": 1}, 30)
    assert cache.get("ldn-test-cache") == {"n": 1}
    assert inner.get_client() is client
    cache.delete("ldn-test-cache")
    assert cache.get("ldn-test-cache") is None
