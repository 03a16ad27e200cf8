"""Two requests that would break a unique rule if they ran side by side, on real
PostgreSQL connections: each answers 2xx or a clear 4xx, never a 500.

Each race is made certain rather than likely: the test holds an uncommitted row that
both requests must wait for (at the unique index or at a row lock), waits until both are
blocked, then rolls it back, so both have passed their checks before either commits.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.db import connection, transaction

from diary.choices import LinkStatus
from diary.models import CareLink, PushSubscription
from diary.services.care import invitation_create
from tests.api.test_role_matrix import P256DH
from tests.conftest import Api
from tests.factories import ClinicianFactory, PatientFactory, link
from tests.threads import Threads

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only("row_locks")]

AUTH = "MDEyMzQ1Njc4OWFiY2RlZg"


def lock_waiters() -> int:
    """Backends of this database waiting for a lock, seen from a connection of its own."""

    def count() -> int:
        try:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                return int(cursor.fetchone()[0])
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(count).result()


def race_behind(blocker: Callable[[], Any], calls: list[Callable[[], Any]]) -> list[Any]:
    """Run each call in its own thread and connection while `blocker`'s row is uncommitted;
    roll the blocker back once every call waits for it; return what each call answered."""
    with transaction.atomic():
        blocker()
        threads = Threads(calls, together=False).start()
        deadline = time.monotonic() + 30
        while lock_waiters() < len(calls):
            assert time.monotonic() < deadline, "the requests never queued behind the blocker"
            time.sleep(0.05)
        transaction.set_rollback(True)
    return threads.join()


def test_two_codes_of_one_clinic_redeemed_at_once_link_once_and_answer_409():
    patient = PatientFactory.create()
    clinician = ClinicianFactory.create()
    codes = [invitation_create(clinician=clinician).code for _ in range(2)]

    def redeem(code: str) -> Callable[[], Any]:
        return lambda: (
            Api(raise_request_exception=False)
            .as_user(patient.user)
            .call("POST", "/api/v1/me/care-links", {"code": code, "consent": True})
        )

    answers = race_behind(lambda: link(patient, clinician), [redeem(code) for code in codes])

    assert sorted(a.status_code for a in answers) == [201, 409], [a.content for a in answers]
    conflict = next(a for a in answers if a.status_code == 409)
    assert conflict["Content-Type"] == "application/problem+json"
    assert CareLink.objects.filter(patient=patient, status=LinkStatus.ACTIVE).count() == 1
    # the code that lost is still open: the patient (or another) may use it later
    assert CareLink.objects.filter(clinic=clinician.clinic, status=LinkStatus.INVITED).count() == 1


def test_one_browser_subscribing_twice_at_once_is_stored_once_and_both_succeed():
    patient = PatientFactory.create()
    other = PatientFactory.create()
    endpoint = "https://push.example.org/one-browser"
    body = {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": AUTH}}

    def blocker() -> None:
        PushSubscription.objects.create(patient=other, endpoint=endpoint, p256dh=P256DH, auth=AUTH)

    def subscribe() -> Any:
        return (
            Api(raise_request_exception=False).as_user(patient.user).call("POST", "/api/v1/me/push-subscriptions", body)
        )

    answers = race_behind(blocker, [subscribe, subscribe])

    assert sorted(a.status_code for a in answers) == [200, 201], [a.content for a in answers]
    assert answers[0].json_body["id"] == answers[1].json_body["id"]
    assert list(PushSubscription.objects.values_list("patient", "endpoint")) == [(patient.pk, endpoint)]
