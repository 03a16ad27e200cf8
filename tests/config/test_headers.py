"""Response headers (issue 18, item 6): nothing that carries health data may be stored by
a browser or a proxy (Cache-Control: no-store), every response says which browser
features the app does not use (Permissions-Policy), and gunicorn does not name itself."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.api.test_auth import BROWSER

ROOT = Path(__file__).resolve().parents[2]


def no_store(response) -> bool:
    return "no-store" in [part.strip() for part in response.get("Cache-Control", "").split(",")]


@pytest.mark.django_db
def test_every_answer_with_health_data_says_no_store(cast, frozen):
    bob = cast.client("bob")
    alice = cast.client("alice")
    patient = f"/api/v1/patients/{cast.alice.public_id}"
    alice.call("PUT", "/api/v1/me/entries/2026-11-20", {"pain_score": 4, "headache": 1})
    answers = {
        "entries": bob.call("GET", f"{patient}/entries"),
        "report": bob.call("GET", f"{patient}/report"),
        "report.pdf": bob.call("GET", f"{patient}/report.pdf"),
        "triage": bob.call("GET", "/api/v1/triage"),
        "my entry": alice.call("GET", "/api/v1/me/entries/2026-11-20"),
        "my changes": alice.call("GET", "/api/v1/me/changes?since=0"),
        "not found": bob.call("GET", "/api/v1/patients/00000000-0000-0000-0000-000000000000/entries"),
        "session": bob.call("GET", f"{BROWSER}/auth/session"),
    }
    assert {name: r.status_code for name, r in answers.items()} == {
        "entries": 200,
        "report": 200,
        "report.pdf": 200,
        "triage": 200,
        "my entry": 200,
        "my changes": 200,
        "not found": 404,
        "session": 200,
    }
    assert {name: r.get("Cache-Control") for name, r in answers.items() if not no_store(r)} == {}


@pytest.mark.django_db
def test_every_response_has_a_permissions_policy(client):
    answers = {
        "app shell": client.get("/"),
        "app page": client.get("/history"),
        "api": client.get("/api/v1/whoami"),
        "allauth": client.get(f"{BROWSER}/auth/session"),
        "admin": client.get("/admin/"),
        "health": client.get("/healthz"),
        "404": client.get("/api/v1/nothing-here"),
    }
    policies = {name: r.get("Permissions-Policy") for name, r in answers.items()}
    assert len(set(policies.values())) == 1, policies
    policy = policies["api"]
    assert policy is not None
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in policy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_gunicorn_does_not_name_itself(tmp_path):
    """gunicorn started as the Dockerfile starts it (its config module included)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(LDN_ENV="embedded", LDN_VAR_DIR=str(tmp_path), DEBUG="0")
    command = [
        sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "python:config.gunicorn",
        "--bind", f"127.0.0.1:{port}", "--workers", "1",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                response = connection.getresponse()
                break
            except OSError:
                assert server.poll() is None, server.communicate()[0]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert response.status == 200
        names = [name.lower() for name, _ in response.getheaders()]
        assert "server" not in names, response.getheaders()
        assert response.getheader("Permissions-Policy")
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert '"-c", "python:config.gunicorn"' in (ROOT / "Dockerfile").read_text()
