"""The diary save's read of the stored day, and the hand-over of the rows it wrote.

Two shortcuts on every diary save (`entry_record`):

- `stored_entry`: on PostgreSQL the day, locked, with its side effects and medicines in one
  statement (the children as JSON arrays), instead of a SELECT and two prefetch queries.
- `attach_children`: the rows just written are set as the entry's prefetch cache through
  QuerySet's private `_result_cache`, `_prefetch_done` and `_deferred_filter` and the
  model's `_prefetched_objects_cache`, so the response reads nothing back.

Off (settings.FASTPATH false): the ORM's `select_for_update().first()` without a
prefetch, and nothing attached, so the related managers read the children when asked.
tests/diary/fastpath/test_entry_read.py compares the answers both ways.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Model, QuerySet

from diary.fastpath import on, on_postgres
from diary.models import AcuteMedication, DiaryEntry, SideEffect


def attach_children(entry: DiaryEntry, side_effects: list[SideEffect], medicines: list[AcuteMedication]) -> None:
    """Make `entry.side_effects.all()` and `entry.acute_medications.all()` answer these
    rows without a query (this is how prefetch_related fills them).

    Each is a QuerySet of the entry's rows whose filter is compiled only when something
    needs the query (`.filter()`, `.all()`, `.count()` on it …), as Django's own related
    managers defer theirs: compiling it for every save cost more than the rest of this.
    """
    if not on():
        return  # the related managers read the rows when asked
    alias = connection.alias
    cache: dict[str, Any] = {}
    written: tuple[tuple[str, Any, list[Any]], ...] = (
        ("side_effects", SideEffect, side_effects),
        ("acute_medications", AcuteMedication, medicines),
    )
    for name, model, rows in written:
        queryset: Any = QuerySet(model=model, using=alias)
        queryset._deferred_filter = (False, (), {"entry": entry})
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset
    entry._prefetched_objects_cache = cache  # type: ignore[attr-defined]


JSON_NATIVE_FIELDS = {
    "BigAutoField",
    "ForeignKey",
    "CharField",
    "BooleanField",
    "PositiveSmallIntegerField",
}


@functools.cache
def _stored_entry_sql() -> tuple[str, list[str], list[str], list[str]]:
    """SELECT the entry FOR UPDATE with its side effects and medicines as two JSON arrays
    (PostgreSQL), and the attribute names of the entry's columns and of the arrays' keys."""
    quote = connection.ops.quote_name

    def columns(model: type[Model]) -> list[tuple[str, str]]:
        return [(field.attname, quote(field.column)) for field in model._meta.concrete_fields]

    def children(model: type[Model]) -> str:
        # JSON carries numbers, text and booleans as they are; other types would come back as
        # text and need the ORM's converters.
        kinds = {field.get_internal_type() for field in model._meta.concrete_fields}
        assert kinds <= JSON_NATIVE_FIELDS, f"{model.__name__}: {kinds - JSON_NATIVE_FIELDS} need converting"
        pairs = ", ".join(f"'{attname}', c.{column}" for attname, column in columns(model))
        return (
            f"(SELECT json_agg(json_build_object({pairs}) ORDER BY c.id) FROM {quote(model._meta.db_table)} c"  # noqa: S608
            f" WHERE c.{quote('entry_id')} = e.{quote('id')})"
        )

    entry_columns = columns(DiaryEntry)
    sql = (
        f"SELECT {', '.join(f'e.{column}' for _, column in entry_columns)}, {children(SideEffect)},"  # noqa: S608
        f" {children(AcuteMedication)} FROM {quote(DiaryEntry._meta.db_table)} e"
        f" WHERE e.{quote('patient_id')} = %s AND e.{quote('date')} = %s FOR UPDATE OF e"
    )
    names = [[attname for attname, _ in columns(model)] for model in (DiaryEntry, SideEffect, AcuteMedication)]
    return sql, names[0], names[1], names[2]


def stored_entry(patient_id: int, day: date) -> DiaryEntry | None:
    """The patient's entry for the day, locked, with its children loaded.

    On PostgreSQL this is one statement (the children come along as JSON arrays) instead
    of a SELECT and two prefetch queries: it is on every diary save.
    """
    if not on_postgres():
        queryset = DiaryEntry.objects.select_for_update().filter(patient_id=patient_id, date=day)
        if on():  # a write replaces these children with what it wrote (attach_children)
            queryset = queryset.prefetch_related("side_effects", "acute_medications")
        return queryset.first()
    sql, entry_names, side_effect_names, medicine_names = _stored_entry_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [patient_id, day])
        row = cursor.fetchone()
    if row is None:
        return None
    db = connection.alias
    entry = DiaryEntry.from_db(db, entry_names, row[: len(entry_names)])
    side_effects = [
        SideEffect.from_db(db, side_effect_names, _values(item, side_effect_names)) for item in _json(row[-2])
    ]
    medicines = [AcuteMedication.from_db(db, medicine_names, _values(item, medicine_names)) for item in _json(row[-1])]
    attach_children(entry, side_effects, medicines)
    return entry


def _json(value: Any) -> list[dict[str, Any]]:
    """A JSON array column: parsed already, or text (Django loads some JSON as text), or NULL."""
    return (json.loads(value) if isinstance(value, str) else value) or []


def _values(item: dict[str, Any], names: list[str]) -> list[Any]:
    return [item[name] for name in names]
