"""The embedded mode of `make run` (SQLite, filesystem broker) serves the API.

The rest of the suite runs on PostgreSQL; this test runs a child process with the
embedded settings on a fresh SQLite file, as `make run` does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = r"""
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.db import connection
assert connection.vendor == "sqlite", connection.vendor
from django.test import Client
from diary.models import DiaryEntry, User
from diary.services.patients import patient_create
user = User.objects.create_user("embedded@example.org", "a long passphrase")
patient_create(user, time_zone="Europe/Berlin")
client = Client()
client.force_login(user)
put = client.put("/api/v1/me/entries/2026-01-10", json.dumps({"pain_score": 3, "headache": 1}),
                 content_type="application/json")
assert put.status_code == 201, put.content
again = client.put("/api/v1/me/entries/2026-01-10", json.dumps({"pain_score": 4, "headache": 1}),
                   content_type="application/json", HTTP_IF_MATCH='"1"')
assert again.status_code == 200, again.content
assert client.get("/api/v1/me/entries/2026-01-10/revisions").json()[0]["snapshot"]["pain_score"] == 3
assert client.get("/healthz").json() == {"status": "ok"}
assert client.get("/api/v1/me/insights").json()["status"] == "pending"
from diary.services.insights import insights_sweep
assert insights_sweep().stored == 1  # claim and store work on SQLite too
assert client.get("/api/v1/me/insights").json()["status"] == "current"
import time
from pathlib import Path
from django.conf import settings
outbox = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_out"])
deadline = time.monotonic() + 10
while not list(outbox.glob("*")):  # the write's recompute request, in the filesystem broker
    assert time.monotonic() < deadline, "no recompute request in the filesystem broker"
    time.sleep(0.05)
print("embedded ok", DiaryEntry.objects.get().version)
"""


def test_embedded_mode_serves_the_api_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(LDN_ENV="embedded", LDN_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "embedded ok 2" in result.stdout
