"""Retrying transient delivery errors: exponential backoff with full jitter."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass


class Transient(Exception):
    """Mixed into a channel's error: the same request may succeed later."""

    reason: str
    retry_after: float | None = None


@dataclass(frozen=True)
class Backoff:
    attempts: int = 3
    base: float = 0.5
    cap: float = 8.0

    def delay(self, attempt: int, hint: float | None = None) -> float:
        """Full jitter: uniform(0, min(cap, base·2^attempt)); a Retry-After hint raises the floor."""
        delay = random.uniform(0, min(self.cap, self.base * 2**attempt))
        if hint is not None:
            delay = max(delay, min(hint, self.cap))
        return delay


def with_retry(call: Callable[[], None], backoff: Backoff, sleep: Callable[[float], None] = time.sleep) -> int:
    """Run `call`; on a Transient error wait and try again, `backoff.attempts` times in all.

    Returns the attempts used. The last Transient error is raised again with the count
    added to its reason; any other error passes straight through.
    """
    for attempt in range(backoff.attempts):
        try:
            call()
            return attempt + 1
        except Transient as exc:
            if attempt + 1 >= backoff.attempts:
                exc.reason = f"{exc.reason} (after {backoff.attempts} attempts)"
                exc.args = (exc.reason,)
                raise
            sleep(backoff.delay(attempt, exc.retry_after))
    raise AssertionError("unreachable")
