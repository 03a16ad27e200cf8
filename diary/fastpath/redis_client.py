"""Django's Redis cache client, keeping one redis-py client per connection pool.

Django's client makes a new `redis.Redis` for every cache call, and building one costs
more CPU than the call itself (it fills its table of response callbacks); sessions are
read from the cache on every request. A `redis.Redis` over a connection pool is safe to
share between threads, so one per pool is enough. This uses the client's private
`_get_connection_pool` and `_client`, and the cache's private `_class` to install it
(`RedisCache`, the base of config/cache.py's).

Off (settings.FASTPATH false): Django's `get_client`, a new `redis.Redis` per call.
tests/diary/fastpath/test_redis_client.py checks both ways against the real Redis.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis

from diary.fastpath import on


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[Any, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        if not on():
            return super().get_client(key, write=write)
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class RedisCache(django_redis.RedisCache):
    """Django's Redis cache with the client above (Django names its client class in the
    private `_class` and has no public way to give another)."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
