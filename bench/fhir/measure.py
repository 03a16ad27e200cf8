"""The child process of bench/fhir (production settings, the bench database).

python -m bench.fhir.measure seed      → one patient with a 365-day diary, written by seed_demo's generator
python -m bench.fhir.measure measure   → export timings, size and memory, as JSON
"""

from __future__ import annotations

import dataclasses
import json
import random
import statistics
import sys
import time
import tracemalloc
from typing import Any

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.write_path.harness import percentile  # noqa: E402
from diary.demo.generate import history_build  # noqa: E402
from diary.demo.profiles import PROFILES  # noqa: E402
from diary.demo.seed import patient_seed  # noqa: E402
from diary.models import Clinic, Clinician, DiaryEntry, DoseLog, Patient, User  # noqa: E402

ROUNDS = 30
WARM_UP = 3
# The demo's clear responder (migraine: features, triptans, side effects, a titration), on
# LDN for 48 weeks after a 29-day baseline: 365 diary days.
PROFILE = dataclasses.replace(PROFILES[0], key="bench-fhir", weeks_on_ldn=48, baseline_days=29)


def seed() -> dict[str, Any]:
    clinic = Clinic.objects.create(name="Bench clinic")
    user = User.objects.create(email="bench-clinician@example.org", display_name="Dr Bench")
    clinician = Clinician.objects.create(user=user, clinic=clinic)
    history = history_build(PROFILE, timezone.now(), random.Random("42:bench-fhir"))
    seeded = patient_seed(history, clinician, make_password("bench"))
    return {"entries": seeded.entries, "doses_taken": seeded.doses_taken, "doses_missed": seeded.doses_missed}


def measure() -> dict[str, Any]:
    patient = Patient.objects.select_related("user").get(user__email=PROFILE.email)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    client.force_login(patient.user)

    def export() -> tuple[float, float, float, bytes, int]:
        """(seconds to the first chunk, seconds to the last, CPU seconds of this process, the
        body, queries). The CPU time leaves out PostgreSQL's and other processes' share, so it
        moves less than the wall time when the machine is busy."""
        with CaptureQueriesContext(connection) as captured:
            cpu = time.process_time()
            started = time.perf_counter()
            response = client.get("/api/v1/me/export.fhir", secure=True)
            if response.status_code != 200:
                raise SystemExit(f"fhir bench: {response.status_code} {response.content[:300]!r}")
            chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
            parts = [next(chunks)]
            first = time.perf_counter() - started
            parts.extend(chunks)
            total = time.perf_counter() - started
            cpu = time.process_time() - cpu
        return first, total, cpu, b"".join(parts), len(captured.captured_queries)

    for _ in range(WARM_UP):
        export()
    firsts, totals, cpus, queries = [], [], [], set()
    body = b""
    for _ in range(ROUNDS):
        first, total, cpu, body, count = export()
        firsts.append(first * 1000)
        totals.append(total * 1000)
        cpus.append(cpu * 1000)
        queries.add(count)
    firsts.sort()
    totals.sort()
    bundle = json.loads(body)
    kinds: dict[str, int] = {}
    for entry in bundle["entry"]:
        kind = entry["resource"]["resourceType"]
        kinds[kind] = kinds.get(kind, 0) + 1

    tracemalloc.start()
    export()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "diary_days": DiaryEntry.objects.filter(patient=patient).count(),
        "dose_logs": DoseLog.objects.filter(patient=patient).count(),
        "rounds": ROUNDS,
        "first_chunk_p50_ms": statistics.median(firsts),
        "total_p50_ms": statistics.median(totals),
        "total_p95_ms": percentile(totals, 95),
        "total_max_ms": totals[-1],
        "cpu_p50_ms": statistics.median(cpus),
        "queries": sorted(queries),
        "bytes": len(body),
        "resources": kinds,
        "peak_python_memory_mib": peak / 2**20,
    }


if __name__ == "__main__":
    print(json.dumps(seed() if sys.argv[1:] == ["seed"] else measure()))
