"""The insights jobs on the real database and broker (PostgreSQL and Redis, or the embedded
SQLite and filesystem broker): stale marks, on-commit requests,
the sweep, concurrent sweeps, the broker being down, and the daily re-evaluation."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from config.celery import app
from diary.dates import local_calendar_date
from diary.fastpath.insights_outbox import INSIGHTS_REQUEST_GATHER, insights_requests_drain
from diary.models import Flag, Patient, PatientInsight
from diary.services import insights as service
from diary.services.entries import entry_record
from diary.services.inputs import EntryData
from diary.tasks import insights_daily, insights_recompute, insights_sweep
from tests.factories import DoseLogFactory, PatientFactory
from tests.processes import broker_at, django_process, own_redis, wait_for

OPIOID_DAY: EntryData = {
    "pain_score": 5,
    "headache": 2,
    "acute_medications": [{"med_class": "opioid", "name": "tramadol"}],
}


def record(patient: Patient, day: date, data: EntryData | None = None) -> None:
    entry_record(patient=patient, day=day, data=data or {"pain_score": 3, "headache": 0}, actor=None)


def record_opioid_on_ldn(patient: Patient) -> None:
    """A dose of LDN yesterday, tramadol today: an opioid_interaction (CLINICAL.md §7)."""
    today = today_of(patient)
    DoseLogFactory.create(patient=patient, date=today - timedelta(days=1))
    record(patient, today, OPIOID_DAY)


def today_of(patient: Patient) -> date:
    return local_calendar_date(patient.time_zone)


class BrokerQueue:
    """The messages sent to the broker's default queue during a test, oldest first.

    Read through kombu's channel (``basic_get``), so the same test runs on the real Redis
    of the PostgreSQL pass and on the filesystem broker of the embedded pass. Reading takes
    the messages off the queue: they are kept here, so each call returns all seen so far.
    """

    def __init__(self) -> None:
        self.seen: list[dict[str, Any]] = []

    def take(self) -> list[dict[str, Any]]:
        with app.connection_for_write() as conn:
            channel: Any = conn.default_channel  # kombu's virtual channel (Redis, filesystem)
            while (message := channel.basic_get("celery", no_ack=True)) is not None:
                self.seen.append({"headers": message.headers})
        return self.seen

    def __call__(self) -> list[dict[str, Any]]:
        return list(self.take())


@pytest.fixture
def queue_messages() -> Iterator[BrokerQueue]:
    """An empty queue, also of the requests an earlier test's saves are still gathering
    (they would arrive during this test: the broker is the same for the whole run)."""
    insights_requests_drain()
    BrokerQueue().take()
    queue = BrokerQueue()
    yield queue
    insights_requests_drain()
    BrokerQueue().take()


@pytest.mark.django_db
def test_a_write_marks_the_patient_stale_in_its_own_transaction():
    patient = PatientFactory.create()
    with transaction.atomic():
        record(patient, today_of(patient))
        assert Patient.objects.get(pk=patient.pk).insights_stale_since is not None
        transaction.set_rollback(True)
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is None


@pytest.mark.django_db(transaction=True)
def test_one_recompute_request_per_transaction_whatever_the_number_of_writes(queue_messages):
    alice, bob = PatientFactory.create_batch(2)
    day = today_of(alice)
    with transaction.atomic():
        for back in range(10):
            record(alice, day - timedelta(days=back))
        record(bob, day)
    wait_for(queue_messages)  # sent off the request thread
    time.sleep(0.2)  # and nothing else follows
    messages = queue_messages()
    assert [m["headers"]["task"] for m in messages] == ["diary.tasks.insights_recompute"]
    assert messages[0]["headers"]["argsrepr"] == repr((sorted([alice.pk, bob.pk]),))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_asks_for_no_recompute(queue_messages, fastpath):
    """Neither a transaction rolled back nor a savepoint rolled back inside one asks for its
    patient; the writes that commit are asked for, in one message."""
    alice, bob = PatientFactory.create_batch(2)
    with transaction.atomic():
        record(alice, today_of(alice))
        transaction.set_rollback(True)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record(alice, today_of(alice) - timedelta(days=1))
                raise RuntimeError("the savepoint rolls back")
        except RuntimeError:
            pass
        record(bob, today_of(bob))
    wait_for(queue_messages)
    time.sleep(0.2 + INSIGHTS_REQUEST_GATHER)  # and nothing else follows
    assert [m["headers"]["argsrepr"] for m in queue_messages()] == [repr(([bob.pk],))]
    with transaction.atomic():
        record(alice, today_of(alice))
    wait_for(lambda: len(queue_messages()) == 2)
    assert queue_messages()[-1]["headers"]["argsrepr"] == repr(([alice.pk],))


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("fastpath_on")
def test_the_transactions_of_a_moment_share_one_recompute_request(queue_messages):
    patients = PatientFactory.create_batch(4)
    for patient in patients:  # four saves, each in its own transaction, as four requests
        with transaction.atomic():
            record(patient, today_of(patient))
    wait_for(queue_messages)
    time.sleep(0.2 + INSIGHTS_REQUEST_GATHER)  # and nothing else follows
    messages = queue_messages()
    assert [m["headers"]["argsrepr"] for m in messages] == [repr((sorted(p.pk for p in patients),))]

    record(patients[0], today_of(patients[0]) - timedelta(days=1))  # later: a message of its own
    wait_for(lambda: len(queue_messages()) == 2)
    assert queue_messages()[-1]["headers"]["argsrepr"] == repr(([patients[0].pk],))


@pytest.mark.django_db(transaction=True)
def test_a_committed_write_is_recomputed_by_a_real_worker(queue_messages):
    patient = PatientFactory.create()
    record_opioid_on_ldn(patient)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        wait_for(lambda: PatientInsight.objects.filter(patient=patient).exists())
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is None
    assert Flag.objects.filter(patient=patient, kind="opioid_interaction", status="open").count() == 1


@pytest.fixture
def own_broker() -> Iterator[subprocess.Popen[bytes]]:
    """A Redis of this test's own as the broker, so the test can stop it."""
    with own_redis() as (server, port), broker_at(f"redis://127.0.0.1:{port}/0"):
        assert app.connection_for_write().port == port
        yield server


@pytest.mark.django_db(transaction=True)
def test_with_the_broker_stopped_the_write_is_saved_and_the_next_sweep_recomputes(own_broker, caplog, fastpath):
    patient = PatientFactory.create()
    own_broker.terminate()
    own_broker.wait()

    started = time.monotonic()
    record_opioid_on_ldn(patient)
    # The sender thread keeps the write from waiting for the broker; without it (fast paths
    # off) the write waits for the publish to give up, and is saved all the same.
    if fastpath:
        assert time.monotonic() - started < 1

    patient.refresh_from_db()
    assert patient.entries.count() == 1
    assert patient.insights_stale_since is not None
    wait_for(lambda: "recompute request not sent" in caplog.text)
    assert not PatientInsight.objects.filter(patient=patient).exists()

    assert insights_sweep() == 1  # the periodic sweep, as beat would run it
    patient.refresh_from_db()
    assert patient.insights_stale_since is None
    assert PatientInsight.objects.filter(patient=patient).count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_store_one_insight_and_no_duplicate_flags():
    patients = PatientFactory.create_batch(12)
    for patient in patients:
        record_opioid_on_ldn(patient)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []
    done: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            done.append(service.insights_sweep(batch_size=5).stored)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sum(done) == len(patients)  # each patient was claimed by exactly one sweep
    assert PatientInsight.objects.count() == len(patients)
    assert Flag.objects.filter(kind="opioid_interaction").count() == len(patients)
    assert not Patient.objects.filter(insights_stale_since__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_workers_storing_the_same_patients_at_once_open_each_flag_once():
    """Even without the claim (a lease that expired mid-run), storing is serialised per patient."""
    patients = PatientFactory.create_batch(6)
    for patient in patients:
        record_opioid_on_ldn(patient)
    claimed = [service.Claimed(p.pk, Patient.objects.get(pk=p.pk).change_seq) for p in patients]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def recompute(batch: list[service.Claimed]) -> None:
        try:
            barrier.wait()
            service.insights_recompute_batch(batch)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=recompute, args=(order,)) for order in (claimed, claimed[::-1])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert PatientInsight.objects.count() == len(patients)
    assert Flag.objects.filter(kind="opioid_interaction").count() == len(patients)
    assert Flag.objects.values("patient", "kind").distinct().count() == Flag.objects.count()


@pytest.mark.django_db
def test_a_claim_is_exclusive_until_its_lease_runs_out(frozen):
    patient = PatientFactory.create()
    record(patient, today_of(patient))
    assert [c.patient_id for c in service.stale_claim()] == [patient.pk]
    assert service.stale_claim() == []  # claimed by a worker that is still running
    frozen.shift(settings.INSIGHTS_CLAIM_LEASE + timedelta(seconds=1))
    assert [c.patient_id for c in service.stale_claim()] == [patient.pk]  # that worker died


@pytest.mark.django_db
def test_recompute_twice_gives_the_same_rows(frozen):
    patient = PatientFactory.create()
    DoseLogFactory.create(patient=patient, date=today_of(patient) - timedelta(days=20))
    for back in range(40):
        record(patient, today_of(patient) - timedelta(days=back), OPIOID_DAY if back == 3 else None)

    def snapshot() -> Any:
        insight = PatientInsight.objects.get(patient=patient)
        flags = list(Flag.objects.filter(patient=patient).values_list("kind", "status", "evidence", "last_occurred_on"))
        return insight.data, insight.verdict, sorted(flags, key=str)

    service.insights_sweep()
    first = snapshot()
    assert [kind for kind, *_ in first[2]] == ["opioid_interaction"]  # something to compare
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now())
    assert service.insights_sweep().stored == 1
    assert snapshot() == first


@pytest.mark.django_db
def test_daily_job_marks_each_patient_once_their_own_date_has_moved_on(frozen):
    frozen.move_to("2026-11-21T09:00:00+00:00")  # 22:00 in Auckland, 01:00 in Los Angeles
    auckland = PatientFactory.create(time_zone="Pacific/Auckland")
    los_angeles = PatientFactory.create(time_zone="America/Los_Angeles")
    for patient in (auckland, los_angeles):
        record(patient, today_of(patient))
    service.insights_sweep()
    assert insights_daily() == 0  # nothing has moved on yet

    frozen.move_to("2026-11-21T11:30:00+00:00")  # 00:30 on the 22nd in Auckland; still the 21st in LA
    assert insights_daily() == 1
    assert Patient.objects.get(pk=auckland.pk).insights_stale_since is not None
    assert Patient.objects.get(pk=los_angeles.pk).insights_stale_since is None
    assert insights_daily() == 0  # already marked: not twice
    service.insights_sweep()
    assert PatientInsight.objects.get(patient=auckland).as_of == date(2026, 11, 22)

    frozen.move_to("2026-11-22T08:30:00+00:00")  # 00:30 on the 22nd in LA
    assert insights_daily() == 1
    assert Patient.objects.get(pk=los_angeles.pk).insights_stale_since is not None


@pytest.mark.django_db
def test_a_sweep_stops_at_its_time_budget_and_says_there_is_more():
    patients = PatientFactory.create_batch(3)
    for patient in patients:
        record(patient, today_of(patient))
    first = service.insights_sweep(batch_size=1, time_budget=0)
    assert (first.stored, first.more) == (1, True)
    rest = service.insights_sweep(batch_size=1)
    assert (rest.stored, rest.more) == (2, False)


# --- faults: a store that fails, a worker killed mid-store ----------------------------------

QUIET_WORKER = ("--without-heartbeat", "--without-gossip", "--without-mingle")


def lock_waiter(seconds: float = 20) -> int:
    """The server process of another connection to this database that waits for a row lock."""
    found: list[int] = []

    def waiting() -> bool:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # the statistics views are cached per transaction
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            found[:] = [pid for (pid,) in cursor.fetchall()]
        return len(found) == 1

    wait_for(waiting, seconds)
    return found[0]


def server_process_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row is not None and row[0] == 0


def analysed_then_changed(patient: Patient) -> None:
    """The patient has a stored insight, and a later write made it stale."""
    record_opioid_on_ldn(patient)
    assert service.insights_sweep().stored == 1
    record(patient, today_of(patient) - timedelta(days=1))
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is not None


@pytest.mark.postgres_only("row_locks")
@pytest.mark.django_db(transaction=True)
def test_a_recompute_whose_store_fails_gives_its_claim_back_for_the_next_sweep(queue_messages):
    """PostgreSQL restarted under a store: the worker's connection is terminated in the middle
    of the store's transaction (what a restart does to every connection). The task fails,
    and its claim goes with it: the next sweep recomputes the patient at once."""
    patient = PatientFactory.create()
    analysed_then_changed(patient)
    errors: list[BaseException] = []

    def worker() -> None:  # an in-process worker thread, with a connection of its own
        try:
            service.insights_recompute([patient.pk])
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=worker)
    with transaction.atomic():
        # The store waits for this row (its insight upsert): the test decides when it fails.
        PatientInsight.objects.select_for_update().get(patient=patient)
        thread.start()
        store = lock_waiter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [store])
    thread.join(30)

    assert [type(e) for e in errors] == [OperationalError]
    after = Patient.objects.get(pk=patient.pk)
    assert after.insights_stale_since is not None  # nothing was stored ...
    assert after.insights_claimed_at is None  # ... and nobody holds the patient
    assert service.insights_sweep().stored == 1
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is None


@pytest.mark.postgres_only("row_locks")
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_store_leaves_the_patient_to_the_sweep_a_minute_later(queue_messages):
    """A real `celery worker` process, SIGKILLed while its recompute waits in the store: its
    claim stays behind, and the first sweep a minute later recomputes the patient."""
    patient = PatientFactory.create()
    analysed_then_changed(patient)
    with own_redis() as (_, port), broker_at(f"redis://127.0.0.1:{port}/1"):
        worker = django_process(
            ["-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning", *QUIET_WORKER],
            CELERY_BROKER_URL=f"redis://127.0.0.1:{port}/1",
            REDIS_URL=f"redis://127.0.0.1:{port}/0",
        )
        try:
            with transaction.atomic():
                # The store waits for this row (its insight upsert): the test decides when it dies.
                PatientInsight.objects.select_for_update().get(patient=patient)
                insights_recompute.delay([patient.pk])  # as a write asks
                store = lock_waiter(60)  # the worker took it and waits in its store
                worker.send_signal(signal.SIGKILL)
                worker.wait()
            wait_for(lambda: server_process_gone(store))  # its transaction is rolled back
        finally:
            worker.kill()
            worker.wait()

    claimed = Patient.objects.get(pk=patient.pk)
    assert claimed.insights_stale_since is not None
    assert claimed.insights_claimed_at is not None  # the dead worker's claim
    assert service.insights_sweep().stored == 0  # its lease is still running
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=61), tick=False):
        assert service.insights_sweep().stored == 1  # the sweep a minute later
    assert Patient.objects.get(pk=patient.pk).insights_stale_since is None


@pytest.mark.django_db(transaction=True)
def test_a_transaction_that_asks_for_many_recomputes_registers_one_commit_callback():
    """The requests of one transaction share one batch, and the batch one on_commit callback
    (a seed asks thousands of times); every patient asked for is in it."""
    from diary.services.patients import insights_recompute_request

    patients = PatientFactory.create_batch(5)
    with transaction.atomic():
        for patient in patients:
            for _ in range(3):
                insights_recompute_request(patient.pk)
        assert len(connection.run_on_commit) == 1
        send: Any = connection.run_on_commit[0][1]  # the batch's bound send
        assert send.__self__.ids == {p.pk for p in patients}
