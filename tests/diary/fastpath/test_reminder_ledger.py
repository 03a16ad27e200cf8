"""The reminder ledger's claim insert (diary/fastpath/reminder_ledger.py): the array insert
and the portable VALUES list claim the same rows, and neither claims a row that exists."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diary.fastpath.reminder_ledger import claims_insert
from diary.models import ReminderDelivery
from diary.services.reminders import reminders_ensure
from diary.services.reminders.dispatch import _Row
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 21, 19, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)


def claim(settings: Any, fast: bool) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[str]]:
    """Claims for two patients' reminders, then again for one of them: (what each call
    claimed, the stored rows, the SQL sent)."""
    settings.FASTPATH = fast
    reminders = [r for p in PatientFactory.create_batch(2) for r in reminders_ensure(p)]
    token = uuid.uuid4()
    rows = [_Row(r.pk, DAY, "first", NOW, "claimed") for r in reminders[:3]]
    rows.append(_Row(reminders[3].pk, DAY, "first", NOW, "skipped", "missed"))
    with CaptureQueriesContext(connection) as captured:
        first = claims_insert(rows, token, NOW)
        again = claims_insert([*rows[:1], _Row(reminders[0].pk, DAY, "snooze", NOW, "claimed")], token, NOW)
    index = {r.pk: i for i, r in enumerate(reminders)}

    def named(claimed: dict[tuple[int, str], int]) -> list[tuple[Any, ...]]:
        return sorted((index[rid], occurrence) for rid, occurrence in claimed)

    stored = [
        (index[d.reminder_id], d.occurrence, d.status, d.reason, d.claim_token == token, d.finished_at, d.attempts)
        for d in ReminderDelivery.objects.filter(reminder__in=reminders).order_by("reminder_id", "occurrence")
    ]
    return [tuple(named(first)), tuple(named(again))], stored, [q["sql"] for q in captured.captured_queries]


def test_the_same_claims_both_ways(settings):
    fast_claims, fast_rows, fast_sql = claim(settings, True)
    public_claims, public_rows, public_sql = claim(settings, False)
    assert fast_claims == public_claims == [((0, "first"), (1, "first"), (2, "first")), ((0, "snooze"),)]
    assert fast_rows == public_rows
    assert ("unnest(" in " ".join(fast_sql)) is (connection.vendor == "postgresql")
    assert "unnest(" not in " ".join(public_sql)
