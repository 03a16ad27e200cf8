"""The write-path bench's requests and measured phases: the HTTP requests of a plan, the
lower bound's rows, the sign-in check, quiet and noisy phases, the goal score and the table.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import psycopg

from bench.write_path import cpu, http_load, lower_bound
from bench.write_path.harness import (
    DIARY_TABLES,
    GOAL_MAX_P95_MS,
    GOAL_MIN_RATIO,
    GOAL_P95_LEVEL,
    GOAL_RATIO_LEVEL,
    HOST,
    Server,
    Stats,
    log,
    reset_diaries,
    stats_of,
)
from bench.write_path.workload import Op, level_ops


def patient_headers(patient: dict[str, Any], cookies: dict[str, str], port: int) -> dict[str, str]:
    origin = f"https://{HOST}:{port}"
    return {
        "Cookie": f"{cookies['session']}={patient['session']}; {cookies['csrf']}={patient['csrf']}",
        "X-CSRFToken": patient["csrf"],
        "Origin": origin,
        "Referer": f"{origin}/",
        "X-Forwarded-Proto": "https",
        "Content-Type": "application/json",
        "Accept": "application/json",
        "User-Agent": "ldn-bench/write_path",
    }


def http_requests(plan: list[list[Op]], seed: dict[str, Any], port: int) -> list[list[bytes]]:
    out = []
    for client, ops in enumerate(plan):
        headers = patient_headers(seed["patients"][client], seed["cookies"], port)
        out.append(
            [
                http_load.request_bytes(
                    method="PUT",
                    path=f"/api/v1/me/entries/{op.day.isoformat()}",
                    host=f"{HOST}:{port}",
                    headers=headers,
                    body=op.body_bytes,
                )
                for op in ops
            ]
        )
    return out


def lower_bound_rows(plan: list[list[Op]], seed: dict[str, Any], today: date) -> list[list[lower_bound.Row]]:
    return [lower_bound.rows_for(seed["patients"][client]["patient_id"], ops, today) for client, ops in enumerate(plan)]


def set_cookie(response: http_load.Response, name: str) -> tuple[str, str] | None:
    """(value, attributes) of a Set-Cookie for `name`."""
    for header in response.all("set-cookie"):
        pair, _, attributes = header.partition(";")
        key, _, value = pair.partition("=")
        if key.strip() == name:
            return value.strip(), attributes.strip()
    return None


def auth_check(port: int, seed: dict[str, Any], day: date) -> list[str]:
    """Sign in the way the PWA does (allauth headless, browser client) and PUT one day.

    Also shows why the bench sends what it sends: without X-Forwarded-Proto production
    redirects to HTTPS, and without the CSRF header a session-authenticated PUT is refused.
    """
    host = f"{HOST}:{port}"
    origin = f"https://{host}"
    cookies = seed["cookies"]
    notes: list[str] = []

    def call(method: str, path: str, headers: dict[str, str], body: Any = None) -> http_load.Response:
        raw_body = json.dumps(body).encode() if body is not None else None
        if raw_body is not None:
            headers = {**headers, "Content-Type": "application/json"}
        raw = http_load.request_bytes(method=method, path=path, host=host, headers=headers, body=raw_body, close=True)
        return http_load.once(HOST, port, raw)

    secure = {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": f"{origin}/", "Accept": "application/json"}
    session = call("GET", "/_allauth/browser/v1/auth/session", secure)
    csrf = set_cookie(session, cookies["csrf"])
    if csrf is None:
        raise RuntimeError(f"auth check: no CSRF cookie from GET /_allauth/browser/v1/auth/session ({session.status})")
    login = call(
        "POST",
        "/_allauth/browser/v1/auth/login",
        {**secure, "Cookie": f"{cookies['csrf']}={csrf[0]}", "X-CSRFToken": csrf[0]},
        {"email": seed["login"]["email"], "password": seed["login"]["password"]},
    )
    session_cookie = set_cookie(login, cookies["session"])
    if login.status != 200 or session_cookie is None:
        raise RuntimeError(f"auth check: login answered {login.status}: {login.body[:300]!r}")
    csrf = set_cookie(login, cookies["csrf"]) or csrf  # login rotates the CSRF token
    notes.append(f"allauth headless login: {login.status}, session cookie attributes: {session_cookie[1]}")
    signed_in = {
        **secure,
        "Cookie": f"{cookies['session']}={session_cookie[0]}; {cookies['csrf']}={csrf[0]}",
        "X-CSRFToken": csrf[0],
    }
    path = f"/api/v1/me/entries/{day.isoformat()}"
    body = {"pain_score": 3, "headache": 1, "sleep_quality": 6}
    put = call("PUT", path, signed_in, body)
    if put.status not in (200, 201):
        raise RuntimeError(f"auth check: PUT after login answered {put.status}: {put.body[:300]!r}")
    notes.append(f"PUT {path} with that session: {put.status}")
    plain = call("PUT", path, {k: v for k, v in signed_in.items() if k != "X-Forwarded-Proto"}, body)
    notes.append(f"same PUT without X-Forwarded-Proto: {plain.status} -> {plain.header('location')}")
    no_csrf = call("PUT", path, {k: v for k, v in signed_in.items() if k != "X-CSRFToken"}, body)
    notes.append(f"same PUT without X-CSRFToken: {no_csrf.status}")
    return notes


def postmaster_pid(dsn: str) -> int | None:
    """The PostgreSQL server's main process (the parent of our backend), if it runs on this machine."""
    with psycopg.connect(dsn) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
    try:
        return cpu.parent_of(int(row[0])) if row else None
    except OSError:
        return None


def stored_rows(dsn: str) -> dict[str, int]:
    """Rows a phase left in the tables it writes (every phase starts from empty ones)."""
    with psycopg.connect(dsn) as conn:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # type: ignore[index]
            for table in DIARY_TABLES
        }


QUIET_SHARE = 0.10  # other processes may use this share of the machine when a phase starts
QUIET_WAIT = {"limit": 60.0}  # seconds to wait for that before each measured phase (--quiet-wait)


def wait_quiet() -> None:
    """Start a measured phase only when the machine is (nearly) idle, waiting up to the limit.

    The bench is idle here (gunicorn waits for requests), so what keeps the cores busy is
    other work: a test suite or a build sharing the machine would skew the numbers.
    """
    cores = len(os.sched_getaffinity(0))
    deadline = time.monotonic() + QUIET_WAIT["limit"]
    waited = False
    while True:
        before = cpu.machine_busy()
        time.sleep(1.0)
        share = (cpu.machine_busy() - before) / cores
        if share <= QUIET_SHARE:
            if waited:
                log(f"machine quiet again ({share:.0%} busy)")
            return
        if time.monotonic() > deadline:
            log(f"warning: other processes keep {share:.0%} of the machine busy; measuring anyway")
            return
        if not waited:
            log(f"waiting for other processes to finish ({share:.0%} of the machine busy)")
            waited = True


def measure_http(server: Server, plan: list[list[Op]], seed: dict[str, Any], dsn: str) -> Stats:
    requests = http_requests(plan, seed, server.port)
    return measure_sent(server, dsn, lambda: http_load.run(HOST, server.port, requests))


def measure_sent(server: Server, dsn: str, send: Callable[[], http_load.Result]) -> Stats:
    """From an empty diary on a quiet machine: `send` the load, and what it cost whom."""
    reset_diaries(dsn)
    wait_quiet()
    db_root = postmaster_pid(dsn)
    before = cpu.sample(server.process.pid, db_root)
    result = send()
    used = cpu.delta(before, cpu.sample(server.process.pid, db_root))
    n = max(1, result.requests)
    return stats_of(
        result.latencies,
        result.errors,
        result.wall,
        cpu_ms_per_request={
            "gunicorn": used.app / n * 1000,
            "postgres": used.db / n * 1000,
            "client": result.client_cpu / n * 1000,
        },
        other_load=used.other / (result.wall * len(os.sched_getaffinity(0))),
        statuses={str(k): v for k, v in sorted(result.statuses.items())},
        error_samples=result.error_samples,
        rows_stored=stored_rows(dsn),
    )


def measure_lower_bound(plan: list[list[Op]], seed: dict[str, Any], dsn: str, today: date) -> Stats:
    reset_diaries(dsn)
    rows = lower_bound_rows(plan, seed, today)
    wait_quiet()
    db_root = postmaster_pid(dsn)
    before = cpu.sample(None, db_root)
    result = lower_bound.run(dsn, rows, processes=len(os.sched_getaffinity(0)))
    used = cpu.delta(before, cpu.sample(None, db_root))
    n = max(1, len(result.latencies))
    return stats_of(
        result.latencies,
        result.errors,
        result.wall,
        cpu_ms_per_request={"postgres": used.db / n * 1000, "client": used.me / n * 1000},
        other_load=used.other / (result.wall * len(os.sched_getaffinity(0))),
        error_samples=result.error_samples,
        rows_stored=stored_rows(dsn),
    )


NOISY_SHARE = 0.15  # a phase during which other processes used more than this is measured again
NOISE_RETRIES = {"limit": 2}  # --noise-retries


def quietest(label: str, measure: Callable[[], Stats]) -> Stats:
    """Measure; while other processes took a noisy share of the machine, measure again
    (up to the retry limit) and keep the quietest attempt."""
    best = measure()
    for attempt in range(NOISE_RETRIES["limit"]):
        if best.other_load <= NOISY_SHARE:
            break
        log(f"{label}: other processes used {best.other_load:.0%} of the machine; measuring again ({attempt + 1})")
        again = measure()
        if again.other_load < best.other_load:
            best = again
    return best


def warm_up(server: Server, seed: dict[str, Any], dsn: str, first_day: date, last_day: date, level: int) -> None:
    """Every worker imports its code and opens its database connection before the clock runs."""
    plan = level_ops(seed=7, level=level, requests=level * 3, first_day=first_day, last_day=last_day)
    result = http_load.run(HOST, server.port, http_requests(plan, seed, server.port))
    if result.errors:
        raise RuntimeError(f"warm-up: {result.errors} errors, e.g. {result.error_samples[:2]}")
    reset_diaries(dsn)


def goal_score(stats: dict[int, Stats], lower: dict[int, Stats]) -> float:
    """How well a configuration meets both goals (>= 1 meets both): the smaller margin."""
    ratio = stats[GOAL_RATIO_LEVEL].rate / lower[GOAL_RATIO_LEVEL].rate / GOAL_MIN_RATIO
    latency = GOAL_MAX_P95_MS / stats[GOAL_P95_LEVEL].p95_ms
    penalty = 0.0 if all(s.errors == 0 for s in stats.values()) else 1.0
    return min(ratio, latency) - penalty


def row_text(level: int, http: Stats, lower: Stats) -> str:
    return (
        f"{level:>7} {http.requests:>8} {http.errors:>6} {http.rate:>8.1f} {http.p50_ms:>7.1f} "
        f"{http.p95_ms:>7.1f} {http.p99_ms:>7.1f} {lower.rate:>11.1f} {http.rate / lower.rate:>6.3f}"
    )


TABLE_HEAD = (
    f"{'clients':>7} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
    f"{'lower req/s':>11} {'ratio':>6}"
)


def markdown_table(levels: list[int], http: dict[int, Stats], lower: dict[int, Stats]) -> str:
    lines = [
        "| clients | requests | errors | req/s | p50 ms | p95 ms | p99 ms | lower bound req/s | ratio |",
        "|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for level in levels:
        h, lb = http[level], lower[level]
        lines.append(
            f"| {level} | {h.requests} | {h.errors} | {h.rate:.1f} | {h.p50_ms:.1f} | {h.p95_ms:.1f} | "
            f"{h.p99_ms:.1f} | {lb.rate:.1f} | {h.rate / lb.rate:.3f} |"
        )
    return "\n".join(lines)
