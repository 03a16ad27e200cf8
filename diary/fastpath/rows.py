"""INSERT, UPDATE and DELETE written once per process for the diary's hot write path.

`Model.save`, `bulk_create` and `QuerySet.delete` compile their SQL anew for every call,
and on a diary save that compiling cost more CPU than the rest of the write. These
functions send what the ORM sends for the same rows: the same columns (the model's local
concrete fields, the auto primary key left to the database on insert), each value
prepared by its field's own `pre_save` and `get_db_prep_save`. They run through Django's
cursor, so pghistory's context wrapper and its triggers see them as they see the ORM's.
tests/diary/fastpath/test_rows.py compares the stored rows, history events and context
rows with what the ORM writes.

With the fast paths off, and on other databases (the embedded SQLite mode), they call the ORM.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeAlias

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

from diary.fastpath import on_postgres as _hand_built

# For these fields, `get_db_prep_save` of a value of this type (or of None) returns it
# unchanged on PostgreSQL (`int(v)`, `bool(v)`, `str(v)` of what it already is), so it is
# passed as it is; any other value (a date, a Decimal, a UUID, JSON, a str in an integer
# field) goes through the field, as in the ORM.
AS_IS = {
    "SmallIntegerField": int,
    "PositiveSmallIntegerField": int,
    "IntegerField": int,
    "PositiveIntegerField": int,
    "BigIntegerField": int,
    "AutoField": int,
    "BigAutoField": int,
    "BooleanField": bool,
    "CharField": str,
    "TextField": str,
}
Preparers: TypeAlias = "list[tuple[Field[Any, Any], type | None]]"


def _preparers(fields: list[Field[Any, Any]]) -> Preparers:
    out: Preparers = []
    for field in fields:
        target: Any = getattr(field, "target_field", None) if field.is_relation else field
        out.append((field, AS_IS.get(target.get_internal_type()) if target is not None else None))
    return out


def _values(obj: Model, preparers: Preparers, add: bool, db: BaseDatabaseWrapper) -> list[Any]:
    values = []
    for field, as_is in preparers:
        value = field.pre_save(obj, add)
        if as_is is None or not (value is None or type(value) is as_is):
            value = field.get_db_prep_save(value, db)
        values.append(value)
    return values


@functools.cache
def _insert_sql(model: type[Model], rows: int) -> tuple[str, Preparers]:
    """`INSERT INTO table (columns) VALUES (…), … RETURNING pk` for `rows` rows."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if field is not meta.auto_field]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(field.column) for field in fields)})"  # noqa: S608
        f" VALUES {', '.join([row] * rows)} RETURNING {quote(meta.pk.column)}"
    )
    return sql, _preparers(fields)


@functools.cache
def _update_sql(model: type[Model]) -> tuple[str, Preparers]:
    """`UPDATE table SET every non-pk column WHERE pk = %s`, as `save()` of a stored row."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    sql = (
        f"UPDATE {quote(meta.db_table)} SET {', '.join(f'{quote(field.column)} = %s' for field in fields)}"  # noqa: S608
        f" WHERE {quote(meta.pk.column)} = %s"
    )
    return sql, _preparers(fields)


@functools.cache
def _delete_sql(model: type[Model], column: str) -> str:
    quote = connection.ops.quote_name
    return f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(column)} = %s"  # noqa: S608


def rows_insert(objs: Sequence[Model]) -> None:
    """Insert new instances of one model in one statement and set their primary keys
    (`bulk_create`; for one instance, `save()` of a new row)."""
    if not objs:
        return
    model = type(objs[0])
    if not _hand_built():
        if len(objs) == 1:
            objs[0].save(force_insert=True)
        else:
            model._default_manager.bulk_create(objs)
        return
    db = connections[DEFAULT_DB_ALIAS]  # the object behind `connection`, looked up once
    sql, preparers = _insert_sql(model, len(objs))
    params: list[Any] = []
    for obj in objs:
        params += _values(obj, preparers, True, db)
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        keys = cursor.fetchall()
    alias = db.alias
    for obj, (key,) in zip(objs, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = alias


def row_update(obj: Model) -> None:
    """Write every column of a stored instance (`save()` of a row read before)."""
    if not _hand_built():
        obj.save(force_update=True)
        return
    db = connections[DEFAULT_DB_ALIAS]
    sql, preparers = _update_sql(type(obj))
    with db.cursor() as cursor:
        cursor.execute(sql, [*_values(obj, preparers, False, db), obj.pk])
        if cursor.rowcount != 1:
            raise type(obj).DoesNotExist(f"{type(obj).__name__} {obj.pk} was not updated")  # type: ignore[attr-defined]


def rows_delete(model: type[Model], column: str, value: Any) -> None:
    """Delete the model's rows whose `column` is `value` (`filter(...).delete()` of a model
    whose rows nothing else references, which the ORM also sends as one DELETE)."""
    if not _hand_built():
        model._default_manager.filter(**{column: value}).delete()
        return
    with connection.cursor() as cursor:
        cursor.execute(_delete_sql(model, column), [value])
