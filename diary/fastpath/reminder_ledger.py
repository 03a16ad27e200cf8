"""The reminder ledger's two hand-built statements (the dispatcher's hot path).

- `claims_insert`: on PostgreSQL one `INSERT … SELECT FROM unnest(arrays) ON CONFLICT DO
  NOTHING RETURNING` for a whole chunk of due reminders, so the statement's text stays
  small however many rows; the portable VALUES list otherwise.
- `SendRecorder`: each sent message's result written by a statement built once, on a
  cursor kept for the run, instead of the ORM's `update()` per message.

Off (settings.FASTPATH false): the VALUES list and the ORM's update.
tests/diary/fastpath/test_reminder_ledger.py compares the ledger rows both ways.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Protocol

from django.db import connection

from diary.choices import DeliveryStatus
from diary.fastpath import on_postgres
from diary.models import ReminderDelivery


class LedgerRow(Protocol):
    """A ledger row to insert (diary.services.reminders.dispatch builds them)."""

    @property
    def reminder_id(self) -> int: ...
    @property
    def local_date(self) -> date: ...
    @property
    def occurrence(self) -> str: ...
    @property
    def scheduled_for(self) -> datetime: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str: ...


class LedgerOutcome(Protocol):
    """What a sender learnt about one delivery."""

    delivery_id: int
    status: str
    reason: str


_CLAIM_COLUMNS = (
    "reminder_id, local_date, occurrence, scheduled_for, status, claim_token, claimed_at, attempts, finished_at, reason"
)
_CLAIM_CONFLICT = (
    "ON CONFLICT (reminder_id, local_date, occurrence) DO NOTHING RETURNING id, status, reminder_id, occurrence"
)


def claims_insert(rows: Sequence[LedgerRow], token: uuid.UUID, now: datetime) -> dict[tuple[int, str], int]:
    """INSERT the ledger rows; ON CONFLICT DO NOTHING. Returns {(reminder id, occurrence): row id}
    of the rows claimed here (a batch claims at most one row per reminder and occurrence).

    A concurrent run inserting the same (reminder, date, occurrence) waits for ours to
    commit and then inserts nothing: only one run ever gets a row back. On PostgreSQL one
    statement takes the rows as arrays (unnest), so its text stays small however many rows;
    elsewhere (SQLite ≥ 3.35, the embedded mode), and with the fast paths off, a VALUES
    list per 500 rows: the ORM's `bulk_create(ignore_conflicts=True)` cannot say which rows
    it inserted, and that is the whole point of the statement.
    """
    if not rows:
        return {}
    table = ReminderDelivery._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        if on_postgres():
            finished = [None if r.status == "claimed" else now for r in rows]
            cursor.execute(
                f"INSERT INTO {table} ({_CLAIM_COLUMNS}) "  # noqa: S608  (names are ours)
                "SELECT r, d, o, s, st, %s::uuid, %s::timestamptz, 1, f, rs FROM unnest("
                "%s::bigint[], %s::date[], %s::text[], %s::timestamptz[], %s::text[], %s::timestamptz[], %s::text[]"
                f") AS u(r, d, o, s, st, f, rs) {_CLAIM_CONFLICT}",
                [
                    token,
                    now,
                    [r.reminder_id for r in rows],
                    [r.local_date for r in rows],
                    [r.occurrence for r in rows],
                    [r.scheduled_for for r in rows],
                    [r.status for r in rows],
                    finished,
                    [r.reason for r in rows],
                ],
            )
            return {(rid, occ): pk for pk, status, rid, occ in cursor.fetchall() if status == "claimed"}
        claimed: dict[tuple[int, str], int] = {}
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, 1, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for row in chunk:
                params += [
                    row.reminder_id,
                    ops.adapt_datefield_value(row.local_date),
                    row.occurrence,
                    ops.adapt_datetimefield_value(row.scheduled_for),
                    row.status,
                    token.hex,
                    ops.adapt_datetimefield_value(now),
                    ops.adapt_datetimefield_value(None if row.status == "claimed" else now),
                    row.reason,
                ]
            cursor.execute(
                f"INSERT INTO {table} ({_CLAIM_COLUMNS}) VALUES {values} {_CLAIM_CONFLICT}",  # noqa: S608
                params,
            )
            claimed.update({(rid, occ): pk for pk, status, rid, occ in cursor.fetchall() if status == "claimed"})
    return claimed


class SendRecorder:
    """Writes one sender's outcomes to the ledger, each as it comes, on the sender's connection.

    This runs once per message: on PostgreSQL a statement built once, on a cursor kept for
    the run (the ORM's update compiles its SQL on every call, which cost more CPU than the
    statement: bench/reminders); the ORM's update elsewhere.
    """

    def __init__(self, token: uuid.UUID) -> None:
        self.token = token
        self.cursor = connection.cursor() if on_postgres() else None
        table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET status = %s, reason = %s, finished_at = %s"  # noqa: S608 - our names
            f" WHERE id = %s AND claim_token = %s AND status = '{DeliveryStatus.CLAIMED}'"
        )

    def write(self, outcome: LedgerOutcome, finished: datetime) -> None:
        """Record a sent delivery's outcome if this run still holds its row (autocommit)."""
        if self.cursor is not None:
            self.cursor.execute(self.sql, [outcome.status, outcome.reason, finished, outcome.delivery_id, self.token])
        else:
            ReminderDelivery.objects.filter(
                pk=outcome.delivery_id, claim_token=self.token, status=DeliveryStatus.CLAIMED
            ).update(status=outcome.status, reason=outcome.reason, finished_at=finished)

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()
