"""The insights store's upsert of each patient's one insight row, as a plain statement.

Plain `INSERT … ON CONFLICT DO UPDATE` rather than `bulk_create(update_conflicts=…)`: on
PostgreSQL Django 5.2 sends a bulk insert as arrays (`UNNEST`), and psycopg escapes each
~30 kB JSON document into a text array literal with a regular expression, which cost more
than the insert itself (bench/insights).

Off (settings.FASTPATH false): that `bulk_create(update_conflicts=True)`.
tests/diary/fastpath/test_insight_upsert.py compares the stored rows both ways.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from diary.fastpath import on
from diary.models import PatientInsight

_INSIGHT_COLUMNS = ("patient_id", "rules_version", "as_of", "computed_at", "input_seq", "verdict", "data")
_INSIGHT_ATTNAMES = _INSIGHT_COLUMNS  # each column is its field's attname


def insights_upsert(rows: list[tuple[Any, ...]]) -> None:
    """Insert or replace each patient's one insight row.

    Plain ``INSERT … ON CONFLICT DO UPDATE`` rather than ``bulk_create(update_conflicts=…)``:
    on PostgreSQL Django 5.2 sends a bulk insert as arrays (``UNNEST``), and psycopg
    escapes each ~30 kB JSON document into a text array literal with a regular expression,
    which cost more than the insert itself (bench/insights).
    """
    if not on():
        PatientInsight.objects.bulk_create(
            [PatientInsight(**dict(zip(_INSIGHT_ATTNAMES, row, strict=True))) for row in rows],
            update_conflicts=True,
            unique_fields=["patient"],
            update_fields=list(_INSIGHT_COLUMNS[1:]),
        )
        return
    fields = [field for field in PatientInsight._meta.concrete_fields if field.column in _INSIGHT_COLUMNS]
    fields.sort(key=lambda field: _INSIGHT_COLUMNS.index(field.column))
    table = PatientInsight._meta.db_table
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _INSIGHT_COLUMNS[1:])
    placeholders = ", ".join(["%s"] * len(_INSIGHT_COLUMNS))
    sql = (
        f"INSERT INTO {table} ({', '.join(_INSIGHT_COLUMNS)}) VALUES ({placeholders}) "  # noqa: S608 - our names
        f"ON CONFLICT (patient_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)) for row in rows],
        )
