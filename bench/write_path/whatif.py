"""What-if experiments: proposed app changes applied in memory, to measure them before anyone
changes the app. Never part of the reported results (run.py labels such runs WHAT-IF).

    .venv/bin/python -m bench.write_path.run --configs sync:5 --what-if no-health-check

The names (docs/benchmarks.md has the numbers):

- no-health-check: CONN_HEALTH_CHECKS off. With persistent connections (DB_CONN_MAX_AGE)
  Django sends `SELECT 1` before the first query of every request to test the
  connection; without it a connection that died fails one request instead.
- no-history-context: without pghistory's HistoryMiddleware. Not a proposal (the history
  needs the context); it prices the context, which is attached to every SQL statement of
  a request (reads included) and upserted into pghistory_context by every tracked row
  write, to size a narrower scope (only around the service's write transaction).

Earlier candidates, measured with this module and now in the app: `full_clean(...,
validate_constraints=False)` in entry_record (cc53062); no read-back after the write, user
and profile in one query, sessions cached in Redis (c5fbda3).

The environment variable LDN_BENCH_WHATIF carries the names into gunicorn and diagnose.py.
"""

from __future__ import annotations

import os

NAMES = ("no-health-check", "no-history-context")


def requested() -> list[str]:
    names = [name for name in os.environ.get("LDN_BENCH_WHATIF", "").split(",") if name]
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        raise SystemExit(f"unknown what-if names {unknown}; known: {', '.join(NAMES)}")
    return names


def apply(names: list[str]) -> None:
    """Call after django.setup() and before the WSGI handler or the first connection exist."""
    from django.conf import settings

    if "no-health-check" in names:
        settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    if "no-history-context" in names:
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != "pghistory.middleware.HistoryMiddleware"]
