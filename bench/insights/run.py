"""bench/insights: a full recompute of every patient through the real Celery task, against a lower bound.

    LDN_ENV=test scripts/with-services.sh .venv/bin/python -m bench.insights.run   (or: make bench)

1. Create a separate database (`ldn_bench_insights`) in the DATABASE_URL server, migrate
   it, and load N patients × 365 days in SQL (seed.py).
2. Start a Celery worker (prefork, one process per core) on the real Redis broker, with the
   production settings, against that database.
3. For the small and the large set of patients:
   a. lower bound (lower_bound.py): the same rows read with plain psycopg and the pure
      analysis, in as many processes as the worker has; nothing written;
   b. the real path: mark the patients stale, send one `insights_sweep` task per worker
      process, and time until no patient is stale. It runs twice: the first computes
      every patient's insight, flags and verdict history for the first time (inserts),
      the second is the steady-state recompute (replacing rows); the goals use the second.
4. Print the table and PASS/FAIL against the goals; write bench/results/insights.json.

Goals (issue 3): total time ≤ 1.5 × the lower bound; the large set (10,000) takes
≤ 11 × the time of the small one (1,000).

Exit status: 0 all goals met, 1 a goal missed, 2 the bench could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from celery import Celery

from bench.insights import lower_bound, seed
from bench.write_path.harness import (
    assert_loopback,
    drop_database,
    machine,
    production_env,
    recreate_database,
    with_database,
)
from bench.write_path.phases import wait_quiet

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "ldn_bench_insights"
RATIO_GOAL = 1.5
GROWTH_GOAL = 11.0
CHUNK = 100  # patients per batch, as the sweep claims them (diary.services.insights.BATCH_SIZE)


def log(message: str) -> None:
    print(f"[insights {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Scale:
    patients: int
    lower_bound_s: float
    first_compute_s: float
    recompute_s: float

    @property
    def ratio(self) -> float:
        return self.recompute_s / self.lower_bound_s

    @property
    def per_second(self) -> float:
        return self.patients / self.recompute_s


class Worker:
    """`celery worker` with one prefork process per core, on the bench database."""

    def __init__(self, env: dict[str, str], processes: int, log_path: Path) -> None:
        self.log_file = log_path.open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "--pool",
                "prefork",
                "--concurrency",
                str(processes),
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, app: Celery, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"insights: the worker exited with {self.process.returncode}")
            if app.control.ping(timeout=1.0):
                return
        raise SystemExit("insights: the worker did not answer a ping within a minute")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log_file.close()


def mark_stale(dsn: str, patients: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE diary_patient SET insights_stale_since = now(), insights_claimed_at = NULL WHERE id <= %s",
            (patients,),
        )
        conn.execute("VACUUM ANALYZE diary_patient")


def stale_count(conn: psycopg.Connection[Any]) -> int:
    row = conn.execute("SELECT count(*) FROM diary_patient WHERE insights_stale_since IS NOT NULL").fetchone()
    return int(row[0]) if row else 0


def measure_tasks(app: Celery, dsn: str, patients: int, processes: int) -> float:
    """Seconds from sending the sweeps until no patient is stale."""
    mark_stale(dsn, patients)
    wait_quiet()
    with psycopg.connect(dsn, autocommit=True) as conn:
        started = time.perf_counter()
        for _ in range(processes):
            app.send_task("diary.tasks.insights_sweep")
        while stale_count(conn):
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        row = conn.execute("SELECT count(*) FROM diary_patientinsight WHERE patient_id <= %s", (patients,)).fetchone()
    if not row or row[0] != patients:
        raise SystemExit(f"insights: expected {patients} insights, found {row[0] if row else 0}")
    return elapsed


def measure_lower_bound(dsn: str, patients: int, processes: int) -> float:
    wait_quiet()
    elapsed, done = lower_bound.measure(dsn, list(range(1, patients + 1)), processes, CHUNK)
    if done != patients:
        raise SystemExit(f"insights: the lower bound analysed {done} of {patients} patients")
    return elapsed


def summary_of(dsn: str) -> dict[str, Any]:
    with psycopg.connect(dsn) as conn:
        verdicts: dict[str, int] = dict(
            conn.execute("SELECT verdict, count(*) FROM diary_patientinsight GROUP BY 1").fetchall()
        )
        flags: dict[str, int] = dict(
            conn.execute("SELECT kind, count(*) FROM diary_flag WHERE status <> 'resolved' GROUP BY 1")
        )
    return {"verdicts": verdicts, "open_flags": flags}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000, help="the large set (default 10,000)")
    parser.add_argument("--small", type=int, default=1_000, help="the small set (default 1,000)")
    parser.add_argument("--processes", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    admin_url = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not admin_url.startswith("postgres") or not broker.startswith("redis://"):
        log("needs DATABASE_URL (PostgreSQL) and CELERY_BROKER_URL (Redis): run it through make bench")
        return 2
    assert_loopback(admin_url)
    assert_loopback(broker)
    database_url = with_database(admin_url, BENCH_DB)
    dsn = database_url.replace("postgres://", "postgresql://", 1)

    recreate_database(admin_url.replace("postgres://", "postgresql://", 1), BENCH_DB)
    var_dir = Path(tempfile.mkdtemp(prefix="ldn-bench-insights-"))
    env = production_env(database_url, var_dir)
    env["CELERY_BROKER_URL"] = broker
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    log(f"loading {args.patients} patients × {seed.DAYS} days ...")
    started = time.perf_counter()
    counts = seed.seed(dsn, args.patients, date.today())  # noqa: DTZ011 - the server's today, as the app uses
    log(f"loaded in {time.perf_counter() - started:.0f} s: {counts}")

    app = Celery(broker=broker)
    worker = Worker(env, args.processes, var_dir / "worker.log")
    results: list[Scale] = []
    try:
        worker.wait_ready(app)
        # Warm every worker process (imports, first connection) before the clock starts.
        for _ in range(4 * args.processes):
            app.send_task("diary.tasks.insights_sweep")
        time.sleep(5)
        for patients in (args.small, args.patients):
            lower = measure_lower_bound(dsn, patients, args.processes)
            log(f"{patients} patients: lower bound {lower:.1f} s")
            first = measure_tasks(app, dsn, patients, args.processes)
            log(f"{patients} patients: first compute through the tasks {first:.1f} s")
            again = measure_tasks(app, dsn, patients, args.processes)
            log(f"{patients} patients: recompute through the tasks {again:.1f} s")
            results.append(Scale(patients, lower, first, again))
    finally:
        worker.stop()
    outcome = summary_of(dsn)
    if not args.keep:
        drop_database(admin_url.replace("postgres://", "postgresql://", 1), BENCH_DB)

    small, large = results
    growth = large.recompute_s / small.recompute_s
    ratio_ok = large.ratio <= RATIO_GOAL
    growth_ok = growth <= GROWTH_GOAL
    print()
    print("| patients | lower bound | first compute | recompute | patients/s | recompute ÷ lower bound |")
    print("|---:|---:|---:|---:|---:|---:|")
    for s in results:
        print(
            f"| {s.patients:,} | {s.lower_bound_s:.1f} s | {s.first_compute_s:.1f} s | {s.recompute_s:.1f} s "
            f"| {s.per_second:.0f} | {s.ratio:.2f} |"
        )
    print()
    print(
        f"goal: recompute ≤ {RATIO_GOAL} × lower bound ({large.patients:,} patients): {large.ratio:.2f} "
        f"{'PASS' if ratio_ok else 'FAIL'}"
    )
    print(
        f"goal: {large.patients:,} ≤ {GROWTH_GOAL} × {small.patients:,}: {growth:.2f} {'PASS' if growth_ok else 'FAIL'}"
    )
    print(f"verdicts: {outcome['verdicts']}")
    print(f"open flags: {outcome['open_flags']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "insights.json").write_text(
        json.dumps(
            {
                "machine": machine(dsn if args.keep else admin_url.replace("postgres://", "postgresql://", 1)),
                "processes": args.processes,
                "rows": counts,
                "scales": [asdict(s) | {"ratio": s.ratio, "per_second": s.per_second} for s in results],
                "growth": growth,
                "goals": {"ratio": ratio_ok, "growth": growth_ok},
                **outcome,
            },
            indent=2,
            default=str,
        )
    )
    return 0 if ratio_ok and growth_ok else 1


if __name__ == "__main__":
    sys.exit(main())
