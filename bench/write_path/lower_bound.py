"""The lower bound: the same upserts straight through psycopg, no HTTP and no Django.

One transaction per operation, as little as writes the same diary rows:

    INSERT INTO diary_diaryentry (...) VALUES (...)
      ON CONFLICT (patient_id, date) DO UPDATE SET ..., version = version + 1 RETURNING id
    DELETE FROM diary_sideeffect / diary_acutemedication WHERE entry_id = ...
    INSERT INTO diary_sideeffect / diary_acutemedication ... (the day's child rows, if any)
    COMMIT

The pghistory triggers on those tables fire here exactly as they do for the app. What the
app does on top (patient row lock and change counter, revision row, re-reading the entry
for the response, sessions, auth) is what the ratio measures.

Clients run as threads, each with its own connection, spread over one process per CPU so
the client side is not held to one core by the GIL.
"""

from __future__ import annotations

import multiprocessing as mp
import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

from bench.write_path.workload import Op

ENTRY_COLUMNS = (
    "pain_score",
    "headache",
    "migraine",
    "sleep_quality",
    "headache_hours",
    "one_sided",
    "pulsating",
    "worse_with_activity",
    "nausea_vomiting",
    "light_sensitivity",
    "sound_sensitivity",
    "aura_minutes",
    "note",
    "client_id",
)
UPSERT = f"""
INSERT INTO diary_diaryentry
  (patient_id, date, {", ".join(ENTRY_COLUMNS)}, version, late, seq, created_at, updated_at)
VALUES (%s, %s, {", ".join("%s" for _ in ENTRY_COLUMNS)}, 1, %s, 0, now(), now())
ON CONFLICT (patient_id, date) DO UPDATE SET
  {", ".join(f"{c} = EXCLUDED.{c}" for c in ENTRY_COLUMNS if c != "client_id")},
  client_id = COALESCE(EXCLUDED.client_id, diary_diaryentry.client_id),
  version = diary_diaryentry.version + 1,
  updated_at = EXCLUDED.updated_at
RETURNING id
"""
DELETE_SIDE_EFFECTS = "DELETE FROM diary_sideeffect WHERE entry_id = %s"
DELETE_MEDICATIONS = "DELETE FROM diary_acutemedication WHERE entry_id = %s"
INSERT_SIDE_EFFECT = (
    "INSERT INTO diary_sideeffect (entry_id, kind, severity, limited_activities, other_text)"
    " VALUES (%s, %s, %s, %s, %s)"
)
INSERT_MEDICATION = (
    "INSERT INTO diary_acutemedication (entry_id, med_class, name, for_headache, contains_opioid)"
    " VALUES (%s, %s, %s, %s, %s)"
)
LATE_AFTER_DAYS = 2  # settings.LATE_ENTRY_AFTER_DAYS


@dataclass(frozen=True)
class Row:
    entry: tuple[Any, ...]
    side_effects: list[tuple[Any, ...]]
    medications: list[tuple[Any, ...]]


@dataclass
class Result:
    latencies: list[float]
    errors: int
    error_samples: list[str]
    wall: float


def rows_for(patient_id: int, ops: list[Op], today: date) -> list[Row]:
    rows = []
    for op in ops:
        body = op.body
        values = [body.get(c, "" if c == "note" else None) for c in ENTRY_COLUMNS]
        late = (today - op.day).days > LATE_AFTER_DAYS
        rows.append(
            Row(
                entry=(patient_id, op.day, *values, late),
                side_effects=[
                    (se["kind"], se["severity"], se.get("limited_activities", False), se.get("other_text", ""))
                    for se in body.get("side_effects", [])
                ],
                medications=[
                    (m["med_class"], m.get("name", ""), m["for_headache"], m["contains_opioid"])
                    for m in body.get("acute_medications", [])
                ],
            )
        )
    return rows


def _client(dsn: str, rows: list[Row], barrier: Any, out: list[Any]) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    with psycopg.connect(dsn) as conn:
        barrier.wait()
        for row in rows:
            started = time.perf_counter()
            try:
                with conn.transaction(), conn.cursor() as cur:
                    cur.execute(UPSERT, row.entry)
                    fetched = cur.fetchone()
                    assert fetched is not None
                    entry_id = fetched[0]
                    cur.execute(DELETE_SIDE_EFFECTS, (entry_id,))
                    cur.execute(DELETE_MEDICATIONS, (entry_id,))
                    if row.side_effects:
                        cur.executemany(INSERT_SIDE_EFFECT, [(entry_id, *se) for se in row.side_effects])
                    if row.medications:
                        cur.executemany(INSERT_MEDICATION, [(entry_id, *m) for m in row.medications])
            except psycopg.Error as exc:
                errors.append(repr(exc))
            latencies.append(time.perf_counter() - started)
    out.append((latencies, errors, time.perf_counter()))


def _process(dsn: str, clients: list[list[Row]], barrier: Any, queue: Any) -> None:
    out: list[Any] = []
    threads = [threading.Thread(target=_client, args=(dsn, rows, barrier, out)) for rows in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put(out)


def run(dsn: str, clients: list[list[Row]], processes: int) -> Result:
    """Each inner list is one client's rows, written in order on its own connection."""
    ctx = mp.get_context("fork")
    processes = max(1, min(processes, len(clients)))
    groups = [clients[index::processes] for index in range(processes)]
    barrier = ctx.Barrier(len(clients) + 1)
    queue = ctx.Queue()
    workers = [ctx.Process(target=_process, args=(dsn, group, barrier, queue)) for group in groups]
    for worker in workers:
        worker.start()
    try:
        barrier.wait(timeout=60)
        started = time.perf_counter()
        outs = [queue.get(timeout=600) for _ in workers]
    finally:
        for worker in workers:
            worker.join(timeout=10)
            if worker.is_alive():
                worker.kill()
    latencies: list[float] = []
    samples: list[str] = []
    errors = 0
    ended = started
    for out in outs:
        for client_latencies, client_errors, client_ended in out:
            latencies += client_latencies
            errors += len(client_errors)
            samples += client_errors[: max(0, 5 - len(samples))]
            ended = max(ended, client_ended)
    return Result(latencies=latencies, errors=errors, error_samples=samples, wall=ended - started)
