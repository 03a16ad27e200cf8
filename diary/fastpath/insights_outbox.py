"""A background thread per web process that gathers recompute requests into one message.

Building and sending a Celery message costs more CPU than the rest of a diary save's
bookkeeping when every save sends its own (bench/write_path/diagnose.py --cpu), so the
requests a process commits within INSIGHTS_REQUEST_GATHER seconds go out as one message,
sent by one thread off the request (with Redis down, a publish takes seconds to give up).

Off (settings.FASTPATH false): each committed transaction publishes its own message on the
request's thread, as `apply_async` is documented to be used. Either way sending is best
effort: the write has committed with its stale mark and the minutely sweep is the safety
net. tests/diary/fastpath/test_insights_outbox.py checks both ways reach the worker.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from config.celery import app
from diary.fastpath import on

log = logging.getLogger(__name__)

INSIGHTS_REQUEST_GATHER = 0.2
RECOMPUTE_TASK = "diary.tasks.insights_recompute"
_request_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="insights-request")
_outbox: set[int] = set()
_outbox_lock = threading.Lock()
_outbox_scheduled = [False]


def insights_outbox_send(ids: Iterable[int]) -> None:
    """Ask for a recompute of these patients (their transaction has committed)."""
    if not on():
        publish_recompute_request(sorted(ids))
        return
    with _outbox_lock:
        _outbox.update(ids)
        if _outbox_scheduled[0]:
            return  # the next message, still gathering, carries them
        _outbox_scheduled[0] = True
    _request_sender.submit(_publish_outbox)


def insights_requests_drain(timeout: float = 10.0) -> None:
    """Wait until every recompute request gathered so far in this process has been sent
    (the sender runs its jobs in order, one at a time)."""
    _request_sender.submit(lambda: None).result(timeout=timeout)


def _publish_outbox() -> None:
    time.sleep(INSIGHTS_REQUEST_GATHER)
    with _outbox_lock:
        ids = sorted(_outbox)
        _outbox.clear()
        _outbox_scheduled[0] = False
    publish_recompute_request(ids)


def publish_recompute_request(ids: list[int]) -> None:
    # By the task's name: importing diary.tasks here would close an import circle
    # (tasks -> services -> patients -> this module).
    try:
        app.send_task(RECOMPUTE_TASK, (ids,), retry=False)
    except Exception as exc:  # any broker failure: the sweep is the safety net
        log.warning("insights recompute request not sent (%s); the sweep will pick up %s", exc, ids)
