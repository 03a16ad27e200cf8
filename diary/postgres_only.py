"""The PostgreSQL-only features, named in one place, with what the embedded mode does instead.

The embedded default (``make run``: SQLite, the filesystem broker) and the services mode
(PostgreSQL, Redis) run the same code and the same test suite (``make test`` runs the
non-browser suite on both). Where PostgreSQL offers something SQLite cannot, the code asks
``available(name)`` with a name from ``FEATURES``, and the tests that exercise the feature
carry ``@pytest.mark.postgres_only("name")``: they run on PostgreSQL and are skipped on
SQLite with the reason below. docs/architecture.md "Two databases" says the same.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Feature:
    what: str  # what PostgreSQL does
    embedded: str  # what the embedded mode (SQLite) does instead


FEATURES: dict[str, Feature] = {
    "history_triggers": Feature(
        what=(
            "pghistory's database triggers record every insert, update and delete of the tracked tables "
            "(whatever code path made it) with the request's user and URL, and refuse changes to audit events"
        ),
        embedded=(
            "no trigger history and no append-only trigger: the diary's own revision rows still keep every "
            "earlier version of a day, and every write still goes through the services that record them"
        ),
    ),
    "row_locks": Feature(
        what=(
            "row locks (SELECT ... FOR UPDATE, SKIP LOCKED) let concurrent writers, sweeps and dispatchers "
            "work side by side, each claiming different rows"
        ),
        embedded=(
            "SQLite has one writer at a time: every transaction starts IMMEDIATE (takes the write lock) "
            "and waits up to 20 s for it, so concurrent writers run one after the other with the same result"
        ),
    ),
    "fast_paths": Feature(
        what=(
            "hand-built statements on the hot write and read paths in PostgreSQL's dialect (diary/fastpath/: "
            "the diary save's rows, the one-statement entry read, the reminder ledger's array insert and "
            "per-send record, the list audit's array insert)"
        ),
        embedded=(
            "the ORM's own statements for those, as with LDN_FASTPATH=0 (the same rows and values; the parity "
            "tests under tests/diary/fastpath/ compare them); the fast paths in portable SQL or none "
            "(the change number, the user load, the insight upsert, the recompute thread) run there too"
        ),
    ),
    "json_containment": Feature(
        what=(
            "jsonb containment (@>): the clinic outcomes count each side effect in the stored lists of kinds "
            "with an operator on the stored value"
        ),
        embedded=(
            "SQLite has no JSON containment: a text match of the quoted kind in the stored list "
            "(the same counts; tests/diary/dashboard/ compares them with one patient at a time on both)"
        ),
    ),
}


def available(name: str) -> bool:
    """True when the default database offers the named feature (it is PostgreSQL)."""
    if name not in FEATURES:
        raise KeyError(f"unknown PostgreSQL-only feature {name!r}: name it in diary/postgres_only.py")
    return connection.vendor == "postgresql"
