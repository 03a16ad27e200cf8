"""The reminder dispatcher under faults: a real dispatcher process SIGKILLed mid-run, and a
live long run next to a second dispatcher. The loopback push service (tests/push_service.py)
verifies and decrypts every message and counts what each endpoint received."""

from __future__ import annotations

import signal
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from diary.models import Reminder, ReminderDelivery
from diary.services import reminders as service
from tests.factories import PatientFactory
from tests.processes import django_process, wait_for
from tests.push_service import PushService

DISPATCH = "import django; django.setup(); from diary.services import reminders; reminders.reminders_dispatch_due()"


def midday_zone(now: datetime) -> str:
    """A fixed-offset zone where `now` is around noon, so a minute or two later is the same
    local date whenever the test runs (a delivery claimed on an earlier date is not sent)."""
    offset = 12 - now.hour
    return f"Etc/GMT{-offset:+d}"  # the Etc zones' signs are inverted: Etc/GMT-5 is UTC+5


def reminders_due(push: PushService, count: int, now: datetime, answer: tuple[int, float]) -> list[str]:
    """`count` patients with a diary reminder due at `now` and one subscribed browser each, whose
    push service answers `answer` (status, seconds) to the first message. Returns the endpoints' paths."""
    tz = midday_zone(now)
    due = now.replace(second=0, microsecond=0)
    paths = []
    for _ in range(count):
        patient = PatientFactory.create(time_zone=tz)
        sub = push.subscribe()
        service.push_subscription_save(
            patient, endpoint=sub["endpoint"], p256dh=sub["keys"]["p256dh"], auth=sub["keys"]["auth"]
        )
        push.script(sub, [answer])
        local = due.astimezone(ZoneInfo(tz)).time()
        Reminder.objects.create(
            patient=patient, kind="diary", local_time=local, enabled=True, push=True, next_fire_at=due
        )
        paths.append(sub["endpoint"].removeprefix(push.origin))
    return paths


def delivered(push: PushService) -> Counter[str]:
    """Messages each endpoint accepted (2xx) that verified and decrypted."""
    return Counter(r.path for r in push.received if 200 <= r.status < 300 and r.error is None)


@pytest.mark.django_db(transaction=True)
def test_a_dispatcher_killed_mid_run_resends_at_most_what_was_in_flight_and_the_rest_within_a_minute():
    concurrency = 3
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as push:
        now = datetime.now(UTC)
        paths = reminders_due(push, 45, now, (201, 0.1))  # a slow push service: the run takes seconds

        dispatcher = django_process(["-c", DISPATCH], REMINDER_SEND_CONCURRENCY=str(concurrency))
        try:
            wait_for(lambda: push.count >= 12, 60)
        finally:
            dispatcher.send_signal(signal.SIGKILL)
            dispatcher.wait()
        assert 12 <= sum(delivered(push).values()) < len(paths)  # killed mid-run
        left = ReminderDelivery.objects.filter(status="claimed").count()
        assert left > 0

        # A minute after the crash: the dead run's claims are free again and the rest goes out.
        with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61), tick=False):
            report = service.reminders_dispatch_due()
        assert report.reclaimed == left
        total = delivered(push)
        assert set(total) == set(paths)  # every reminder went out
        resent = sum(count - 1 for count in total.values())
        assert resent <= concurrency, f"{resent} sent twice: more than the {concurrency} in flight"
        assert Counter(ReminderDelivery.objects.values_list("status", flat=True)) == {"sent": len(paths)}


@pytest.mark.django_db(transaction=True)
def test_a_live_run_keeps_its_claims_past_the_lease(settings: Any):
    """A run that lasts longer than the claim lease renews it: a second dispatcher started
    after the lease has run out takes none of the first run's deliveries."""
    settings.REMINDER_CLAIM_STALE_AFTER = timedelta(seconds=1)
    _, public_key = service.vapid_keys()
    with PushService(expected_key=public_key) as push:
        now = datetime.now(UTC)
        paths = reminders_due(push, 24, now, (201, 0.15))  # 24 × 0.15 s over 2 threads: ~2 s
        reports: list[Any] = []

        def dispatch() -> None:
            from django.db import connection

            try:
                reports.append(service.reminders_dispatch_due(channels=service.Channels(2)))
            except Exception as exc:  # pragma: no cover - reported below
                reports.append(exc)
            finally:
                connection.close()

        first = threading.Thread(target=dispatch)
        first.start()
        wait_for(lambda: push.count >= 1)
        time.sleep(1.3)  # past the lease, with the first run still sending
        assert ReminderDelivery.objects.filter(status="claimed").exists()
        second = threading.Thread(target=dispatch)
        second.start()
        for thread in (first, second):
            thread.join(60)

    assert not [r for r in reports if isinstance(r, Exception)], reports
    assert sorted(r.reclaimed for r in reports) == [0, 0]
    assert delivered(push) == Counter(dict.fromkeys(paths, 1))  # each once
