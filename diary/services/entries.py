"""Recording diary days (CLINICAL.md §1–§2)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from diary.choices import HEADACHE_CONDITIONS, OPIOID_NAME_MARKERS, MedicineClass
from diary.dates import local_calendar_date
from diary.fastpath.entry_read import attach_children, stored_entry
from diary.fastpath.rows import row_update, rows_delete, rows_insert
from diary.models import AcuteMedication, DiaryEntry, EntryRevision, Patient, SideEffect, User
from diary.models.entries import MEDICINES_PER_DAY_MAX, SIDE_EFFECTS_PER_DAY_MAX
from diary.services.errors import InvalidInput, PreconditionFailed
from diary.services.inputs import ENTRY_FIELDS, EntryData, MedicineData
from diary.services.patients import patient_change_begin

FIELD_DEFAULTS: dict[str, Any] = {"note": ""}
SIDE_EFFECT_FIELDS = ("kind", "severity", "limited_activities", "other_text")
MEDICINE_FIELDS = ("med_class", "name", "for_headache", "contains_opioid")


@dataclass(frozen=True)
class EntryResult:
    entry: DiaryEntry
    created: bool
    changed: bool


def diary_date_check(patient: Patient, day: date, *, field: str = "date", now: datetime | None = None) -> date:
    """Reject future dates and dates more than 365 days back; return the patient's today."""
    today = local_calendar_date(patient.time_zone, now)
    if day > today:
        raise InvalidInput({field: f"{day.isoformat()} is in the future (today is {today.isoformat()})."})
    if day < today - timedelta(days=settings.BACKDATE_LIMIT_DAYS):
        raise InvalidInput({field: f"{day.isoformat()} is more than {settings.BACKDATE_LIMIT_DAYS} days ago."})
    return today


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return value


def medicine_defaults(patient: Patient, med: MedicineData, index: int = 0) -> MedicineData:
    """Fill `for_headache` and `contains_opioid` as CLINICAL.md §11.1 and §11.3 say."""
    out: MedicineData = {"name": "", **med}
    errors: dict[str, str] = {}
    if out.get("for_headache") is None:
        out["for_headache"] = patient.primary_condition in HEADACHE_CONDITIONS
    name = out.get("name", "").lower()
    if out.get("contains_opioid") is None:
        out["contains_opioid"] = out["med_class"] == MedicineClass.OPIOID or any(
            marker in name for marker in OPIOID_NAME_MARKERS
        )
    elif out["med_class"] == MedicineClass.OPIOID and not out["contains_opioid"]:
        errors[f"acute_medications.{index}.contains_opioid"] = "An opioid always contains an opioid."
    if errors:
        raise InvalidInput(errors)
    return out


def entry_content(data: Mapping[str, Any]) -> dict[str, Any]:
    """The patient-typed content of an entry, normalised for comparison and snapshots."""
    content = {field: _plain(data.get(field, FIELD_DEFAULTS.get(field))) for field in ENTRY_FIELDS}
    content["side_effects"] = sorted(
        (
            {f: _plain(se.get(f, "" if f == "other_text" else False)) for f in SIDE_EFFECT_FIELDS}
            for se in data.get("side_effects", [])
        ),
        key=lambda se: (se["kind"], se["other_text"]),
    )
    content["acute_medications"] = sorted(
        ({f: med.get(f) for f in MEDICINE_FIELDS} for med in data.get("acute_medications", [])),
        key=lambda m: (m["med_class"], m["name"] or "", m["for_headache"], m["contains_opioid"]),
    )
    return content


def entry_snapshot(entry: DiaryEntry) -> dict[str, Any]:
    """Everything the patient typed for this version, plus its bookkeeping."""
    data: dict[str, Any] = {field: getattr(entry, field) for field in ENTRY_FIELDS}
    data["side_effects"] = [{f: getattr(se, f) for f in SIDE_EFFECT_FIELDS} for se in entry.side_effects.all()]
    data["acute_medications"] = [{f: getattr(m, f) for f in MEDICINE_FIELDS} for m in entry.acute_medications.all()]
    snapshot = entry_content(data)
    snapshot.update(
        date=entry.date.isoformat(),
        version=entry.version,
        client_id=str(entry.client_id) if entry.client_id else None,
        updated_at=entry.updated_at.isoformat(),
    )
    return snapshot


def _validate_children(data: EntryData) -> None:
    counts = (
        ("side_effects", len(data.get("side_effects", [])), SIDE_EFFECTS_PER_DAY_MAX),
        ("acute_medications", len(data.get("acute_medications", [])), MEDICINES_PER_DAY_MAX),
    )
    for name, count, limit in counts:
        if count > limit:
            raise InvalidInput({name: f"At most {limit} in one day."})
    seen: set[str] = set()
    for index, se in enumerate(data.get("side_effects", [])):
        if se["kind"] in seen:
            raise InvalidInput({f"side_effects.{index}.kind": f"'{se['kind']}' is listed twice."})
        seen.add(se["kind"])
        if se["kind"] == "other" and not se.get("other_text", "").strip():
            raise InvalidInput({f"side_effects.{index}.other_text": "Describe the side effect."})


def _write_children(entry: DiaryEntry, data: EntryData) -> None:
    side_effects = [
        SideEffect(entry=entry, **{f: v for f, v in se.items() if f in SIDE_EFFECT_FIELDS})
        for se in data.get("side_effects", [])
    ]
    medicines = [
        AcuteMedication(entry=entry, **{f: v for f, v in m.items() if f in MEDICINE_FIELDS})
        for m in data.get("acute_medications", [])
    ]
    rows_insert(side_effects)
    rows_insert(medicines)
    # What was just written is what a prefetch would read back: hand it to the caller
    # so the response needs no second read.
    attach_children(entry, side_effects, medicines)


def _day_values(data: Mapping[str, Any]) -> dict[str, Any]:
    """The day's own fields as stored: each given, or its default."""
    return {field: data.get(field, FIELD_DEFAULTS.get(field)) for field in ENTRY_FIELDS}


@transaction.atomic
def entry_record(
    *,
    patient: Patient,
    day: date,
    data: EntryData,
    actor: User | None,
    if_match: int | None = None,
    now: datetime | None = None,
) -> EntryResult:
    """Create or replace one diary day (PUT semantics).

    1. Check the date against the patient's calendar (no future, ≤ 365 days back).
    2. Fill medicine defaults, check side effects; lock the patient row, taking their next
       change number and marking their insights stale in the same statement.
    3. Same content as stored → nothing changes (safe to repeat, whatever If-Match says):
       the transaction is rolled back, so neither the number nor the stale mark stays.
    4. If-Match given and not the stored version → PreconditionFailed with the current entry.
    5. Keep the stored version as a revision, write the new one with version + 1; side
       effects and medicines are rewritten only when they changed.

    The values are not validated again here (this used to run `full_clean`): `EntryIn`
    checks every field for the API and `_validate_children` the rules across rows, and
    the database's NOT NULL and check constraints hold for any caller (the demo seed).
    """
    now = now or timezone.now()
    today = diary_date_check(patient, day, now=now)
    data = data.copy()
    data["acute_medications"] = [
        medicine_defaults(patient, m, i) for i, m in enumerate(data.get("acute_medications", []))
    ]
    _validate_children(data)
    # The patient row is locked first, as for every diary write: versions never race.
    seq = patient_change_begin(patient.pk, now)
    entry = stored_entry(patient.pk, day)
    new_content = entry_content(data)

    if entry is None:
        if if_match is not None:
            raise PreconditionFailed(None)
        entry = DiaryEntry(
            patient=patient,
            date=day,
            client_id=data.get("client_id"),
            late=(today - day).days > settings.LATE_ENTRY_AFTER_DAYS,
            seq=seq,
            created_at=now,
            updated_at=now,
            **_day_values(data),
        )
        rows_insert([entry])
        _write_children(entry, data)
        return EntryResult(entry, created=True, changed=True)

    old = entry_snapshot(entry)
    if {k: old[k] for k in new_content} == new_content:
        transaction.set_rollback(True)  # nothing changed: no change number, no stale mark
        return EntryResult(entry, created=False, changed=False)
    if if_match is not None and if_match != entry.version:
        raise PreconditionFailed(entry)

    rows_insert([EntryRevision(entry=entry, version=entry.version, snapshot=old, replaced_at=now, replaced_by=actor)])
    for field, value in _day_values(data).items():
        setattr(entry, field, value)
    if data.get("client_id"):
        entry.client_id = data["client_id"]
    entry.version += 1
    entry.seq = seq
    entry.updated_at = now
    row_update(entry)
    children = (("side_effects", SideEffect), ("acute_medications", AcuteMedication))
    if any(old[name] != new_content[name] for name, _ in children):
        for name, model in children:
            if old[name]:  # none stored: nothing to delete
                rows_delete(model, "entry_id", entry.pk)
        _write_children(entry, data)
    # else the prefetched children are still exactly what is stored
    return EntryResult(entry, created=False, changed=True)
