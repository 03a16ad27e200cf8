"""Timing of ``analyse`` on synthetic patient-years (not a test: run it by hand).

OPENBLAS_NUM_THREADS=1 .venv/bin/python -m tests.diary.analysis.timing
"""

from __future__ import annotations

import random
import time
from datetime import timedelta

from diary.analysis.engine import analyse
from diary.analysis.history import PatientHistory
from tests.diary.analysis.helpers import AS_OF, dose, entry, make_history, med, plan, side_effect

PATIENTS = 300
REPEATS = 5


def patient(seed: int) -> PatientHistory:
    """365 days, ~10% missing, titration 1.5 → 3 → 4.5 mg from day 40, ~90% adherence."""
    r = random.Random(seed)
    start = AS_OF - timedelta(days=364)
    first = start + timedelta(days=40)
    entries, doses, meds, effects = [], [], [], []
    for i in range(365):
        d = start + timedelta(days=i)
        if r.random() < 0.1:
            continue
        level = r.choice([0, 0, 0, 1, 2, 3])
        entries.append(
            entry(
                d,
                pain=r.randint(0, 10),
                headache=level,
                migraine=r.random() < 0.3 if level else None,
                sleep=r.randint(0, 10),
                hours=r.choice([None, 2.0]),
                nausea=r.choice([None, True, False]),
            )
        )
        if d >= first:
            days_on = (d - first).days
            mg = 1.5 if days_on < 14 else 3.0 if days_on < 28 else 4.5
            doses.append(dose(d, mg, r.choice(["bedtime", "morning"]), taken=r.random() < 0.9))
        if level and r.random() < 0.4:
            meds.append(med(d, r.choice(["triptan", "non_opioid_analgesic", "combination_analgesic"])))
        if r.random() < 0.15:
            effects.append(
                side_effect(d, r.choice(["vivid_dreams", "insomnia", "headache", "nausea"]), r.randint(1, 3))
            )
    steps = [(first, 1.5), (first + timedelta(days=14), 3.0), (first + timedelta(days=28), 4.5)]
    return make_history(r.choice(["migraine", "fibromyalgia"]), entries, doses, meds, effects, plan(steps))


def main() -> None:
    histories = [patient(s) for s in range(PATIENTS)]
    analyse(histories[0])  # imports and caches warm
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        for history in histories:
            analyse(history)
        best = min(best, (time.perf_counter() - started) / PATIENTS)
    print(f"{best * 1000:.2f} ms per patient-year (best of {REPEATS} runs of {PATIENTS} patients)")  # noqa: T201


if __name__ == "__main__":
    main()
