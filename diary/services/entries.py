"""Recording diary days (CLINICAL.md §1–§2)."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from diary.choices import HEADACHE_CONDITIONS, OPIOID_NAME_MARKERS, MedicineClass
from diary.dates import local_calendar_date
from diary.models import AcuteMedication, DiaryEntry, EntryRevision, Patient, SideEffect, User
from diary.models.entries import MEDICINES_PER_DAY_MAX, SIDE_EFFECTS_PER_DAY_MAX
from diary.postgres_only import available
from diary.services.errors import InvalidInput, PreconditionFailed
from diary.services.patients import patient_change_begin
from diary.services.rows import row_update, rows_delete, rows_insert

ENTRY_FIELDS = (
    "pain_score",
    "headache",
    "migraine",
    "sleep_quality",
    "headache_hours",
    "one_sided",
    "pulsating",
    "worse_with_activity",
    "nausea_vomiting",
    "light_sensitivity",
    "sound_sensitivity",
    "aura_minutes",
    "note",
)
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


def medicine_defaults(patient: Patient, med: dict[str, Any], index: int = 0) -> dict[str, Any]:
    """Fill `for_headache` and `contains_opioid` as CLINICAL.md §11.1 and §11.3 say."""
    out = {"name": "", **med}
    errors: dict[str, str] = {}
    if out.get("for_headache") is None:
        out["for_headache"] = patient.primary_condition in HEADACHE_CONDITIONS
    name = out["name"].lower()
    if out.get("contains_opioid") is None:
        out["contains_opioid"] = out["med_class"] == MedicineClass.OPIOID or any(
            marker in name for marker in OPIOID_NAME_MARKERS
        )
    elif out["med_class"] == MedicineClass.OPIOID and not out["contains_opioid"]:
        errors[f"acute_medications.{index}.contains_opioid"] = "An opioid always contains an opioid."
    if errors:
        raise InvalidInput(errors)
    return out


def entry_content(data: dict[str, Any]) -> dict[str, Any]:
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


def _validate_children(data: dict[str, Any]) -> None:
    limits = (("side_effects", SIDE_EFFECTS_PER_DAY_MAX), ("acute_medications", MEDICINES_PER_DAY_MAX))
    for name, limit in limits:
        if len(data.get(name, [])) > limit:
            raise InvalidInput({name: f"At most {limit} in one day."})
    seen: set[str] = set()
    for index, se in enumerate(data.get("side_effects", [])):
        if se["kind"] in seen:
            raise InvalidInput({f"side_effects.{index}.kind": f"'{se['kind']}' is listed twice."})
        seen.add(se["kind"])
        if se["kind"] == "other" and not se.get("other_text", "").strip():
            raise InvalidInput({f"side_effects.{index}.other_text": "Describe the side effect."})


def _write_children(entry: DiaryEntry, data: dict[str, Any]) -> None:
    side_effects = [
        SideEffect(entry=entry, **{f: se[f] for f in SIDE_EFFECT_FIELDS if f in se})
        for se in data.get("side_effects", [])
    ]
    medicines = [
        AcuteMedication(entry=entry, **{f: m[f] for f in MEDICINE_FIELDS}) for m in data.get("acute_medications", [])
    ]
    rows_insert(side_effects)
    rows_insert(medicines)
    # What was just written is what a prefetch would read back: hand it to the caller
    # so the response needs no second read.
    _attach_children(entry, side_effects, medicines)


def _attach_children(entry: DiaryEntry, side_effects: list[SideEffect], medicines: list[AcuteMedication]) -> None:
    """Make `entry.side_effects.all()` and `entry.acute_medications.all()` answer these
    rows without a query (this is how prefetch_related fills them).

    Each is a QuerySet of the entry's rows whose filter is compiled only when something
    needs the query (`.filter()`, `.all()`, `.count()` on it …), as Django's own related
    managers defer theirs: compiling it for every save cost more than the rest of this.
    """
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


def _stored_entry(patient_id: int, day: date) -> DiaryEntry | None:
    """The patient's entry for the day, locked, with its children loaded.

    On PostgreSQL this is one statement (the children come along as JSON arrays) instead
    of a SELECT and two prefetch queries: it is on every diary save.
    """
    if not available("fast_paths"):
        return (
            DiaryEntry.objects.select_for_update()
            .filter(patient_id=patient_id, date=day)
            .prefetch_related("side_effects", "acute_medications")
            .first()
        )
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
    _attach_children(entry, side_effects, medicines)
    return entry


def _json(value: Any) -> list[dict[str, Any]]:
    """A JSON array column: parsed already, or text (Django loads some JSON as text), or NULL."""
    return (json.loads(value) if isinstance(value, str) else value) or []


def _values(item: dict[str, Any], names: list[str]) -> list[Any]:
    return [item[name] for name in names]


@transaction.atomic
def entry_record(
    *,
    patient: Patient,
    day: date,
    data: dict[str, Any],
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
    data = dict(data)
    data["acute_medications"] = [
        medicine_defaults(patient, m, i) for i, m in enumerate(data.get("acute_medications", []))
    ]
    _validate_children(data)
    # The patient row is locked first, as for every diary write: versions never race.
    seq = patient_change_begin(patient.pk, now)
    entry = _stored_entry(patient.pk, day)
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
            **{field: data.get(field, FIELD_DEFAULTS.get(field)) for field in ENTRY_FIELDS},
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
    for field in ENTRY_FIELDS:
        setattr(entry, field, data.get(field, FIELD_DEFAULTS.get(field)))
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
