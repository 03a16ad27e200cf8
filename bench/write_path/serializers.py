"""CPU of the diary save's serializers with their fast path (api/fastpath.py) and without:
EntryIn validating a day's body, EntryOut writing a stored day. In one process under the
production settings, `time.process_time`, the two ways alternated in paired runs; the
medians, and what the fast path saves per PUT (one validation and one answer).

    LDN_ENV=test scripts/with-services.sh .venv/bin/python -m bench.write_path.serializers [--n 3000] [--runs 5]

A diagnostic for diary/fastpath/README.md (does the shortcut still earn its place?), not a
goal: it writes bench/results/serializers.json and exits 0.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import date
from typing import Any

from bench.write_path.harness import drop_database, log, migrated_database, results_write, run_python

DATABASE = "ldn_bench_serializers"


def measure(n: int, runs: int) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction

    from api.serializers.common import service_input
    from api.serializers.entries import EntryIn, EntryOut
    from bench.write_path.workload import entry_body
    from diary.models import DiaryEntry, User
    from diary.services.entries import entry_record
    from diary.services.inputs import EntryData
    from diary.services.patients import patient_create

    rng = random.Random(1)
    bodies = [entry_body(rng) for _ in range(50)]
    with transaction.atomic():
        user = User.objects.create_user(email="serializers@bench.invalid", password=None)
        patient = patient_create(user)
        day = EntryIn(data={**bodies[0], "side_effects": [{"kind": "nausea", "severity": 2}]})
        day.is_valid(raise_exception=True)
        entry_record(patient=patient, day=date(2026, 11, 20), data=service_input(day, EntryData), actor=None)
        entry = DiaryEntry.objects.prefetch_related("side_effects", "acute_medications").get(patient=patient)

        def validate() -> None:
            for i in range(n):
                EntryIn(data=bodies[i % len(bodies)]).is_valid()

        def answer() -> None:
            for _ in range(n):
                _ = EntryOut(entry).data

        samples: dict[str, list[float]] = {}
        for _ in range(runs):
            for on in (True, False):
                settings.FASTPATH = on
                for name, work in (("EntryIn", validate), ("EntryOut", answer)):
                    started = time.process_time()
                    work()
                    micros = (time.process_time() - started) / n * 1e6
                    samples.setdefault(f"{name} {'on' if on else 'off'}", []).append(micros)
        transaction.set_rollback(True)
    medians = {key: round(statistics.median(values), 1) for key, values in samples.items()}
    saved = sum(medians[f"{name} off"] - medians[f"{name} on"] for name in ("EntryIn", "EntryOut"))
    return {"n": n, "runs": runs, "us_per_use_median": medians, "us_saved_per_put": round(saved, 1), "samples": samples}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=3000, help="uses per timed run")
    parser.add_argument("--runs", type=int, default=5, help="paired runs (on, off)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        results = measure(args.n, args.runs)
        results_write("serializers", results)
        print(json.dumps({k: v for k, v in results.items() if k != "samples"}, indent=2))
        return
    database = migrated_database(DATABASE)
    if database is None:
        log("serializers bench: needs PostgreSQL (DATABASE_URL)")
        sys.exit(2)
    admin_dsn, env = database
    try:
        run_python("bench.write_path.serializers", ["--measure", f"--n={args.n}", f"--runs={args.runs}"], env)
    finally:
        drop_database(admin_dsn, DATABASE)


if __name__ == "__main__":
    main()
