"""`make run`'s embedded set-up as a fixture for browser tests: scripts/run-embedded.sh on a
fresh var/ (SQLite, the filesystem broker, the web server, worker and beat, the demo
data), started once per test module that asks for it, and the e-mails it keeps."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "demo-password-1"  # printed by make run for everyone


@dataclass
class Embedded:
    url: str
    var: Path
    env: dict[str, str]
    log: Path

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env={**self.env, "LDN_ENV": "embedded"},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return result.stdout.strip()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _up(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=2) as reply:  # noqa: S310 - loopback
            return reply.status == 200
    except OSError:
        return False


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Embedded]:
    """scripts/run-embedded.sh (what `make run` starts after building) on a fresh var/."""
    var = tmp_path_factory.mktemp("embedded-var")
    port = _free_port()
    # Nothing of the test run's services or settings: the script sets its own.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LDN_", "DATABASE_URL", "REDIS_URL", "CELERY_", "DJANGO_"))
    }
    env.update(LDN_VAR_DIR=str(var), HOST="127.0.0.1", PORT=str(port))
    log = var / "make-run.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["/bin/bash", "scripts/run-embedded.sh"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # migrate and seed the demo first
    while not _up(url):
        if process.poll() is not None or time.monotonic() > deadline:
            with contextlib.suppress(ProcessLookupError):  # it may have ended by itself
                os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"make run's embedded set-up did not start:\n{log.read_text()[-4000:]}")
        time.sleep(0.5)
    try:
        yield Embedded(url=url, var=var, env=env, log=log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def mail_with(var: Path, address: str) -> Any:
    for path in sorted((var / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip() and address.encode() in raw:
                return message_from_bytes(raw.strip())
    return None


def mails_to(var: Path, address: str) -> list[Any]:
    """Every message kept for `address` (its To), oldest first (a file holds the messages of
    one process in the order it sent them)."""
    found = []
    for path in sorted((var / "mail").glob("*.log"), key=lambda p: p.stat().st_mtime):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            message = message_from_bytes(raw.strip()) if raw.strip() else None
            if message is not None and message["To"] == address:
                found.append(message)
    return found


def body_of(message: Any) -> str:
    part = message.get_payload(0) if message.is_multipart() else message
    text: str = part.get_payload(decode=True).decode()
    return text


def next_mail(var: Path, address: str, seen: int, seconds: float = 15) -> Any:
    """The first message for `address` after the `seen` ones already there."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        messages = mails_to(var, address)
        if len(messages) > seen:
            return messages[seen]
        time.sleep(0.2)
    pytest.fail(f"no new e-mail for {address} in {var / 'mail'}")
