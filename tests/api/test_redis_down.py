"""The API with its Redis gone: the cache (sessions, rate limits) and the broker on a Redis of
the test's own, stopped after sign-in. Signed-in patients keep reading and writing their
diary (sessions come from the database); sign-in is refused with a 503 and Retry-After
(its guessing limits fail closed); sign-up, whose limits only cap volume, still works."""

from __future__ import annotations

import logging
import signal
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from config.cache import redis_caches
from diary.models import DiaryEntry, Patient
from tests.api.test_auth import BROWSER, Browser
from tests.factories import PASSWORD, PatientFactory
from tests.processes import broker_at, own_redis

DAY = "2026-11-21"


@pytest.fixture
def own_cache(settings: Any) -> Iterator[subprocess.Popen[bytes]]:
    """Sessions, rate limits and the broker on one Redis of this test's own, as in production."""
    with own_redis() as (server, port), broker_at(f"redis://127.0.0.1:{port}/1"):
        settings.CACHES = redis_caches(f"redis://127.0.0.1:{port}/0")
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        settings.SESSION_CACHE_ALIAS = "sessions"
        yield server


def signed_in(patient: Patient) -> Browser:
    browser = Browser()
    login = browser.send("POST", f"{BROWSER}/auth/login", {"email": patient.user.email, "password": PASSWORD})
    assert login.status_code == 200, login.content
    assert browser.get("/api/v1/me/today").status_code == 200
    return browser


def read_and_write(browser: Browser, patient: Patient) -> None:
    """What a signed-in patient does: read, then save a day."""
    today = browser.get("/api/v1/me/today")
    assert today.status_code == 200, today.content
    saved = browser.send("PUT", f"/api/v1/me/entries/{DAY}", {"pain_score": 4, "headache": 1})
    assert saved.status_code == 201, saved.content
    entry = DiaryEntry.objects.get(patient=patient, date=DAY)
    assert (entry.pain_score, entry.headache) == (4, 1)
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is not None  # the sweep recomputes it


@pytest.mark.django_db(transaction=True)
def test_with_redis_stopped_a_signed_in_patient_reads_and_writes_and_sign_in_answers_503(own_cache, caplog):
    # config.cache's own level: a Celery worker started by an earlier test leaves the root at ERROR
    caplog.set_level(logging.WARNING, logger="config.cache")
    patient = PatientFactory.create()
    browser = signed_in(patient)
    own_cache.terminate()
    own_cache.wait()

    read_and_write(browser, patient)
    assert "unreachable" in caplog.text  # the outage is logged

    # Sign-in: its password-guessing limit cannot be counted, so it is refused, saying when to retry.
    login = Browser().send("POST", f"{BROWSER}/auth/login", {"email": patient.user.email, "password": PASSWORD})
    assert login.status_code == 503
    assert login["Content-Type"] == "application/problem+json"
    assert int(login["Retry-After"]) > 0
    assert login.json()["status"] == 503

    # Sign-up only caps volume: it goes on (to the e-mail verification step).
    signup = Browser().send(
        "POST", f"{BROWSER}/auth/signup", {"email": "new@example.org", "password": "a long enough passphrase"}
    )
    assert signup.status_code == 401, signup.content
    assert [f["id"] for f in signup.json()["data"]["flows"] if f.get("is_pending")] == ["verify_email"]


@pytest.mark.django_db(transaction=True)
def test_with_redis_hung_requests_do_not_hang(own_cache):
    """A Redis that accepts connections but never answers (SIGSTOP): the cache gives up
    after its socket timeout instead of holding the request."""
    patient = PatientFactory.create()
    browser = signed_in(patient)
    own_cache.send_signal(signal.SIGSTOP)
    errors: list[BaseException] = []

    def patient_uses_the_app() -> None:
        from django.db import connection

        try:
            read_and_write(browser, patient)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    try:
        thread = threading.Thread(target=patient_uses_the_app, daemon=True)
        thread.start()
        thread.join(30)
        assert not thread.is_alive(), "a request waited for the hung Redis"
        assert errors == []
    finally:
        own_cache.send_signal(signal.SIGCONT)
