"""Processes a fault-injection test starts for itself, so it can stop or kill them: its own
Redis, and subprocesses (a Celery worker, a reminder dispatcher) that use the test database.

Never the run's shared PostgreSQL or Redis (scripts/with-services.sh): other tests use them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def wait_for(condition: Callable[[], Any], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def own_redis() -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """A Redis server of the caller's own on a free loopback port: (process, port). Killed at the end."""
    port = free_port()
    server = subprocess.Popen(
        [shutil.which("redis-server") or "redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: listening(port), 10)
        yield server, port
    finally:
        server.kill()
        server.wait()


def database_url() -> str:
    """DATABASE_URL of the database this test runs on (pytest-django's test database), for a
    subprocess that must see the same rows. The test must commit them (``transaction=True``)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def django_process(args: list[str], **env: str) -> subprocess.Popen[bytes]:
    """A Python subprocess of the app (cwd: the repository) on the test database, with `env` added."""
    environment = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    environment.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL)


@contextmanager
def broker_at(url: str) -> Iterator[None]:
    """The app publishes its Celery messages to `url` until the block ends."""
    from config.celery import app

    original = os.environ.get("CELERY_BROKER_URL")
    # The embedded set-up names its transport (CELERY_BROKER_TRANSPORT, the filesystem one):
    # while the block runs, the URL's scheme decides, as it does without that setting.
    original_transport = app.conf.broker_transport

    def use(value: str | None) -> None:
        if value is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = value  # celery reads the environment first
            app.conf.broker_transport = None
        # celery caches its connection pools per broker URL
        app._pool = None  # type: ignore[attr-defined]
        app.amqp._producer_pool = None  # type: ignore[attr-defined]

    use(url)
    try:
        yield
    finally:
        use(original)
        app.conf.broker_transport = original_transport
