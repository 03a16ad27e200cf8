"""Calls run side by side, each in its own thread and database connection (real races)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


class Threads:
    """``answers[i]`` is what ``calls[i]`` returned, or the exception it raised."""

    def __init__(self, calls: list[Callable[[], Any]], *, together: bool = True) -> None:
        self.calls = calls
        self.answers: list[Any] = [None] * len(calls)
        self.barrier = threading.Barrier(len(calls)) if together else None
        self.threads = [threading.Thread(target=self._run, args=(i,)) for i in range(len(calls))]

    def _run(self, index: int) -> None:
        try:
            if self.barrier is not None:
                self.barrier.wait()  # released at the same moment
            self.answers[index] = self.calls[index]()
        except Exception as exc:
            self.answers[index] = exc
        finally:
            connection.close()

    def start(self) -> Threads:
        for thread in self.threads:
            thread.start()
        return self

    def join(self, timeout: float = 30) -> list[Any]:
        for thread in self.threads:
            thread.join(timeout=timeout)
        return self.answers
