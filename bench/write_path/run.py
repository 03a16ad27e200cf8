"""bench/write_path: signed-in patients upserting diary days over HTTP, against a lower bound.

    LDN_ENV=test scripts/with-services.sh .venv/bin/python -m bench.write_path.run   (or: make bench)

1. Create a separate database (`ldn_bench`) in the DATABASE_URL server, migrate it and
   seed the patients under the production settings (LDN_ENV=production, a random
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1).
2. Count the SQL statements of one PUT (create / update / identical replay), in process.
3. Lower bound: the same upserts straight through psycopg (lower_bound.py), at each
   concurrency level; the fastest of three runs counts.
4. Start gunicorn on 127.0.0.1 for each candidate worker configuration, check the real
   sign-in path once, run a short trial at each level, keep the configuration that comes
   closest to the goals.
5. With that configuration: at each level, from an empty diary, every client (its own
   patient, its own connection) sends its PUTs one after another (workload.py).
6. Print the table and PASS/FAIL against the goals; write bench/results/write_path.json.

Every measured phase starts from the same empty diary tables, waits until other
processes leave the machine idle (--quiet-wait) and is measured again when they took more
than 15 % of it meanwhile (--noise-retries); the output says how much they took. CPU per
request is read from /proc for gunicorn (master + workers), PostgreSQL (postmaster +
backends) and the load generator, so one can see who used the two cores.

How the client authenticates (what the PWA does after signing in): it sends the session
cookie and the CSRF cookie, echoes the CSRF token in X-CSRFToken, and sends Origin and
Referer of the site. Production settings redirect plain HTTP to HTTPS
(SECURE_SSL_REDIRECT) and trust X-Forwarded-Proto (SECURE_PROXY_SSL_HEADER), as behind
a TLS-terminating proxy; the bench plays that proxy and sends `X-Forwarded-Proto: https`.
The cookies are Secure, which only tells a browser not to send them over plain HTTP;
the bench sends them itself.

The harness (database, environment, gunicorn) is harness.py, the measured phases
phases.py; this module is the run itself.

Exit status: 0 all goals met, 1 a goal missed, 2 the bench could not run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import asdict
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from bench.write_path import whatif
from bench.write_path.harness import (
    BENCH_DB,
    GOAL_MAX_P95_MS,
    GOAL_MIN_RATIO,
    GOAL_P95_LEVEL,
    GOAL_RATIO_LEVEL,
    ROOT,
    TIME_ZONE,
    Server,
    ServerConfig,
    Stats,
    assert_loopback,
    drop_database,
    log,
    machine,
    production_env,
    recreate_database,
    run_python,
    with_database,
)
from bench.write_path.phases import (
    NOISE_RETRIES,
    NOISY_SHARE,
    QUIET_SHARE,
    QUIET_WAIT,
    TABLE_HEAD,
    auth_check,
    goal_score,
    markdown_table,
    measure_http,
    measure_lower_bound,
    quietest,
    row_text,
    warm_up,
)
from bench.write_path.workload import level_ops, mix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--levels", default="8,32", help="concurrent clients, comma-separated (default 8,32)")
    parser.add_argument("--requests", type=int, default=3200, help="PUTs per level (default 3200)")
    parser.add_argument("--trial-requests", type=int, default=640, help="PUTs per level in each trial")
    parser.add_argument(
        "--configs",
        default="sync:3,sync:5,gthread:3x4,gthread:2x8",
        help="gunicorn candidates, 'sync:WORKERS' or 'gthread:WORKERSxTHREADS'; one = no trials",
    )
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=QUIET_WAIT["limit"],
        help=f"seconds to wait, before each measured phase, for other processes to leave the machine "
        f"(at most {QUIET_SHARE:.0%}% busy); 0 = do not wait (default {QUIET_WAIT['limit']:.0f})",
    )
    parser.add_argument(
        "--noise-retries",
        type=int,
        default=NOISE_RETRIES["limit"],
        help=f"measure a phase again (at most this often) when other processes used more than "
        f"{NOISY_SHARE:.0%}% of the machine during it; the quietest attempt counts",
    )
    parser.add_argument(
        "--lower-bound-runs", type=int, default=3, help="psycopg runs per level; the fastest is the bound"
    )
    parser.add_argument("--seed", type=int, default=1, help="workload random seed")
    parser.add_argument("--profile", type=int, default=0, help="also cProfile this many PUTs in one process")
    parser.add_argument(
        "--what-if",
        default="",
        help=f"apply proposed app fixes in memory ({', '.join(whatif.NAMES)}); see whatif.py. Not a result.",
    )
    parser.add_argument("--keep-db", action="store_true", help=f"leave the {BENCH_DB} database behind")
    parser.add_argument("--results", type=Path, help="default bench/results/write_path[-whatif].json")
    args = parser.parse_args()
    what_if = [name for name in args.what_if.split(",") if name]
    if set(what_if) - set(whatif.NAMES):
        parser.error(f"--what-if takes {', '.join(whatif.NAMES)}")
    if args.results is None:
        args.results = ROOT / "bench" / "results" / ("write_path-whatif.json" if what_if else "write_path.json")
    QUIET_WAIT["limit"] = args.quiet_wait
    NOISE_RETRIES["limit"] = args.noise_retries
    levels = [int(level) for level in args.levels.split(",")]
    configs = [ServerConfig.parse(text) for text in args.configs.split(",")]
    if GOAL_RATIO_LEVEL not in levels or GOAL_P95_LEVEL not in levels:
        parser.error(f"--levels must include {GOAL_RATIO_LEVEL} and {GOAL_P95_LEVEL} (the goals are set there)")

    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        log("DATABASE_URL must name a PostgreSQL server: run through scripts/with-services.sh (make bench)")
        return 2
    assert_loopback(database_url)
    admin_dsn = database_url
    dsn = with_database(database_url, BENCH_DB)
    var_dir = Path(tempfile.mkdtemp(prefix="ldn-bench-"))
    (var_dir / "static").mkdir()
    env = production_env(dsn, var_dir)
    if what_if:
        env["LDN_BENCH_WHATIF"] = ",".join(what_if)
        log(f"WHAT-IF run: {', '.join(what_if)} patched into the app in memory; these numbers are not the app's")
    seed_path = var_dir / "seed.json"
    server: Server | None = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        info = machine(admin_dsn)
        log("machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))
        load = os.getloadavg()[0]
        if load > 0.5:
            log(f"warning: load average {load:.2f} before the start; other work on this machine skews the numbers")
        recreate_database(admin_dsn)
        log(f"database {BENCH_DB}: migrating with LDN_ENV=production")
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        run_python("bench.write_path.seed", ["--patients", str(max(levels)), "--out", str(seed_path)], env)
        seed = json.loads(seed_path.read_text())

        diag_path = var_dir / "diagnose.json"
        diag_args = ["--seed", str(seed_path), "--out", str(diag_path)]
        run_python("bench.write_path.diagnose", [*diag_args, "--profile", str(args.profile)], env)
        diagnosis = json.loads(diag_path.read_text())
        for kind, row in diagnosis["per_kind"].items():
            counts = ", ".join(f"{q} queries x{n}" for q, n in row["queries"])
            log(
                f"one PUT ({kind}): {counts}; in-process {row['mean_wall_ms']:.1f} ms, "
                f"of which {row['mean_db_ms']:.1f} ms waiting on PostgreSQL"
            )
            log(f"  statements: {', '.join(row['statements'])}")
        if "profile" in diagnosis:
            print(diagnosis["profile"]["text"])

        # The patients' calendar: the last 365 days in their zone, with a day's margin both
        # ends so a run that crosses midnight never sends a future or too-old date.
        today = datetime.now(ZoneInfo(TIME_ZONE)).date()
        first_day, last_day = today - timedelta(days=364), today - timedelta(days=1)
        plans = {
            level: level_ops(
                seed=args.seed, level=level, requests=args.requests, first_day=first_day, last_day=last_day
            )
            for level in levels
        }
        for level in levels:
            log(f"workload at {level} clients: {mix(plans[level])}")

        # A lower bound is the best the database path can do: its runs are short (seconds),
        # so take the fastest of a few, each from the same empty diary.
        lower: dict[int, Stats] = {}
        lower_rates: dict[int, list[float]] = {}
        for level in levels:
            runs = [
                quietest(f"lower bound, {level} clients", partial(measure_lower_bound, plans[level], seed, dsn, today))
                for _ in range(max(1, args.lower_bound_runs))
            ]
            lower[level] = max(runs, key=lambda stats: stats.rate)
            lower_rates[level] = [round(stats.rate, 1) for stats in runs]
            lb = lower[level]
            log(
                f"lower bound, {level} clients: {lb.rate:.0f} upserts/s (fastest of "
                f"{', '.join(f'{rate:.0f}' for rate in lower_rates[level])}), p50 {lb.p50_ms:.2f} ms, "
                f"p95 {lb.p95_ms:.2f} ms, errors {sum(r.errors for r in runs)} {lb.error_samples[:2]}"
            )
            lower[level].errors = sum(r.errors for r in runs)

        auth_notes: list[str] = []
        trials: dict[str, dict[str, Any]] = {}
        best = configs[0]
        if len(configs) > 1:
            trial_plans = {
                level: level_ops(
                    seed=args.seed + 1000,
                    level=level,
                    requests=args.trial_requests,
                    first_day=first_day,
                    last_day=last_day,
                )
                for level in levels
            }
            best_score = -math.inf
            for config in configs:
                server = Server(config, env, var_dir / "gunicorn.log")
                server.wait_ready()
                if not auth_notes:
                    auth_notes = auth_check(server.port, seed, last_day)
                    for note in auth_notes:
                        log(f"auth check: {note}")
                warm_up(server, seed, dsn, first_day, last_day, max(levels))
                running = server
                results = {
                    level: quietest(
                        f"trial {config.label}, {level} clients",
                        partial(measure_http, running, trial_plans[level], seed, dsn),
                    )
                    for level in levels
                }
                server.stop()
                server = None
                score = goal_score(results, lower)
                trials[config.label] = {"score": score, **{str(k): asdict(v) for k, v in results.items()}}
                log(
                    f"trial {config.label}: "
                    + "; ".join(
                        f"{level} clients {s.rate:.0f} req/s p95 {s.p95_ms:.1f} ms errors {s.errors}"
                        f" (other load {s.other_load:.0%})"
                        for level, s in results.items()
                    )
                    + f" (goal margin {score:.2f})"
                )
                if score > best_score:
                    best, best_score = config, score
            log(f"keeping {best.label}")

        server = Server(best, env, var_dir / "gunicorn.log")
        server.wait_ready()
        if not auth_notes:
            auth_notes = auth_check(server.port, seed, last_day)
            for note in auth_notes:
                log(f"auth check: {note}")
        warm_up(server, seed, dsn, first_day, last_day, max(levels))
        http: dict[int, Stats] = {}
        for level in levels:
            running = server
            http[level] = quietest(f"HTTP, {level} clients", partial(measure_http, running, plans[level], seed, dsn))
            log(f"HTTP, {level} clients: {http[level].rate:.0f} req/s, statuses {http[level].statuses}")
        command = " ".join(server.command[1:])
        server.stop()
        server = None

        ratio = http[GOAL_RATIO_LEVEL].rate / lower[GOAL_RATIO_LEVEL].rate
        p95 = http[GOAL_P95_LEVEL].p95_ms
        errors = sum(s.errors for s in http.values()) + sum(s.errors for s in lower.values())
        goals = {
            f"req/s at {GOAL_RATIO_LEVEL} clients >= {GOAL_MIN_RATIO} x lower bound": (ratio >= GOAL_MIN_RATIO, ratio),
            f"p95 at {GOAL_P95_LEVEL} clients <= {GOAL_MAX_P95_MS:.0f} ms": (p95 <= GOAL_MAX_P95_MS, p95),
            "no errors": (errors == 0, errors),
        }

        print()
        if what_if:
            print(f"WHAT-IF: the app patched in memory with {', '.join(what_if)} (bench/write_path/whatif.py)")
        print(f"write_path: PUT /api/v1/me/entries/<day>, gunicorn {best.label}, production settings, PostgreSQL")
        print(f"  machine: {info['cpus']} CPUs ({info['cpu_model']}), {info['ram']} RAM, Python {info['python']},")
        print(f"           PostgreSQL {info['postgresql']}, Django {info['django']}, gunicorn {info['gunicorn']}")
        print(f"  app: {info['app']}")
        print(f"  workload per level: {', '.join(f'{lv} clients {mix(plans[lv])}' for lv in levels)}")
        print()
        print(TABLE_HEAD)
        for level in levels:
            print(row_text(level, http[level], lower[level]))
        print()
        for level in levels:
            h, lb = http[level], lower[level]
            cpu_http = ", ".join(f"{k} {v:.2f}" for k, v in h.cpu_ms_per_request.items())
            cpu_lower = ", ".join(f"{k} {v:.2f}" for k, v in lb.cpu_ms_per_request.items())
            print(f"  {level} clients, CPU ms per request: HTTP [{cpu_http}]; lower bound [{cpu_lower}]")
            for name, stored in (("HTTP", h.rows_stored), ("lower bound", lb.rows_stored)):
                shown = ", ".join(f"{t.removeprefix('diary_')} {n}" for t, n in stored.items() if n)
                print(f"  {level} clients, rows stored by {name}: {shown}")
            print(
                f"  {level} clients, CPU used by processes outside the bench: {h.other_load:.0%} of the machine "
                f"during HTTP, {lb.other_load:.0%} during the lower bound"
            )
            print(
                f"  {level} clients, lower bound latency: p50 {lb.p50_ms:.2f} ms, p95 {lb.p95_ms:.2f} ms, "
                f"p99 {lb.p99_ms:.2f} ms; HTTP max {h.max_ms:.1f} ms"
            )
        for level in levels:
            for sample in http[level].error_samples + lower[level].error_samples:
                print(f"  error at {level} clients: {sample}")
        noisy = [
            f"{kind} at {level} clients ({stats.other_load:.0%})"
            for kind, table in (("HTTP", http), ("lower bound", lower))
            for level, stats in table.items()
            if stats.other_load > NOISY_SHARE
        ]
        if noisy:
            print(f"  NOISY: other processes shared the machine during {', '.join(noisy)}; run again when it is idle")
        print()
        for name, (ok, value) in goals.items():
            shown = f"{value:.3f}" if isinstance(value, float) else str(value)
            print(f"  {'PASS' if ok else 'FAIL'}  {name}  (measured {shown})")
        passed = all(ok for ok, _ in goals.values())

        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(
            json.dumps(
                {
                    "date": datetime.now().astimezone().isoformat(timespec="seconds"),
                    "what_if": what_if,
                    "machine": info,
                    "gunicorn": {"config": best.label, "command": command},
                    "trials": trials,
                    "auth_check": auth_notes,
                    "queries_per_put": diagnosis["per_kind"],
                    "workload": {str(level): mix(plans[level]) for level in levels},
                    "http": {str(k): asdict(v) for k, v in http.items()},
                    "lower_bound": {str(k): asdict(v) for k, v in lower.items()},
                    "lower_bound_runs": {str(k): v for k, v in lower_rates.items()},
                    "goals": {name: {"pass": ok, "measured": value} for name, (ok, value) in goals.items()},
                    "markdown": markdown_table(levels, http, lower),
                },
                indent=2,
            )
        )
        log(f"results written to {args.results}")
        return 0 if passed else 1
    except (RuntimeError, subprocess.SubprocessError, psycopg.Error, OSError) as exc:
        log(f"could not run: {exc}")
        if server is not None:
            log("gunicorn log tail:\n" + server.log_tail())
        return 2
    finally:
        if server is not None:
            server.stop()
        if not args.keep_db:
            try:
                drop_database(admin_dsn)
            except psycopg.Error as exc:
                log(f"could not drop {BENCH_DB}: {exc}")
        shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
