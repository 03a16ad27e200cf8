"""Where a PUT's time goes: SQL statements per request, time in the database, and (with
--profile) a cProfile of the whole Django stack. Runs under the production settings, in
one process, through Django's test client with the full middleware stack, a real session
cookie and CSRF enforced.

    python -m bench.write_path.diagnose --seed seed.json --out diagnose.json [--cpu 300] [--profile 300]

--cpu N measures this process's CPU time (`time.process_time`, so waiting for PostgreSQL
does not count) over N PUTs without a profiler; --profile N profiles N more PUTs with
cProfile timed by `time.process_time` too (profiled times are inflated: read the shares).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import time
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.write_path import whatif
from bench.write_path.workload import client_ops


def statement_kind(sql: str) -> str:
    """A short label for one SQL statement (pghistory prefixes its context as SELECT set_config)."""
    text = " ".join(sql.split())
    if text.startswith("SELECT set_config('pghistory.context_id'"):
        text = text.split("; ", 1)[1] if "; " in text else text
    words = text.split()
    verb = words[0].upper() if words else "?"
    table = "?"
    marker = {"SELECT": "FROM", "DELETE": "FROM", "INSERT": "INTO", "UPDATE": "UPDATE"}.get(verb)
    if marker is not None and marker in words:
        table = words[words.index(marker) + 1].strip('"')
    if verb in {"SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT", "BEGIN"}:
        return verb
    suffix = " FOR UPDATE" if text.endswith("FOR UPDATE") else ""
    return f"{verb} {table}{suffix}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seed", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--cpu", type=int, default=0, help="measure this process's CPU over this many PUTs")
    parser.add_argument("--profile", type=int, default=0, help="profile this many PUTs with cProfile")
    parser.add_argument("--profile-out", type=Path, help="also save the raw cProfile stats (pstats format) here")
    parser.add_argument("--patient", type=int, default=0, help="index of the seeded patient to use")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    whatif.apply(whatif.requested())
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    seed = json.loads(args.seed.read_text())
    patient = seed["patients"][args.patient]
    client = Client(enforce_csrf_checks=True)
    client.cookies[seed["cookies"]["session"]] = patient["session"]
    client.cookies[seed["cookies"]["csrf"]] = patient["csrf"]
    host = "127.0.0.1"
    headers = {
        "X-CSRFToken": patient["csrf"],
        "Origin": f"https://{host}",
        "Referer": f"https://{host}/",
        "X-Forwarded-Proto": "https",
    }

    today = timezone.now().astimezone(ZoneInfo("Europe/Berlin")).date()
    ops = client_ops(
        seed=99, level=1, client=0, count=max(args.profile, 60), first_day=today - timedelta(364), last_day=today
    )

    def put(op: Any) -> int:
        response = client.put(
            f"/api/v1/me/entries/{op.day.isoformat()}",
            data=op.body_bytes,
            content_type="application/json",
            headers=headers,
            HTTP_HOST=host,
        )
        if response.status_code >= 300:
            raise SystemExit(f"diagnose: PUT answered {response.status_code}: {response.content[:300]!r}")
        return response.status_code

    db_time = 0.0

    def timed(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal db_time
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time += time.perf_counter() - started

    # 1. Statements per request, by kind of operation (after one warm-up request).
    put(ops[0])
    per_kind: dict[str, dict[str, Any]] = {}
    samples: dict[str, list[dict[str, Any]]] = {"create": [], "update": [], "repeat": []}
    for op in ops[1:]:
        db_time = 0.0
        with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
            started = time.perf_counter()
            status = put(op)
            wall = time.perf_counter() - started
        samples[op.kind].append(
            {
                "status": status,
                "queries": len(captured.captured_queries),
                "wall_ms": wall * 1000,
                "db_ms": db_time * 1000,
                "statements": [statement_kind(q["sql"]) for q in captured.captured_queries],
            }
        )
    for kind, rows in samples.items():
        if not rows:
            continue
        per_kind[kind] = {
            "requests": len(rows),
            "queries": sorted(Counter(r["queries"] for r in rows).items()),
            "mean_wall_ms": sum(r["wall_ms"] for r in rows) / len(rows),
            "mean_db_ms": sum(r["db_ms"] for r in rows) / len(rows),
            "statements": rows[-1]["statements"],
        }

    out: dict[str, Any] = {
        "per_kind": per_kind,
        "conn_health_checks": settings.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
    }

    # 2. Optional CPU time per PUT, no profiler (a fresh patient's mix: creates, updates, replays).
    if args.cpu:
        timed_ops = client_ops(
            seed=97, level=1, client=1, count=args.cpu, first_day=today - timedelta(364), last_day=today
        )
        cpu_started = time.process_time()
        thread_started = time.thread_time()
        wall_started = time.perf_counter()
        for op in timed_ops:
            put(op)
        out["cpu"] = {
            "requests": len(timed_ops),
            "cpu_ms_per_put": (time.process_time() - cpu_started) * 1000 / len(timed_ops),
            # the request thread alone (the rest is mostly the insights request's publisher thread)
            "thread_cpu_ms_per_put": (time.thread_time() - thread_started) * 1000 / len(timed_ops),
            "wall_ms_per_put": (time.perf_counter() - wall_started) * 1000 / len(timed_ops),
        }

    # 3. Optional cProfile over many PUTs (the profiler inflates Python time; read shares).
    if args.profile:
        more = client_ops(
            seed=98, level=1, client=0, count=args.profile, first_day=today - timedelta(364), last_day=today
        )
        profiler = cProfile.Profile(time.process_time)
        started = time.perf_counter()
        profiler.enable()
        for op in more:
            put(op)
        profiler.disable()
        elapsed = time.perf_counter() - started
        if args.profile_out:
            profiler.dump_stats(args.profile_out)
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
        out["profile"] = {"requests": len(more), "elapsed_s": elapsed, "text": text.getvalue()}
    args.out.write_text(json.dumps(out, default=str))


if __name__ == "__main__":
    main()
