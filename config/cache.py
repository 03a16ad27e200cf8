"""Django's Redis cache, keeping one redis-py client per connection pool, and deciding what
happens while Redis cannot be reached.

Django's client makes a new `redis.Redis` for every cache call; the one kept per
connection pool is a fast path (diary/fastpath/redis_client.py).

Redis unreachable (refused, or no answer within the socket timeout): each operation either
behaves as on an empty cache whose writes are lost (a get misses, an add succeeds, a set
or delete does nothing) or raises `CacheUnavailable`, which the API answers with a 503
and Retry-After (api/middleware.py). Which one is the cache's `fail_open` option: True
for every key (the sessions' cache: `cached_db` then reads the database), or the key
prefixes that may (the rate limits that only cap volume, `FAIL_OPEN_LIMITS`). Every other
use fails closed: a limit that stops passwords or codes being guessed cannot be skipped.
docs/architecture.md, "When a service is down".
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

from diary.fastpath import redis_client

log = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)

# allauth's rate limits (ACCOUNT_RATE_LIMITS) that go on uncounted while Redis is away:
# they cap how many e-mails are sent or accounts made, and a few more during an outage
# harm no one. The others (login, login_failed: passwords and TOTP codes;
# reset_password_from_key: the reset code; reauthenticate, change_password) fail closed.
FAIL_OPEN_LIMITS = ("signup", "confirm_email", "reset_password", "manage_email", "change_phone")
# allauth.core.internal.ratelimit names a limit's keys "allauth:rl:<app>:<action>:…"
# (and its lock "…:lock"). Were that to change, these limits would fail closed.
_FAIL_OPEN_PREFIXES = tuple(f"allauth:rl:allauth.account:{action}:" for action in FAIL_OPEN_LIMITS)
# A session's cached copy lives at most this long: a logout or a change made while Redis
# was away cannot be overridden by an older copy for longer once Redis is back.
SESSION_CACHE_SECONDS = 300


class CacheUnavailable(Exception):
    """Redis cannot be reached, and this use of the cache may not go on without it."""


def redis_caches(url: str, timeout: float = 0.5) -> dict[str, dict[str, Any]]:
    """CACHES for Redis at `url`: "default" (allauth's rate limits, TOTP codes in use) and
    "sessions" (SESSION_CACHE_ALIAS). `timeout`: seconds to connect, and to wait for an
    answer, before Redis counts as unreachable."""
    options = {
        "socket_connect_timeout": timeout,
        "socket_timeout": timeout,
        "retry": Retry(NoBackoff(), 1),  # once more at once, on a new connection (Redis restarted)
    }
    backend = "config.cache.RedisCache"
    return {
        "default": {"BACKEND": backend, "LOCATION": url, "OPTIONS": {**options, "fail_open": _FAIL_OPEN_PREFIXES}},
        "sessions": {
            "BACKEND": backend,
            "LOCATION": url,
            "OPTIONS": {**options, "fail_open": True, "max_timeout": SESSION_CACHE_SECONDS},
        },
    }


class RedisCache(redis_client.RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.fail_open: bool | tuple[str, ...] = options.pop("fail_open", ())
        self.max_timeout: int | None = options.pop("max_timeout", None)
        super().__init__(server, {**params, "OPTIONS": options})

    def _unreachable(self, exc: Exception, operation: str, keys: list[Any], missing: Any) -> Any:
        """`missing` if every key may go on without Redis; else CacheUnavailable. (Keys are
        not logged: a session's names the session.)"""
        if self.fail_open is True or (
            isinstance(self.fail_open, tuple) and keys and all(str(k).startswith(self.fail_open) for k in keys)
        ):
            log.warning("cache unreachable (%s): %s treated as on an empty cache", exc, operation)
            return missing
        return self._refuse(exc, operation)

    def _refuse(self, exc: Exception, operation: str) -> Any:
        log.warning("cache unreachable (%s): %s refused", exc, operation)
        raise CacheUnavailable(f"cache unreachable: {exc}") from exc

    def get_backend_timeout(self, timeout: Any = DEFAULT_TIMEOUT) -> float | None:
        seconds: float | None = super().get_backend_timeout(timeout)
        if self.max_timeout is not None and (seconds is None or seconds > self.max_timeout):
            return self.max_timeout
        return seconds

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return bool(super().add(key, value, timeout, version))
        except UNREACHABLE as exc:
            return bool(self._unreachable(exc, "add", [key], True))

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        try:
            return super().get(key, default, version)
        except UNREACHABLE as exc:
            return self._unreachable(exc, "get", [key], default)

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        try:
            super().set(key, value, timeout, version)
        except UNREACHABLE as exc:
            self._unreachable(exc, "set", [key], None)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        try:
            return bool(super().touch(key, timeout, version))
        except UNREACHABLE as exc:
            return bool(self._unreachable(exc, "touch", [key], False))

    def delete(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().delete(key, version))
        except UNREACHABLE as exc:
            return bool(self._unreachable(exc, "delete", [key], False))

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        keys = list(keys)
        try:
            return dict(super().get_many(keys, version))
        except UNREACHABLE as exc:
            return dict(self._unreachable(exc, "get_many", keys, {}))

    def has_key(self, key: Any, version: int | None = None) -> bool:
        try:
            return bool(super().has_key(key, version))
        except UNREACHABLE as exc:
            return bool(self._unreachable(exc, "has_key", [key], False))

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        try:
            return list(super().set_many(data, timeout, version))
        except UNREACHABLE as exc:
            return list(self._unreachable(exc, "set_many", list(data), []))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        try:
            super().delete_many(keys, version)
        except UNREACHABLE as exc:
            self._unreachable(exc, "delete_many", keys, None)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        try:
            return int(super().incr(key, delta, version))
        except UNREACHABLE as exc:
            return int(self._refuse(exc, "incr"))  # no number to go on with

    def clear(self) -> None:
        try:
            super().clear()
        except UNREACHABLE as exc:
            self._refuse(exc, "clear")
