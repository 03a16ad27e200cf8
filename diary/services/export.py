""" "My data" as a spreadsheet: `entries_csv` turns what `diary.selectors.export_gather`
read (everything a patient logged and everything stored about them) into one row per day.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from diary.analysis import questionnaires as scoring
from diary.choices import EnteredBy, MedicineClass, SideEffectKind, TimeOfDay
from diary.models import (
    DiaryEntry,
    DoseLog,
    QuestionnaireResponse,
)
from diary.selectors import ExportData
from diary.services.entries import ENTRY_FIELDS as DIARY_FIELDS

EXPORT_FORMAT_VERSION = 1


# --- CSV ------------------------------------------------------------------------------

# The diary fields of diary.services.entries, each in its own column; the free-text note goes
# after the lists of side effects and medicines.
ENTRY_FIELDS = tuple(name for name in DIARY_FIELDS if name != "note")
CSV_COLUMNS = (
    "date",
    "diary_logged",
    *ENTRY_FIELDS,
    "side_effects",
    "acute_medications",
    "note",
    "dose_taken",
    "dose_mg",
    "dose_time_of_day",
    "dose_taken_at",
    "entry_version",
    "entry_late",
    "entry_updated_at",
    "questionnaires",
)
# A spreadsheet treats a cell starting with one of these as a formula (OWASP: CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        value = format(value.normalize(), "f")
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Words, not codes: the CSV is read by people in a spreadsheet (the JSON export keeps the codes).
HEADACHE_WORDS = ("none", "mild", "moderate", "severe")
SEVERITY_WORDS = {1: "mild", 2: "moderate", 3: "severe"}


def _side_effects(entry: DiaryEntry) -> str:
    parts = []
    for effect in entry.side_effects.all():
        label = SideEffectKind(effect.kind).label
        name = f"{label}: {effect.other_text}" if effect.kind == "other" else label
        details = [SEVERITY_WORDS.get(effect.severity, str(effect.severity))]
        if effect.limited_activities:
            details.append("limited usual activities")
        parts.append(f"{name} ({', '.join(details)})")
    return "; ".join(parts)


def _medications(entry: DiaryEntry) -> str:
    parts = []
    for med in entry.acute_medications.all():
        label = MedicineClass(med.med_class).label
        text = f"{label}: {med.name}" if med.name else label
        details = ["for a headache" if med.for_headache else "not for a headache"]
        if med.contains_opioid:
            details.append("contains an opioid")
        parts.append(f"{text} ({', '.join(details)})")
    return "; ".join(parts)


def _entry_value(entry: DiaryEntry, name: str) -> Any:
    value = getattr(entry, name)
    if name == "headache":
        return HEADACHE_WORDS[value]
    return value


def _questionnaires(responses: Sequence[QuestionnaireResponse]) -> str:
    parts = []
    for response in responses:
        band = scoring.band(response.instrument, response.total)
        who = "" if response.entered_by == EnteredBy.PATIENT else f", {response.get_entered_by_display().lower()}"
        grade = f", {band}" if band else ""
        parts.append(f"{response.get_instrument_display()} {response.total}{grade}{who}")
    return "; ".join(parts)


def _rows(
    entries: Sequence[DiaryEntry], dose_logs: Sequence[DoseLog], responses: Sequence[QuestionnaireResponse] = ()
) -> Iterable[list[str]]:
    by_date: dict[Any, dict[str, Any]] = {}
    for diary_day in entries:
        by_date.setdefault(diary_day.date, {})["entry"] = diary_day
    for log in dose_logs:
        by_date.setdefault(log.date, {})["dose"] = log
    for response in responses:
        by_date.setdefault(response.completed_on, {}).setdefault("questionnaires", []).append(response)
    for day in sorted(by_date):
        entry: DiaryEntry | None = by_date[day].get("entry")
        dose: DoseLog | None = by_date[day].get("dose")
        row: list[Any] = [day.isoformat(), entry is not None]
        if entry is not None:
            row += [_entry_value(entry, name) for name in ENTRY_FIELDS]
            row += [_side_effects(entry), _medications(entry), entry.note]
        else:
            row += [None] * (len(ENTRY_FIELDS) + 3)
        if dose is not None:
            taken_at = dose.taken_at.strftime("%H:%M") if dose.taken_at else None
            row += [dose.taken, dose.mg, TimeOfDay(dose.time_of_day).label, taken_at]
        else:
            row += [None] * 4
        if entry is not None:
            row += [entry.version, entry.late, entry.updated_at.isoformat()]
        else:
            row += [None] * 3
        row.append(_questionnaires(by_date[day].get("questionnaires", [])) or None)
        yield [_cell(value) for value in row]


def entries_csv(data: ExportData) -> str:
    """One row per local date with a diary entry, a dose log or a questionnaire (columns:
    docs/api.md).

    UTF-8 with a byte-order mark (Excel reads UTF-8 only with it), CRLF line ends.
    """
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_rows(data.entries, data.dose_logs, data.questionnaires))
    return out.getvalue()
