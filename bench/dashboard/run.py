"""bench/dashboard: the clinician dashboard's reads at 100 and 1,000 linked patients.

    LDN_ENV=test scripts/with-services.sh .venv/bin/python -m bench.dashboard.run   (or: make bench)

1. Create a separate database (`ldn_bench_dashboard`) in the DATABASE_URL server, migrate
   it, and load 1,000 patients × 365 diary days in SQL (bench/insights/seed.py: plans,
   doses, side effects, medicines). Link every patient to the "Bench clinic", and the first
   100 also to a "Small clinic" with its own clinician (so both sizes share one database).
2. Analyse every patient with the real engine, in bulk (`insights_sweep` in one process:
   the worker's own path; verdicts, flags and summaries as in production).
3. In a child process with the production settings (measure.py), through Django's test
   client (in-process: the whole Django and DRF stack and the database, no HTTP server),
   for each clinic: the triage list (first page, 100 rows), the patient page's three reads
   (`patients/{id}`, `patients/{id}/insights`, `patients/{id}/entries` for 90 days) for 40
   patients, and the clinic outcomes; p50/p95 server time and the query count of each
   (CaptureQueriesContext).
4. Print the table and PASS/FAIL; write bench/results/dashboard.json.

Goals: the query count of every read is the same at 100 and 1,000 patients (issue 6); the
triage list (issue 6) and the clinic outcomes (issue 17) at 1,000 patients each have a p95
within 2 × their p95 at 100.

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
from datetime import date
from pathlib import Path

import psycopg

from bench.insights import seed
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
BENCH_DB = "ldn_bench_dashboard"
GROWTH_GOAL = 2.0
# The reads whose p95 at the large clinic must stay within GROWTH_GOAL × the small clinic's.
GROWTH_READS = ("triage", "outcomes")

LINK_SQL = """
INSERT INTO diary_clinic (name, created_at) VALUES ('Small clinic', now());
INSERT INTO diary_user (password, is_superuser, email, display_name, is_active, is_staff, date_joined)
VALUES ('!', false, 'bench-small-clinician@example.org', 'Small clinician', true, false, now());
INSERT INTO diary_clinician (user_id, clinic_id, created_at, is_clinic_admin)
SELECT u.id, c.id, now(), false FROM diary_user u, diary_clinic c
WHERE u.email = 'bench-small-clinician@example.org' AND c.name = 'Small clinic';
INSERT INTO diary_carelink (public_id, clinic_id, clinician_id, patient_id, status, invited_at, expires_at,
                            invitee_note, consented_at)
SELECT gen_random_uuid(), cl.clinic_id, cl.id, p.id, 'active', now(), now(), '', now()
FROM diary_patient p JOIN diary_clinician cl ON cl.clinic_id = (SELECT min(id) FROM diary_clinic);
INSERT INTO diary_carelink (public_id, clinic_id, clinician_id, patient_id, status, invited_at, expires_at,
                            invitee_note, consented_at)
SELECT gen_random_uuid(), cl.clinic_id, cl.id, p.id, 'active', now(), now(), '', now()
FROM diary_patient p JOIN diary_clinician cl ON cl.clinic_id = (SELECT max(id) FROM diary_clinic)
WHERE p.id IN (SELECT id FROM diary_patient ORDER BY id LIMIT %(small)s);
UPDATE diary_patient SET insights_stale_since = now();
"""


def log(message: str) -> None:
    print(f"[dashboard {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def link(dsn: str, small: int) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        with conn.transaction():
            for statement in LINK_SQL.split(";\n"):
                if statement.strip():
                    conn.execute(statement, {"small": small})
        conn.execute("VACUUM ANALYZE diary_carelink, diary_patient")


def django(module: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    sys.stderr.write(done.stderr)
    return done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=1_000, help="the large clinic (default 1,000)")
    parser.add_argument("--small", type=int, default=100, help="the small clinic (default 100)")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = parser.parse_args()

    admin_url = os.environ.get("DATABASE_URL", "")
    if not admin_url.startswith("postgres"):
        log("needs DATABASE_URL (PostgreSQL): run it through make bench")
        return 2
    assert_loopback(admin_url)
    database_url = with_database(admin_url, BENCH_DB)
    dsn = database_url.replace("postgres://", "postgresql://", 1)
    admin_dsn = admin_url.replace("postgres://", "postgresql://", 1)

    recreate_database(admin_dsn, BENCH_DB)
    var_dir = Path(tempfile.mkdtemp(prefix="ldn-bench-dashboard-"))
    env = production_env(database_url, var_dir)
    env["OPENBLAS_NUM_THREADS"] = "1"
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    try:
        started = time.perf_counter()
        counts = seed.seed(dsn, args.patients, date.today())  # noqa: DTZ011 - the server's today, as the app uses
        link(dsn, args.small)
        seeded = time.perf_counter() - started
        log(f"loaded {args.patients} patients × {seed.DAYS} days in {seeded:.0f} s: {counts}")
        started = time.perf_counter()
        analysed = json.loads(django("bench.dashboard.measure", env, "analyse"))
        analyse_s = time.perf_counter() - started
        log(f"analysed {analysed['stored']} patients with the real engine in {analyse_s:.0f} s")
        wait_quiet()
        results = json.loads(django("bench.dashboard.measure", env, "measure"))
        log(f"measured: {json.dumps(results)}")
    finally:
        if not args.keep:
            drop_database(admin_dsn, BENCH_DB)

    small, large = results["Small clinic"], results["Bench clinic"]
    rows = []
    goals: dict[str, bool] = {}
    for name in [key for key, value in small.items() if isinstance(value, dict)]:
        s, big = small[name], large[name]
        same = s["queries"] == big["queries"]
        goals[f"{name}: queries independent of patients"] = same
        rows.append(
            f"| {name} | {s['queries']} / {big['queries']} | {s['p50_ms']:.1f} / {big['p50_ms']:.1f} "
            f"| {s['p95_ms']:.1f} / {big['p95_ms']:.1f} |"
        )
    growth = {read: large[read]["p95_ms"] / small[read]["p95_ms"] for read in GROWTH_READS}
    for read, ratio in growth.items():
        goals[f"{read} p95 at {args.patients:,} ≤ {GROWTH_GOAL} × at {args.small:,}"] = ratio <= GROWTH_GOAL
    print()
    print(f"| read | queries ({args.small:,} / {args.patients:,}) | p50 ms | p95 ms |")
    print("|---|---:|---:|---:|")
    print("\n".join(rows))
    print()
    for read, ratio in growth.items():
        s, big = small[read], large[read]
        print(
            f"{read}: p50 {s['p50_ms']:.1f} / {big['p50_ms']:.1f} ms, p95 {s['p95_ms']:.1f} / {big['p95_ms']:.1f} ms "
            f"at {args.small:,} / {args.patients:,} patients; p95 growth {ratio:.2f} × (goal ≤ {GROWTH_GOAL})"
        )
    for goal, ok in goals.items():
        print(f"goal: {goal}: {'PASS' if ok else 'FAIL'}")
    print(f"verdicts: {results['verdicts']}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "dashboard.json").write_text(
        json.dumps(
            {
                "machine": machine(admin_dsn),
                "rows": counts,
                "seed_s": seeded,
                "analyse_s": analyse_s,
                "results": results,
                "p95_growth": growth,
                "goals": goals,
            },
            indent=2,
            default=str,
        )
    )
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
