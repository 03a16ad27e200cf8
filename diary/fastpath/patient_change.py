"""The diary save's first statement: lock the patient row, take their next change number
and mark their insights stale, as one hand-written `UPDATE … RETURNING`.

The ORM's way is an `update()` (which takes the same row lock) and then a read of the
new number: two statements, and the update compiles its SQL anew for every save.
tests/diary/fastpath/test_patient_change.py compares the two.
"""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import F
from django.db.models.functions import Coalesce

from diary.fastpath import on
from diary.models import Patient


def patient_change_take(patient_id: int, now: datetime) -> int | None:
    """The patient's new change number (row locked until the transaction ends), or None
    when there is no such patient."""
    if not on():
        updated = Patient.objects.filter(pk=patient_id).update(
            change_seq=F("change_seq") + 1, insights_stale_since=Coalesce(F("insights_stale_since"), now)
        )
        if not updated:
            return None
        return Patient.objects.values_list("change_seq", flat=True).get(pk=patient_id)
    table = connection.ops.quote_name(Patient._meta.db_table)
    with connection.cursor() as cursor:
        # RETURNING: PostgreSQL, and SQLite since 3.35 (the embedded mode).
        cursor.execute(
            f"UPDATE {table} SET change_seq = change_seq + 1,"  # noqa: S608 - our names
            " insights_stale_since = COALESCE(insights_stale_since, %s)"
            " WHERE id = %s RETURNING change_seq",
            [connection.ops.adapt_datetimefield_value(now), patient_id],
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])
