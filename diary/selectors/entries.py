"""Reads of diary days: a patient's entries, one day, its version, the changes since a sequence number."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from diary.models import (
    DiaryEntry,
    DoseLog,
    DoseLogRevision,
    Patient,
)


def entries_for(patient: Patient, start: dt.date | None = None, end: dt.date | None = None) -> QuerySet[DiaryEntry]:
    qs = DiaryEntry.objects.filter(patient=patient).prefetch_related("side_effects", "acute_medications")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs.order_by("date")


def entry_on(patient: Patient, day: dt.date) -> DiaryEntry | None:
    return entries_for(patient).filter(date=day).first()


def entry_version_on(patient: Patient, day: dt.date) -> int | None:
    """The stored entry's version for a day (None: no entry), without reading the entry."""
    return DiaryEntry.objects.filter(patient=patient, date=day).values_list("version", flat=True).first()


def changes_since(patient: Patient, since: int, limit: int = 500) -> dict[str, object]:
    """Everything changed after change number `since`, oldest first, at most `limit` rows.

    The cursor is the patient's change sequence: writes take it under the patient row
    lock, so numbers commit in order and a cursor never skips a write.
    """
    entries = list(entries_for(patient).filter(seq__gt=since).order_by("seq")[: limit + 1])
    logs = list(DoseLog.objects.filter(patient=patient, seq__gt=since).order_by("seq")[: limit + 1])
    deleted = list(
        DoseLogRevision.objects.filter(patient=patient, deleted=True, seq__gt=since).order_by("seq")[: limit + 1]
    )
    merged = sorted(
        [(e.seq, "entry", e) for e in entries]
        + [(d.seq, "dose", d) for d in logs]
        + [(r.seq, "deleted_dose", r) for r in deleted],
        key=lambda t: t[0],
    )
    has_more = len(merged) > limit
    merged = merged[:limit]
    cursor = merged[-1][0] if has_more else patient.change_seq
    return {
        "cursor": cursor,
        "has_more": has_more,
        "entries": [obj for _, kind, obj in merged if kind == "entry"],
        "dose_logs": [obj for _, kind, obj in merged if kind == "dose"],
        # a dose deleted after the cursor: other devices drop their copy
        "deleted_dose_logs": [obj for _, kind, obj in merged if kind == "deleted_dose"],
    }
