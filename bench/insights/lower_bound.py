"""The lower bound: read the same rows with plain psycopg, and run the pure analysis.

No Django, no ORM, no Celery, nothing written back: what any recompute of these patients
must at least do. Each process takes chunks of patient ids from a shared list (as the
sweep takes batches) and reads each chunk with one query per table, like
``diary.selectors.histories_load``.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from diary.analysis.engine import analyse
from diary.analysis.history import PatientHistory, PlanRow, ReportedBaselineRow, StepRow

ENTRIES = """SELECT patient_id, date, pain_score, headache, migraine, sleep_quality, headache_hours::float8,
  one_sided, pulsating, worse_with_activity, nausea_vomiting, light_sensitivity, sound_sensitivity, aura_minutes
  FROM diary_diaryentry WHERE patient_id = ANY(%s)"""
SIDE_EFFECTS = """SELECT e.patient_id, e.date, s.kind, s.severity, s.limited_activities
  FROM diary_sideeffect s JOIN diary_diaryentry e ON e.id = s.entry_id WHERE e.patient_id = ANY(%s)"""
MEDICATIONS = """SELECT e.patient_id, e.date, m.med_class, m.for_headache, m.contains_opioid
  FROM diary_acutemedication m JOIN diary_diaryentry e ON e.id = m.entry_id WHERE e.patient_id = ANY(%s)"""
DOSES = "SELECT patient_id, date, taken, mg::float8, time_of_day FROM diary_doselog WHERE patient_id = ANY(%s)"
PLANS = """SELECT DISTINCT ON (patient_id) id, patient_id, target_mg::float8, decision_weeks, stopped_on, stop_reason
  FROM diary_doseplan WHERE patient_id = ANY(%s) ORDER BY patient_id, created_at DESC, id DESC"""
STEPS = """SELECT plan_id, start_date, mg::float8, time_of_day
  FROM diary_dosestep WHERE plan_id = ANY(%s) ORDER BY plan_id, start_date"""
BASELINES = """SELECT patient_id, monthly_headache_days::float8, monthly_migraine_days::float8, mean_pain::float8
  FROM diary_reportedbaseline WHERE patient_id = ANY(%s)"""
PATIENTS = "SELECT id, time_zone, primary_condition FROM diary_patient WHERE id = ANY(%s)"

_state: dict[str, Any] = {}


def _grouped(conn: psycopg.Connection[Any], sql: str, ids: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in conn.execute(sql, (ids,)).fetchall():
        grouped[row[0]].append(row[1:])
    return grouped


def analyse_chunk(ids: list[int]) -> int:
    conn = _state.get("conn")
    if conn is None:
        conn = _state["conn"] = psycopg.connect(_state["dsn"])
    now = _state["now"]
    entries = _grouped(conn, ENTRIES, ids)
    side_effects = _grouped(conn, SIDE_EFFECTS, ids)
    medications = _grouped(conn, MEDICATIONS, ids)
    doses = _grouped(conn, DOSES, ids)
    plans = {row[1]: row for row in conn.execute(PLANS, (ids,))}
    steps: dict[int, list[StepRow]] = defaultdict(list)
    for plan_id, start, mg, tod in conn.execute(STEPS, ([p[0] for p in plans.values()],)):
        steps[plan_id].append(StepRow(start, mg, tod))
    baselines = {row[0]: ReportedBaselineRow(*row[1:]) for row in conn.execute(BASELINES, (ids,))}
    done = 0
    for pk, tz, condition in conn.execute(PATIENTS, (ids,)).fetchall():
        plan = plans.get(pk)
        history = PatientHistory(
            as_of=now.astimezone(ZoneInfo(tz)).date(),
            condition=condition,
            entries=entries.get(pk, []),
            side_effects=side_effects.get(pk, []),
            medications=medications.get(pk, []),
            doses=doses.get(pk, []),
            plan=None if plan is None else PlanRow(plan[2], plan[3], plan[4], plan[5], tuple(steps[plan[0]])),
            reported_baseline=baselines.get(pk),
        )
        analyse(history)
        done += 1
    return done


def _init(dsn: str, now: datetime) -> None:
    _state.clear()
    _state.update(dsn=dsn, now=now)


def measure(dsn: str, patient_ids: list[int], processes: int, chunk: int) -> tuple[float, int]:
    """Wall seconds to read and analyse every patient with `processes` processes."""
    chunks = [patient_ids[i : i + chunk] for i in range(0, len(patient_ids), chunk)]
    context = multiprocessing.get_context("spawn")  # a clean process: no locks or threads inherited
    now = datetime.now(UTC)
    with context.Pool(processes, initializer=_init, initargs=(dsn, now)) as pool:
        pool.map(_noop, range(processes))  # processes started and warm before the clock starts
        started = time.perf_counter()
        done = sum(pool.imap_unordered(analyse_chunk, chunks))
        elapsed = time.perf_counter() - started
    return elapsed, done


def _noop(_: int) -> None:
    return None
