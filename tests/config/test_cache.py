"""The Redis cache keeps one client per connection pool, still works as a cache, and with
Redis away fails open or closed as decided for each use (config/cache.py)."""

from __future__ import annotations

import os

import pytest
from django.core.cache import caches

from config.cache import SESSION_CACHE_SECONDS, CacheUnavailable, RedisCache, redis_caches
from tests.processes import own_redis


def redis_cache() -> RedisCache:
    """The run's cache when it is Redis; on the embedded pass (a file cache) one on the
    real Redis that make test started (scripts/with-services.sh)."""
    cache = caches["default"]
    if isinstance(cache, RedisCache):
        return cache
    if "LDN_REDIS_PORT" not in os.environ:
        pytest.fail("run through scripts/with-services.sh: the test needs the real Redis it starts")
    # a database of its own: pass 1 runs beside this pass and clears its cache (database 0)
    return RedisCache(f"redis://127.0.0.1:{os.environ['LDN_REDIS_PORT']}/15", {})


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


def backend(url: str, alias: str) -> RedisCache:
    config = redis_caches(url)[alias]
    return RedisCache(config["LOCATION"], config)


def test_a_sessions_cached_copy_lives_at_most_five_minutes():
    """So a logout or a change made while Redis was away is not undone by an older copy for
    longer than that once Redis is back."""
    url = redis_cache()._servers[0]  # type: ignore[attr-defined]
    sessions = backend(url, "sessions")
    sessions.set("ldn-test-session", {"user": 1}, 14 * 24 * 3600)
    client = sessions._cache.get_client()  # type: ignore[attr-defined]
    assert 0 < client.ttl(sessions.make_key("ldn-test-session")) <= SESSION_CACHE_SECONDS
    sessions.delete("ldn-test-session")


def test_with_redis_stopped_each_use_fails_open_or_closed_as_decided():
    with own_redis() as (server, port):
        url = f"redis://127.0.0.1:{port}/0"
        default, sessions = backend(url, "default"), backend(url, "sessions")
        assert default.add("allauth:rl:allauth.account:signup:20/60.0/ip:ip:127.0.0.1:lock", True)
        server.terminate()
        server.wait()

        # Sessions: an empty cache whose writes are lost (cached_db reads the database).
        assert sessions.get("django.contrib.sessions.cached_dbabc", "missing") == "missing"
        sessions.set("django.contrib.sessions.cached_dbabc", {"user": 1})
        assert sessions.delete("django.contrib.sessions.cached_dbabc") is False
        # A limit that only caps volume goes on uncounted ...
        signup = "allauth:rl:allauth.account:signup:20/60.0/ip:ip:127.0.0.1"
        assert default.add(f"{signup}:lock", True) is True
        assert default.get(signup, []) == []
        default.set(signup, [1.0], 60)
        # ... one that stops guessing does not, nor does anything else.
        for key in ("allauth:rl:allauth.account:login_failed:10/60.0/ip:ip:127.0.0.1", "allauth.mfa.totp.used?user=1"):
            with pytest.raises(CacheUnavailable):
                default.add(f"{key}:lock", True)
            with pytest.raises(CacheUnavailable):
                default.get(key)
        with pytest.raises(CacheUnavailable):
            default.get_many([signup, "allauth:rl:allauth.account:login:30/60.0/ip:ip:127.0.0.1"])
