"""Django's Redis cache client with one redis-py client per pool (diary/fastpath/redis_client.py),
or, with the fast paths off, Django's own new client per call; the cache answers the same."""

from __future__ import annotations

from tests.config.test_cache import redis_cache


def test_the_cache_answers_the_same_and_only_the_fast_path_keeps_its_client(fastpath):
    cache = redis_cache()
    inner = cache._cache  # type: ignore[attr-defined]
    assert (inner.get_client() is inner.get_client(write=True)) is fastpath
    cache.set("ldn-test-client", {"n": 1}, 30)
    assert cache.get("ldn-test-client") == {"n": 1}
    assert cache.add("ldn-test-client", 2) is False
    cache.delete("ldn-test-count")
    assert cache.add("ldn-test-count", 1) is True
    assert cache.incr("ldn-test-count") == 2
    cache.delete_many(["ldn-test-client", "ldn-test-count"])
    assert cache.get_many(["ldn-test-client", "ldn-test-count"]) == {}
