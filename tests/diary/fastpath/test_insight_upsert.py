"""The insight upsert (diary/fastpath/insight_upsert.py): the plain statement and
`bulk_create(update_conflicts=True)` store the same rows, inserted and then replaced."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diary.fastpath.insight_upsert import insights_upsert
from diary.models import PatientInsight
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def stored(patient_ids: list[int]) -> list[dict[str, Any]]:
    rows = PatientInsight.objects.filter(patient_id__in=patient_ids).order_by("patient_id").values()
    return [{k: v for k, v in row.items() if k not in ("id", "patient_id")} for row in rows]


def run(fast: bool, settings: Any) -> tuple[list[dict[str, Any]], list[str]]:
    settings.FASTPATH = fast
    patients = [p.pk for p in PatientFactory.create_batch(2)]
    with CaptureQueriesContext(connection) as captured:
        insights_upsert([(pk, "r1", date(2026, 11, 20), AT, 3, "too_early", {"n": i}) for i, pk in enumerate(patients)])
        insights_upsert([(patients[0], "r2", date(2026, 11, 21), AT, 5, "responder", {"n": [1, 2], "s": "é"})])
    return stored(patients), [q["sql"] for q in captured.captured_queries]


def test_the_same_rows_both_ways(settings):
    fast, fast_sql = run(True, settings)
    public, public_sql = run(False, settings)
    assert fast == public
    assert fast[0]["verdict"] == "responder"
    assert fast[0]["data"] == {"n": [1, 2], "s": "é"}
    assert fast[1]["input_seq"] == 3
    assert fast_sql != public_sql  # two different ways were taken
