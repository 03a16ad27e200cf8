"""The session's user with both profiles, in one query whose SQL is built once per process.

`User.objects.select_related("patient", "clinician")` builds its SQL anew for every request,
which cost more CPU than the rest of signing the request in. This sends the same columns
and sets the same caches the ORM would, through the model's `_meta` fields, each field's
database converters (`get_db_converters`, the compiler's job) and the relations'
`set_cached_value` (what select_related does internally).

Off (settings.FASTPATH false): that select_related query itself.
tests/diary/test_auth_backend.py compares the loaded instances both ways.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

from diary.fastpath import on
from diary.models import Clinician, Patient, User

PROFILES: tuple[tuple[str, type[Model]], ...] = (("patient", Patient), ("clinician", Clinician))

Converter = Callable[[Any, Any, Any], Any]
Layout = list[tuple[type[Model], list[str], list[tuple[list[Converter], Any]]]]


@functools.cache
def _user_query(alias: str) -> tuple[str, Layout]:
    """What `User.objects.select_related("patient", "clinician").filter(pk=…)` sends, written
    once: the ORM builds that SQL anew for every request, which cost more CPU than the rest
    of signing the request in. The columns come from the models, each with the converters
    the ORM would apply to it (booleans and datetimes on SQLite, for instance)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    tables: list[tuple[type[Model], str]] = [(User, "u"), *((model, f"p{i}") for i, (_, model) in enumerate(PROFILES))]
    columns: list[str] = []
    layout: Layout = []
    for model, table_alias in tables:
        fields: list[Field[Any, Any]] = list(model._meta.concrete_fields)
        columns += [f"{table_alias}.{quote(field.column)}" for field in fields]
        converters = []
        for field in fields:
            col = field.get_col(table_alias)
            converters.append((connection.ops.get_db_converters(col) + col.get_db_converters(connection), col))
        layout.append((model, [field.attname for field in fields], converters))
    pk_column = User._meta.pk.column
    joins = " ".join(
        f"LEFT JOIN {quote(model._meta.db_table)} {table_alias}"
        f" ON {table_alias}.{quote('user_id')} = u.{quote(pk_column)}"
        for model, table_alias in tables[1:]
    )
    sql = (
        f"SELECT {', '.join(columns)} FROM {quote(User._meta.db_table)} u {joins}"  # noqa: S608 - model names
        f" WHERE u.{quote(pk_column)} = %s"
    )
    return sql, layout


def user_with_profiles(user_id: Any, alias: str = DEFAULT_DB_ALIAS) -> User | None:
    """The user with `user.patient` and `user.clinician` loaded (a missing profile raises
    DoesNotExist without a query, as after select_related), or None."""
    try:
        pk = User._meta.pk.to_python(user_id)
    except ValidationError:
        return None
    if not on():
        return User.objects.using(alias).select_related(*(name for name, _ in PROFILES)).filter(pk=pk).first()
    sql, layout = _user_query(alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    instances: list[Model | None] = []
    start = 0
    for model, names, converters in layout:
        values = list(row[start : start + len(names)])
        start += len(names)
        if values[names.index(model._meta.pk.attname)] is None:  # no such profile (LEFT JOIN)
            instances.append(None)
            continue
        for index, (convs, col) in enumerate(converters):
            for convert in convs:
                values[index] = convert(values[index], col, connection)
        instances.append(model.from_db(alias, names, values))
    user = instances[0]
    assert isinstance(user, User)
    for (name, model), profile in zip(PROFILES, instances[1:], strict=True):
        reverse: Any = User._meta.get_field(name)
        reverse.set_cached_value(user, profile)
        if profile is not None:
            forward: Any = model._meta.get_field("user")
            forward.set_cached_value(profile, user)
    return user
