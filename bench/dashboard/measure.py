"""The child process of bench/dashboard (production settings, the bench database).

python -m bench.dashboard.measure analyse   → the real insights sweep over every stale patient
python -m bench.dashboard.measure measure   → timings and query counts per clinic, as JSON
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from bench.write_path.harness import percentile  # noqa: E402
from diary.dates import local_calendar_date  # noqa: E402
from diary.models import Clinician, Patient, PatientInsight  # noqa: E402

ROUNDS = 40
WARM_UP = 5


def analyse() -> dict[str, Any]:
    from diary.services.insights import insights_sweep

    return {"stored": insights_sweep().stored}


def client_for(clinician: Clinician) -> Client:
    """Signed in as a clinician signs in, password then TOTP code: the API takes no other
    clinician session (docs/security.md)."""
    from allauth.account.models import EmailAddress

    from diary.services.mfa import totp_activate, totp_now

    secret, password = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "bench clinician passphrase"
    user = clinician.user
    user.set_password(password)
    user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
    totp_activate(user, secret)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_X_FORWARDED_PROTO="https")
    auth = "/_allauth/browser/v1/auth"
    client.post(f"{auth}/login", {"email": user.email, "password": password}, content_type="application/json")
    code = totp_now(secret).code
    done = client.post(f"{auth}/2fa/authenticate", {"code": code}, content_type="application/json")
    if done.status_code != 200:
        raise SystemExit(f"dashboard bench: signing in as {user.email} answered {done.status_code}")
    return client


def timed(calls: list[Callable[[], Any]]) -> dict[str, Any]:
    """Each call once after a warm-up: p50/p95 in ms and the query count (the same for all)."""
    for call in calls[:WARM_UP]:
        call()
    times, queries = [], set()
    for call in calls:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = call()
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"dashboard bench: {response.status_code} {response.content[:300]!r}")
        times.append(elapsed * 1000)
        queries.add(len(captured.captured_queries))
    times.sort()
    return {
        "requests": len(times),
        "p50_ms": statistics.median(times),
        "p95_ms": percentile(times, 95),
        "queries": max(queries),
        "query_counts_seen": sorted(queries),
    }


def measure() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for clinician in Clinician.objects.select_related("user", "clinic"):
        client = client_for(clinician)
        patients = list(
            Patient.objects.filter(care_links__clinic=clinician.clinic, care_links__status="active").order_by("pk")
        )
        step = max(1, len(patients) // ROUNDS)
        sample = patients[::step][:ROUNDS]
        today = local_calendar_date(sample[0].time_zone)
        start = today - timedelta(days=89)

        def get(url: str, client: Client = client) -> Callable[[], Any]:
            return lambda: client.get(url, secure=True)

        results[clinician.clinic.name] = {
            "patients": len(patients),
            "triage": timed([get("/api/v1/triage")] * ROUNDS),
            "patient": timed([get(f"/api/v1/patients/{p.public_id}") for p in sample]),
            "insights": timed([get(f"/api/v1/patients/{p.public_id}/insights") for p in sample]),
            "entries_90_days": timed(
                [get(f"/api/v1/patients/{p.public_id}/entries?from={start}&to={today}") for p in sample]
            ),
            "outcomes": timed([get("/api/v1/clinic/outcomes")] * ROUNDS),
        }
    verdicts: dict[str, int] = {}
    for verdict in PatientInsight.objects.values_list("verdict", flat=True):
        verdicts[verdict] = verdicts.get(verdict, 0) + 1
    results["verdicts"] = verdicts
    return results


if __name__ == "__main__":
    print(json.dumps(analyse() if sys.argv[1:] == ["analyse"] else measure()))
