"""Demo data: a clinic, its clinician, an admin, and patients with months of diaries.

`make run` calls `seed_demo --if-empty` on every start, and `seed_demo --print-logins`
for the banner. The data lives in `diary/demo/`: `profiles` (who), `generate` (their
diaries, without the database: `history_build`), `seed` (written through the real
services: `demo_seed`, `patient_seed`). The same seed and today give the same diaries.
"""

from __future__ import annotations

import argparse
import time as clock
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from diary.demo.profiles import ADMIN_EMAIL, CLINIC_NAME, CLINICIAN_EMAIL, DEMO_PASSWORD
from diary.demo.seed import Seeded, demo_delete, demo_present, demo_seed, logins
from diary.services.insights import insights_sweep


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Create a demo clinic, clinician, admin and patients with months of realistic diaries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo clinic exists.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--today", type=_iso_date, default=None, help="The demo's today, YYYY-MM-DD (default: today)."
        )
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_logins"]:
            self.stdout.write("\n".join(logins()))
            return
        started = clock.perf_counter()
        # One transaction: a failed run leaves nothing behind, so --if-empty never
        # skips over half a demo. Each patient is a savepoint inside it.
        with transaction.atomic():
            if options["reset"]:
                removed = demo_delete()
                self.stdout.write(f"Deleted the demo data ({removed} patients).")
            elif demo_present():
                if options["if_empty"]:
                    self.stdout.write("Demo data already present; nothing to do.")
                    return
                raise CommandError("Demo data already exists: use --reset to replace it (or --if-empty to skip).")
            self.stdout.write(f"Seeding demo data (seed {options['seed']}) ...")
            seeded = demo_seed(seed=options["seed"], today=options["today"], progress=self._progress)
        # Analyse the demo now, so the dashboards have something to show before a worker runs.
        swept = insights_sweep()
        self.stdout.write(
            f"Done in {clock.perf_counter() - started:.1f} s: {CLINIC_NAME}, {CLINICIAN_EMAIL}, {ADMIN_EMAIL} "
            f"and {len(seeded)} patients (password for all: {DEMO_PASSWORD}); insights for {swept.stored} patients."
        )

    def _progress(self, seeded: Seeded) -> None:
        p = seeded.profile
        self.stdout.write(
            f"  {p.email:<36} {p.label:<34} {seeded.first_day} → {seeded.today}: {seeded.entries} entries "
            f"({seeded.late_entries} late), {seeded.doses_taken} doses taken, {seeded.doses_missed} missed"
        )
