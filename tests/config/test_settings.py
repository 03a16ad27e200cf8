"""Production settings pass Django's deployment checks; the beat schedule is sane."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from celery.schedules import crontab
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # DJANGO_ALLOW_ASYNC_UNSAFE: set by the browser tests for their run (tests/e2e/conftest.py)
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LDN_", "SECRET_", "DEBUG", "ALLOWED_", "MFA_", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        check=False,
    )


# `check` does not connect; on the embedded pass (no DATABASE_URL) any PostgreSQL URL does.
POSTGRES_URL = os.environ.get("DATABASE_URL") or "postgres://ldn@127.0.0.1:5432/ldn"
PRODUCTION = {
    "LDN_ENV": "production",
    "SECRET_KEY": "k3y-" + "".join(chr(33 + (i * 7) % 90) for i in range(60)),
    "ALLOWED_HOSTS": "diary.example.org",
    "MFA_ENCRYPTION_KEY": "x7Qvz0m3n1GJ2Hc5b9kLwT4rY6uPdA8sFeVhNjKqZoM=",
}


def test_check_deploy_reports_nothing():
    result = run_manage("check", "--deploy", "--fail-level", "DEBUG", **PRODUCTION, DATABASE_URL=POSTGRES_URL)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_refuses_a_weak_secret_or_sqlite():
    weak = run_manage("check", **{**PRODUCTION, "SECRET_KEY": "short"}, DATABASE_URL=POSTGRES_URL)
    assert weak.returncode != 0
    assert "SECRET_KEY" in weak.stderr
    sqlite = run_manage("check", **PRODUCTION, DATABASE_URL="sqlite:////tmp/x.sqlite3")
    assert sqlite.returncode != 0
    assert "PostgreSQL" in sqlite.stderr


def test_production_needs_its_own_key_for_mfa_secrets():
    without = {k: v for k, v in PRODUCTION.items() if k != "MFA_ENCRYPTION_KEY"}
    missing = run_manage("check", **without, DATABASE_URL=POSTGRES_URL)
    assert missing.returncode != 0
    assert "MFA_ENCRYPTION_KEY is required" in missing.stderr
    malformed = run_manage("check", **{**PRODUCTION, "MFA_ENCRYPTION_KEY": "secret"}, DATABASE_URL=POSTGRES_URL)
    assert malformed.returncode != 0
    assert "MFA_ENCRYPTION_KEY is not a Fernet key" in malformed.stderr


def test_bad_environment_values_fail_loudly():
    result = run_manage("check", LDN_ENV="embedded", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_beat_schedule_entries_expire_before_their_next_run():
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule, "the beat schedule lives in settings"
    from config.celery import app

    app.loader.import_default_modules()
    for name, entry in schedule.items():
        assert entry["task"] in app.tasks, name
        every: Any = entry["schedule"]
        assert isinstance(every, crontab)
        # minutes between runs: the smallest gap of the crontab's minute set
        minutes = sorted(every.minute)  # type: ignore[attr-defined]  # celery-types lacks it
        gaps = [b - a for a, b in zip(minutes, [*minutes[1:], minutes[0] + 60], strict=True)]
        options: Any = entry["options"]
        assert options["expires"] < min(gaps) * 60, name


def test_reminders_are_dispatched_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["reminders-dispatch"]
    assert entry["task"] == "diary.tasks.reminders_dispatch"
    every: Any = entry["schedule"]
    assert sorted(every.minute) == list(range(60))
    options: Any = entry["options"]
    assert 0 < options["expires"] < 60
    # a run renews its claims while it lives; a dead run's are taken over within about a
    # minute, so the next runs send them (a bedtime reminder minutes late is a missed dose time)
    assert 30 <= settings.REMINDER_CLAIM_STALE_AFTER.total_seconds() <= 60


def test_a_plain_http_healthcheck_is_answered_in_production_not_redirected():
    """The container's healthcheck GETs http://127.0.0.1:8000/healthz with no TLS proxy in front."""
    database = f"postgres://postgres@127.0.0.1:{os.environ['LDN_PG_PORT']}/ldn"  # scripts/with-services.sh
    ask = (
        "from django.test import Client; c = Client(HTTP_HOST='diary.example.org');"
        "print(c.get('/healthz').status_code, c.get('/api/v1/whoami').status_code)"
    )
    result = run_manage("shell", "-c", ask, **PRODUCTION, DATABASE_URL=database)
    assert result.returncode == 0, result.stderr
    healthz, api = result.stdout.splitlines()[-1].split()
    assert healthz == "200"
    assert api == "301"  # everything else still goes to https


def test_a_bad_default_patient_time_zone_fails_at_start_naming_the_setting():
    result = run_manage("check", LDN_ENV="embedded", DEFAULT_PATIENT_TIME_ZONE="Mars/Olympus_Mons")
    assert result.returncode != 0
    assert "DEFAULT_PATIENT_TIME_ZONE='Mars/Olympus_Mons' is not a known IANA time zone" in result.stderr


def test_beat_expiries_follow_the_schedules_the_environment_sets():
    show = (
        "from django.conf import settings;"
        "print({k: e['options']['expires'] for k, e in settings.CELERY_BEAT_SCHEDULE.items()})"
    )
    every = {"CARE_LINKS_EXPIRE_EVERY_MINUTES": "5", "INSIGHTS_SWEEP_EVERY_MINUTES": "7"}
    result = run_manage("shell", "-c", show, LDN_ENV="embedded", **every)
    assert result.returncode == 0, result.stderr
    expires = ast.literal_eval(result.stdout.splitlines()[-1])
    # the shortest gap: 5 minutes; */7 runs at :56 and again at :00, 4 minutes later; hourly
    shortest = {"care-links-expire": 5, "insights-sweep": 4, "insights-daily": 60, "reminders-dispatch": 1}
    for name, minutes in shortest.items():
        assert minutes * 60 / 2 < expires[name] < minutes * 60, name
