"""The fenced fast paths: every shortcut around a library's public API lives in this package.

Each module holds one shortcut and, beside it, the public-API way it replaces; README.md
lists them with the private API each touches, the benchmark that justifies it and its
parity test. `settings.FASTPATH` (env `LDN_FASTPATH`, default on) turns them all off, so
a suspected shortcut can be ruled out by restarting with `LDN_FASTPATH=0`; `make test`
runs the parity-sensitive tests a third time that way (its pass 3).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection


def on() -> bool:
    """The fast paths are on (read per call, so a test or a restart switches them)."""
    return bool(getattr(settings, "FASTPATH", True))


def on_postgres() -> bool:
    """On, and the default database is PostgreSQL: the hand-built statements speak its dialect
    (the embedded SQLite mode always takes the ORM's)."""
    return on() and connection.vendor == "postgresql"
