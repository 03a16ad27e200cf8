"""bench/reminders: 10,000 reminders due in the same minute, through the real dispatcher.

    LDN_ENV=test scripts/with-services.sh .venv/bin/python -m bench.reminders.run   (or: make bench)

1. Create a separate database (`ldn_bench_reminders`) in the DATABASE_URL server and
   migrate it. Start the loopback push service (tests/push_service.py) in its own process.
2. Seed N patients in five time zones, each with one reminder (half dose, with a plan and
   a tenth on the first day of a step; half diary) whose local time is the current UTC
   minute in the patient's zone, and one browser subscription (a P-256 key pair and an
   auth secret made as a browser makes them).
3. Lower bound, same concurrency: the same N messages encrypted (RFC 8291) and POSTed
   with VAPID to the same service through diary.notifications.webpush.push_send from a
   thread pool, with nothing else: no database, no decisions, no records. Its runs are
   interleaved with step 4's so outside load falls on both; fastest of --bound-runs.
4. The dispatcher: diary.services.reminders.reminders_dispatch_due() for that minute, as
   the beat task calls it. Before each run the ledger is emptied and next_fire_at reset.
   Timed from the call to its return; the best of --runs counts.
5. Check: the push service counted N distinct endpoints, the ledger has N `sent` rows, and
   sampled bodies decrypt (with the subscribers' private keys) to the expected text.
6. Print reminders per second, the ratio to the lower bound, PASS/FAIL against the goals;
   write bench/results/reminders.json.

Exit status: 0 all goals met, 1 a goal missed, 2 the bench could not run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

import psycopg

ROOT = Path(__file__).resolve().parents[2]
BENCH_DB = "ldn_bench_reminders"
ZONES = ("Europe/Berlin", "America/New_York", "Australia/Adelaide", "Asia/Kolkata", "UTC")

# Goals from the issue. Do not loosen them here: fix the app.
GOAL_MAX_SECONDS = 60.0  # all N delivered within a minute of the due minute
GOAL_MIN_RATIO = 0.5  # dispatcher rate / lower bound rate


def log(message: str) -> None:
    print(f"[reminders {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def admin_dsn(url: str) -> str:
    return with_database(url, "postgres").replace("postgres://", "postgresql://", 1)


def start_push_service() -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.push_service", "--keep", "200"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    port = int(process.stdout.readline().strip())
    return process, f"http://127.0.0.1:{port}"


def service_get(origin: str, path: str) -> Any:
    import requests

    return requests.get(origin + path, timeout=30).json()


def seed(count: int, origin: str, due: datetime) -> dict[str, tuple[Any, bytes]]:
    """N patients, reminders and subscriptions, in bulk. Returns the subscribers' keys by path."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from django.contrib.auth.hashers import make_password

    from diary.models import Clinic, Clinician, DosePlan, DoseStep, Patient, PushSubscription, Reminder, User
    from diary.notifications.webpush import b64url

    clinic = Clinic.objects.create(name="Bench clinic")
    clinician = Clinician.objects.create(
        user=User.objects.create(email="bench.clinician@example.org", password=make_password(None)), clinic=clinic
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [User(email=f"bench{i}@example.org", password=unusable) for i in range(count)], batch_size=2000
    )
    patients = Patient.objects.bulk_create(
        [Patient(user=u, time_zone=ZONES[i % len(ZONES)]) for i, u in enumerate(users)], batch_size=2000
    )
    reminders = []
    keys: dict[str, tuple[Any, bytes]] = {}
    subs = []
    plans = []
    for i, patient in enumerate(patients):
        local = due.astimezone(ZoneInfo(patient.time_zone))
        kind = "dose" if i % 2 == 0 else "diary"
        reminders.append(
            Reminder(patient=patient, kind=kind, local_time=local.time(), enabled=True, push=True, next_fire_at=due)
        )
        if kind == "dose":
            plans.append((patient, local.date(), i % 20 == 0))
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        path = f"/push/{i}"
        keys[path] = (private, auth)
        public = private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        subs.append(PushSubscription(patient=patient, endpoint=origin + path, p256dh=b64url(public), auth=b64url(auth)))
    Reminder.objects.bulk_create(reminders, batch_size=2000)
    PushSubscription.objects.bulk_create(subs, batch_size=2000)
    made = DosePlan.objects.bulk_create(
        [DosePlan(patient=p, created_by=clinician) for p, _, _ in plans], batch_size=2000
    )
    steps = []
    for plan, (_, today, new_step) in zip(made, plans, strict=True):
        steps.append(DoseStep(plan=plan, start_date=today - timedelta(days=14), mg="1.5"))
        if new_step:
            steps.append(DoseStep(plan=plan, start_date=today, mg="3.0"))
    DoseStep.objects.bulk_create(steps, batch_size=2000)
    return keys


def reset(due: datetime) -> None:
    from diary.models import PushSubscription, Reminder, ReminderDelivery

    ReminderDelivery.objects.all().delete()
    Reminder.objects.update(next_fire_at=due, snoozed_until=None, snooze_date=None)
    PushSubscription.objects.update(last_success_at=None, failure_count=0, last_failure="")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE diary_reminder, diary_reminderdelivery, diary_pushsubscription")


def lower_bound(concurrency: int) -> float:
    """Encrypt + POST alone for every subscription, same pool size and HTTP session shape."""
    from django.conf import settings

    from diary.models import PushSubscription
    from diary.notifications.webpush import PushConnections, Target, VapidSigner, push_send
    from diary.services.reminders import vapid_keys

    targets = [Target(s.endpoint, s.p256dh, s.auth) for s in PushSubscription.objects.order_by("pk")]
    payload = json.dumps(
        {"title": "Time for your evening dose", "tag": "ldn-dose-2026-11-21", "kind": "dose", "date": "2026-11-21"},
        separators=(",", ":"),
    ).encode()
    signer = VapidSigner(vapid_keys()[0], settings.VAPID_SUBJECT)
    connections = PushConnections(settings.REMINDER_PUSH_TIMEOUT)
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in pool.map(lambda t: push_send(t, payload, signer, connections), targets):
            pass
    wall = time.perf_counter() - started
    connections.close()
    return wall


def dispatch(due: datetime, concurrency: int) -> tuple[float, dict[str, int]]:
    from dataclasses import asdict

    from diary.services.reminders import Channels, reminders_dispatch_due

    started = time.perf_counter()
    channels = Channels(concurrency)
    try:
        report = reminders_dispatch_due(due, channels=channels)
    finally:
        channels.close()
    return time.perf_counter() - started, asdict(report)


def check_samples(origin: str, keys: dict[str, tuple[Any, bytes]]) -> int:
    """Decrypt the bodies the service kept; each must be one of the texts the dispatcher sends."""
    import base64

    import http_ece

    expected = {"Time for your evening dose", "Time to fill in your diary", "Tonight: the first dose of your new step"}
    checked = 0
    for sample in service_get(origin, "/samples"):
        private, auth = keys[sample["path"]]
        body = base64.urlsafe_b64decode(sample["body"] + "=" * (-len(sample["body"]) % 4))
        text = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth, version="aes128gcm"))
        if text["title"] not in expected:
            raise AssertionError(f"unexpected payload {text}")
        checked += 1
    return checked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16, help="send threads (REMINDER_SEND_CONCURRENCY)")
    parser.add_argument("--runs", type=int, default=3, help="dispatcher runs; the best counts")
    parser.add_argument("--bound-runs", type=int, default=3, help="lower-bound runs; the best counts")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results" / "reminders.json")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres") or urlsplit(url).hostname not in {"127.0.0.1", "localhost"}:
        log("needs DATABASE_URL on a loopback PostgreSQL (run it through scripts/with-services.sh)")
        return 2
    with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    os.environ["DATABASE_URL"] = with_database(url, BENCH_DB)
    os.environ.setdefault("LDN_ENV", "test")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["REMINDER_SEND_CONCURRENCY"] = str(args.concurrency)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from bench.write_path.harness import machine
    from diary.models import ReminderDelivery

    service, origin = start_push_service()
    try:
        call_command("migrate", verbosity=0)
        due = datetime.now(UTC).replace(second=0, microsecond=0)
        log(f"seeding {args.reminders} reminders due at {due:%Y-%m-%d %H:%M} UTC")
        keys = seed(args.reminders, origin, due)

        # Interleaved (bound, dispatcher, bound, …) so that load from outside the bench
        # falls on both alike; the best run of each counts.
        bounds = []
        runs = []
        for run in range(max(args.runs, args.bound_runs)):
            if run < args.bound_runs:
                before = service_get(origin, "/stats")["count"]
                wall = lower_bound(args.concurrency)
                bounds.append(wall)
                bound_received = service_get(origin, "/stats")["count"] - before
                if bound_received != args.reminders:
                    raise RuntimeError(f"the lower bound delivered {bound_received}, not {args.reminders}")
                log(f"lower bound run {run + 1}: {args.reminders / wall:.0f}/s ({wall:.2f} s)")
            if run < args.runs:
                reset(due)
                before = service_get(origin, "/stats")["count"]
                wall, report = dispatch(due, args.concurrency)
                received = service_get(origin, "/stats")["count"] - before
                sent = ReminderDelivery.objects.filter(status="sent").count()
                runs.append({"wall_s": wall, "report": report, "received": received, "ledger_sent": sent})
                log(f"dispatcher run {run + 1}: {args.reminders / wall:.0f}/s ({wall:.2f} s), {report}")
        checked = check_samples(origin, keys)
        stats = service_get(origin, "/stats")
        info = machine(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1))
        connection.close()
    finally:
        service.terminate()
        service.wait(timeout=10)
        with psycopg.connect(admin_dsn(url), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')

    best = min(runs, key=lambda r: r["wall_s"])
    bound = min(bounds)
    rate, bound_rate = args.reminders / best["wall_s"], args.reminders / bound
    ratio = rate / bound_rate
    complete = all(r["received"] == args.reminders and r["ledger_sent"] == args.reminders for r in runs)
    distinct = stats["distinct"] == args.reminders
    goals = {
        f"all {args.reminders} delivered once per run": complete and distinct,
        f"within {GOAL_MAX_SECONDS:.0f} s": best["wall_s"] <= GOAL_MAX_SECONDS,
        f"ratio >= {GOAL_MIN_RATIO}": ratio >= GOAL_MIN_RATIO,
    }
    print(f"reminders: {args.reminders} due in one minute, {args.concurrency} send threads")
    run_walls = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
    bound_walls = ", ".join(f"{b:.2f}" for b in bounds)
    print(f"  dispatcher  : {rate:8.0f} reminders/s  ({best['wall_s']:.2f} s for all; runs: {run_walls} s)")
    print(f"  lower bound : {bound_rate:8.0f} reminders/s  ({bound:.2f} s; runs: {bound_walls} s)")
    print(f"  ratio       : {ratio:.2f}")
    print(f"  sampled bodies decrypted: {checked}; load average at the end: {os.getloadavg()[0]:.2f}")
    for goal, ok in goals.items():
        print(f"  {'PASS' if ok else 'FAIL'}  {goal}")
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(
        json.dumps(
            {
                "reminders": args.reminders,
                "concurrency": args.concurrency,
                "dispatcher_runs": runs,
                "lower_bound_s": bounds,
                "rate": rate,
                "lower_bound_rate": bound_rate,
                "ratio": ratio,
                "goals": goals,
                "machine": info,
            },
            indent=2,
        )
    )
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as exc:
        log(f"could not run: {type(exc).__name__}: {exc}")
        raise SystemExit(2) from exc
