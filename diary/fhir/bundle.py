"""A patient's diary, doses and plans as a FHIR R4 Bundle (type ``collection``), CLINICAL.md §10.

``bundle_stream(data, now)`` yields the Bundle's JSON in chunks, each resource built just
before it is written, so a long diary is never held as resources in memory all at once
(the rows themselves are read beforehand by ``diary.selectors.export.export_gather``).

What maps to what (docs/fhir.md has the whole table):

- the patient → ``Patient`` (the diary's identity only: its id here, the display name, the
  e-mail address);
- each diary day → ``Observation``s: the pain score as LOINC 72514-3 (``valueInteger``),
  the other items with the local CodeSystem (``diary.fhir.codes``); each side effect and
  each acute medicine is an Observation of its own. Category ``survey``, performer the
  patient, ``effectiveDateTime`` the diary date;
- each logged dose → ``MedicationAdministration`` (performer the patient; ``not-done``
  when missed);
- the regimen as the dose log reports it → one ``MedicationStatement`` per run of one
  amount (only a different amount ends a run, as for the trial clock of §11.5);
- each plan → ``MedicationRequest`` with one ``dosageInstruction`` per step (``sequence``,
  ``timing.repeat.boundsPeriod``);
- every whole 28-day window → Observations of the derived counts with ``effectivePeriod``.
  Windows are aligned on the first dose taken, so the window before it is exactly the
  baseline month of §4; with no dose taken yet, on the first diary day;
- each questionnaire answered → a ``Questionnaire`` and each response a
  ``QuestionnaireResponse`` (``diary.fhir.questionnaires``).

Every id is a UUID (version 5) of the instance's SITE_URL, the patient's id and the row's
identity (a date, a dose id, a plan number, a window start), so exporting the same data
again gives the same ids, and another instance's ids never collide with this one's.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings

from diary.analysis import rules
from diary.analysis.grid import build_grid
from diary.analysis.history import EntryRow, PatientHistory
from diary.analysis.windows import Sums, window
from diary.choices import HeadacheLevel, SideEffectSeverity, StopReason, TimeOfDay
from diary.dates import local_calendar_date
from diary.fhir import codes
from diary.fhir.questionnaires import questionnaire_resources
from diary.models import DiaryEntry, DoseLog, DosePlan
from diary.selectors import ExportData
from diary.services.entries import ENTRY_FIELDS

Resource = dict[str, Any]

# Dosage.timing.repeat.when (EventTiming, a required binding): morning and "prior to sleep".
EVENT_TIMING = {TimeOfDay.MORNING: "MORN", TimeOfDay.BEDTIME: "HS"}
# Items with an Observation of their own; the other fields of a day (duration, the
# migraine features, aura) travel as components of the headache Observation.
OWN_OBSERVATION = ("pain_score", "headache", "migraine", "sleep_quality", "note")
HEADACHE_DETAILS = tuple(name for name in ENTRY_FIELDS if name not in OWN_OBSERVATION)
DURATION_UNITS = {"headache_hours": "h", "aura_minutes": "min"}
# Chunks of about this many characters go to the client (one per resource would mean
# thousands of tiny writes for a year's diary).
CHUNK_CHARS = 64 * 1024
MEAN_DECIMALS = 2


def _namespace() -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, settings.SITE_URL.rstrip("/"))


def _mg(value: Decimal) -> dict[str, Any]:
    return {"value": _number(value), "unit": "mg", "system": codes.UCUM, "code": "mg"}


def _number(value: Decimal | float) -> int | float:
    """A JSON number with the value's own digits (4.50 → 4.5, 3.00 → 3)."""
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


@dataclass(frozen=True)
class Run:
    """Consecutive doses taken at one amount (missed days do not end a run)."""

    mg: Decimal
    doses: tuple[DoseLog, ...]

    @property
    def start(self) -> date:
        return self.doses[0].date

    @property
    def end(self) -> date:
        return self.doses[-1].date


def dose_runs(dose_logs: list[DoseLog]) -> list[Run]:
    groups: list[tuple[Decimal, list[DoseLog]]] = []
    for log in dose_logs:  # in date order
        if not log.taken or log.mg is None:
            continue
        if groups and log.mg == groups[-1][0]:
            groups[-1][1].append(log)
        else:
            groups.append((log.mg, [log]))
    return [Run(mg, tuple(logs)) for mg, logs in groups]


@dataclass(frozen=True)
class WindowCounts:
    start: date
    end: date
    counts: dict[str, int]
    mean_pain: Fraction | None


def monthly_windows(data: ExportData, as_of: date) -> list[WindowCounts]:
    """The derived counts of every whole 28-day window with at least one diary day.

    1. Anchor: the first dose taken (the window before it is the §4 baseline), else the
       first diary day. Windows are anchor + 28k, for every k from the window holding the
       first diary day to the last window ending on or before ``as_of``.
    2. The day types come from the insights engine's grid (``diary.analysis.grid``), so a
       headache or migraine day here is the one the verdict counts.
    3. A window's counts are raw (not pro-rated); ``days_logged`` is their denominator.
    """
    if not data.entries:
        return []
    taken = [log.date for log in data.dose_logs if log.taken and log.mg is not None and log.date <= as_of]
    first_entry = data.entries[0].date
    anchor = taken[0] if taken else first_entry
    month = rules.MONTH_DAYS
    k_first = (first_entry - anchor).days // month
    k_last = ((as_of - anchor).days + 1) // month - 1
    if k_last < k_first:
        return []
    history = _history(data, as_of)
    first_start = anchor + timedelta(days=month * k_first)
    grid_start = min([first_start, first_entry, *(log.date for log in data.dose_logs)])
    grid = build_grid(history, grid_start.toordinal())
    sums = Sums(grid)
    windows = []
    for k in range(k_first, k_last + 1):
        start = anchor + timedelta(days=month * k)
        lo = (start - grid_start).days
        hi = lo + month - 1
        counts = window(sums, lo, hi)
        if counts.days_logged == 0:
            continue
        windows.append(
            WindowCounts(
                start=start,
                end=start + timedelta(days=month - 1),
                counts={
                    "days_logged": counts.days_logged,
                    "headache_days": counts.headache_days,
                    "moderate_severe_days": counts.modsev_days,
                    "migraine_days": counts.migraine_days,
                    "acute_medication_days": int(np.count_nonzero(grid.any_med[lo : hi + 1])),
                },
                mean_pain=counts.mean_pain,
            )
        )
    return windows


def _history(data: ExportData, as_of: date) -> PatientHistory:
    entries = []
    medications = []
    for entry in data.entries:
        row = [getattr(entry, name) for name in EntryRow._fields]
        hours = EntryRow._fields.index("headache_hours")
        row[hours] = None if row[hours] is None else float(row[hours])
        entries.append(tuple(row))
        medications += [
            (entry.date, med.med_class, med.for_headache, med.contains_opioid) for med in entry.acute_medications.all()
        ]
    doses = [
        (log.date, log.taken, None if log.mg is None else float(log.mg), log.time_of_day) for log in data.dose_logs
    ]
    return PatientHistory(
        as_of=as_of,
        condition=data.patient.primary_condition,
        entries=entries,
        side_effects=(),
        medications=medications,
        doses=doses,
    )


class BundleWriter:
    """Builds the resources of one patient's Bundle, in the order they are written."""

    def __init__(self, data: ExportData, now: datetime) -> None:
        self.data = data
        self.now = now
        self.patient = data.patient
        self.zone = ZoneInfo(self.patient.time_zone)
        self.as_of = local_calendar_date(self.patient.time_zone, now)
        self.system = codes.system_url()
        self.display = codes.displays()
        self.namespace = _namespace()
        self.patient_id = self.id("Patient")
        self.patient_ref = {"reference": f"urn:uuid:{self.patient_id}"}

    def id(self, *parts: object) -> str:
        name = "/".join([str(self.patient.public_id), *(str(part) for part in parts)])
        return str(uuid.uuid5(self.namespace, name))

    def coding(self, code: str) -> dict[str, str]:
        return {"system": self.system, "code": code, "display": self.display[code]}

    def concept(self, code: str, text: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"coding": [self.coding(code)]}
        if text:
            out["text"] = text
        return out

    def medication(self, drug: str = "naltrexone") -> dict[str, Any]:
        """LDN has no verified RxNorm or SNOMED code (compounded strengths have none): a
        local code when the drug is naltrexone, and the drug's name as text."""
        name = drug.strip() or "naltrexone"
        if name.lower() == "naltrexone":
            return self.concept(codes.LDN, "naltrexone")
        return {"text": name}

    # --- the resources, in Bundle order ---------------------------------------------------

    def resources(self) -> Iterator[Resource]:
        yield self.patient_resource()
        for plan in self.data.plans:
            yield self.medication_request(plan)
        runs = dose_runs(self.data.dose_logs)
        for index, run in enumerate(runs):
            yield self.medication_statement(run, last=index == len(runs) - 1)
        doses = {log.date: log for log in self.data.dose_logs}
        for entry in self.data.entries:
            yield from self.day_observations(entry)
            dose = doses.pop(entry.date, None)
            if dose is not None:
                yield self.medication_administration(dose)
        for dose in doses.values():  # dose logs of days without a diary entry, in date order
            yield self.medication_administration(dose)
        for counts in monthly_windows(self.data, self.as_of):
            yield from self.window_observations(counts)
        yield from questionnaire_resources(
            self.data.questionnaires, ids=self.id, system=self.system, patient_ref=self.patient_ref
        )

    def patient_resource(self) -> Resource:
        user = self.patient.user
        resource: Resource = {
            "resourceType": "Patient",
            "id": self.patient_id,
            "identifier": [
                {"system": settings.SITE_URL.rstrip("/") + "/api/v1/patients", "value": str(self.patient.public_id)}
            ],
        }
        if user.display_name.strip():
            resource["name"] = [{"text": user.display_name.strip()}]
        resource["telecom"] = [{"system": "email", "value": user.email}]
        return resource

    def _observation(
        self,
        oid: str,
        code: dict[str, Any],
        value: dict[str, Any],
        *,
        effective: dict[str, Any],
        status: str = "final",
        issued: datetime | None = None,
        components: list[dict[str, Any]] | None = None,
        performer: bool = True,
    ) -> Resource:
        resource: Resource = {
            "resourceType": "Observation",
            "id": oid,
            "status": status,
            "category": [{"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
            "code": code,
            "subject": self.patient_ref,
            **effective,
        }
        if issued is not None:
            resource["issued"] = issued.astimezone(UTC).isoformat()
        if performer:
            resource["performer"] = [self.patient_ref]
        resource.update(value)
        if components:
            resource["component"] = components
        return resource

    def day_observations(self, entry: DiaryEntry) -> Iterator[Resource]:
        day = entry.date.isoformat()

        def observation(key: str, code: dict[str, Any], value: dict[str, Any], **extra: Any) -> Resource:
            return self._observation(
                self.id("entry", day, key),
                code,
                value,
                effective={"effectiveDateTime": day},
                # a day changed after it was first saved is an amended record (FHIR's word)
                status="final" if entry.version == 1 else "amended",
                issued=entry.updated_at,
                **extra,
            )

        pain_code = {"coding": [{"system": codes.LOINC, "code": codes.PAIN_LOINC, "display": codes.PAIN_LOINC_DISPLAY}]}
        yield observation("pain_score", pain_code, {"valueInteger": entry.pain_score})
        level = HeadacheLevel(entry.headache)
        components = [part for name in HEADACHE_DETAILS if (part := self._detail(name, getattr(entry, name)))]
        yield observation(
            "headache",
            self.concept("headache"),
            {"valueCodeableConcept": self.concept(codes.child_code(codes.HEADACHE, level))},
            components=components,
        )
        if entry.migraine is not None:
            yield observation("migraine", self.concept("migraine"), {"valueBoolean": entry.migraine})
        if entry.sleep_quality is not None:
            yield observation("sleep_quality", self.concept("sleep_quality"), {"valueInteger": entry.sleep_quality})
        if entry.note.strip():
            yield observation("note", self.concept("note"), {"valueString": entry.note})
        for effect in entry.side_effects.all():
            member = _member(codes.SIDE_EFFECT, effect.kind)
            text = effect.other_text.strip() if effect.kind == "other" else None
            severity = SideEffectSeverity(effect.severity)
            yield observation(
                f"side_effect/{effect.kind}",
                self.concept(member, text),
                {"valueCodeableConcept": self.concept(codes.child_code(codes.SEVERITY, severity))},
                components=[{"code": self.concept("limited_activities"), "valueBoolean": effect.limited_activities}],
            )
        for position, med in enumerate(entry.acute_medications.all()):
            yield observation(
                f"acute_medication/{position}",
                self.concept("acute_medication"),
                {"valueCodeableConcept": self.concept(_member(codes.MED_CLASS, med.med_class), med.name.strip())},
                components=[
                    {"code": self.concept("for_headache"), "valueBoolean": med.for_headache},
                    {"code": self.concept("contains_opioid"), "valueBoolean": med.contains_opioid},
                ],
            )

    def _detail(self, name: str, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if name in DURATION_UNITS:
            unit = DURATION_UNITS[name]
            quantity = {"value": _number(value), "unit": unit, "system": codes.UCUM, "code": unit}
            return {"code": self.concept(name), "valueQuantity": quantity}
        return {"code": self.concept(name), "valueBoolean": value}

    def medication_administration(self, log: DoseLog) -> Resource:
        if log.taken_at is not None:
            # the wall-clock time the patient gave, with the zone's offset on that day
            effective = datetime.combine(log.date, log.taken_at).replace(tzinfo=self.zone).isoformat()
        else:
            effective = log.date.isoformat()
        resource: Resource = {
            "resourceType": "MedicationAdministration",
            "id": self.id("dose", log.public_id),
            "extension": [
                {
                    "url": codes.time_of_day_extension_url(),
                    "valueCoding": self.coding(_member(codes.TIME_OF_DAY, log.time_of_day)),
                }
            ],
            "status": "completed" if log.taken else "not-done",
            "medicationCodeableConcept": self.medication(),
            "subject": self.patient_ref,
            "effectiveDateTime": effective,
            "performer": [{"actor": self.patient_ref}],
        }
        if log.mg is not None:
            resource["dosage"] = {"text": _dose_text(log.mg, log.time_of_day), "dose": _mg(log.mg)}
        return resource

    def medication_statement(self, run: Run, *, last: bool) -> Resource:
        """The regimen as the patient reported it. The last run is still going unless the
        latest plan was stopped after it."""
        latest = self.data.plans[0] if self.data.plans else None
        stopped = latest is not None and latest.stopped_on is not None and run.end < latest.stopped_on
        status = "completed" if not last else "stopped" if stopped else "active"
        period = {"start": run.start.isoformat()}
        if status != "active":
            period["end"] = run.end.isoformat()
        times = {log.time_of_day for log in run.doses}
        time_of_day = times.pop() if len(times) == 1 else None
        repeat: dict[str, Any] = {"frequency": 1, "period": 1, "periodUnit": "d"}
        if time_of_day in EVENT_TIMING:
            repeat["when"] = [EVENT_TIMING[TimeOfDay(time_of_day)]]
        return {
            "resourceType": "MedicationStatement",
            "id": self.id("statement", run.start.isoformat()),
            "status": status,
            "medicationCodeableConcept": self.medication(),
            "subject": self.patient_ref,
            "effectivePeriod": period,
            "informationSource": self.patient_ref,
            "derivedFrom": [{"reference": f"urn:uuid:{self.id('dose', log.public_id)}"} for log in run.doses],
            "dosage": [
                {
                    "text": _dose_text(run.mg, time_of_day),
                    "timing": {"repeat": repeat},
                    "doseAndRate": [{"doseQuantity": _mg(run.mg)}],
                }
            ],
        }

    def medication_request(self, plan: DosePlan) -> Resource:
        steps = list(plan.steps.all())
        instructions = []
        for index, step in enumerate(steps):
            bounds = {"start": step.start_date.isoformat()}
            ends = [s.start_date for s in steps[index + 1 : index + 2]]
            if plan.stopped_on is not None:
                ends.append(plan.stopped_on)
            last_day = min(ends) - timedelta(days=1) if ends else None
            if last_day is not None and last_day >= step.start_date:
                bounds["end"] = last_day.isoformat()
            repeat: dict[str, Any] = {"boundsPeriod": bounds, "frequency": 1, "period": 1, "periodUnit": "d"}
            if step.time_of_day in EVENT_TIMING:
                repeat["when"] = [EVENT_TIMING[TimeOfDay(step.time_of_day)]]
            instructions.append(
                {
                    "sequence": index + 1,
                    "text": f"{_dose_text(step.mg, step.time_of_day)} from {step.start_date.isoformat()}",
                    "timing": {"repeat": repeat},
                    "doseAndRate": [{"doseQuantity": _mg(step.mg)}],
                }
            )
        resource: Resource = {
            "resourceType": "MedicationRequest",
            "id": self.id("plan", plan.pk),
            "status": "active" if plan.stopped_on is None else "stopped",
            "intent": "order",
            "medicationCodeableConcept": self.medication(plan.drug),
            "subject": self.patient_ref,
            "authoredOn": plan.created_at.astimezone(UTC).isoformat(),
            "note": [
                {
                    "text": f"Target dose {_number(plan.target_mg)} mg; decision point after {plan.decision_weeks} "
                    "weeks on the trial clock."
                }
            ],
        }
        if plan.stopped_on is not None and plan.stop_reason:
            reason = StopReason(plan.stop_reason)
            text = f"Stopped on {plan.stopped_on.isoformat()}: {reason.label}"
            if plan.stop_note.strip():
                text += f". {plan.stop_note.strip()}"
            resource["statusReason"] = self.concept(codes.child_code(codes.STOP_REASON, reason), text)
        if plan.created_by.user.display_name.strip():
            resource["requester"] = {"display": plan.created_by.user.display_name.strip()}
        if instructions:
            resource["dosageInstruction"] = instructions
        return resource

    def window_observations(self, counts: WindowCounts) -> Iterator[Resource]:
        period = {"effectivePeriod": {"start": counts.start.isoformat(), "end": counts.end.isoformat()}}
        values: dict[str, dict[str, Any]] = {name: {"valueInteger": count} for name, count in counts.counts.items()}
        if counts.mean_pain is not None:
            mean = round(float(counts.mean_pain), MEAN_DECIMALS)
            values["mean_pain"] = {
                "valueQuantity": {"value": mean, "unit": "{score}", "system": codes.UCUM, "code": "{score}"}
            }
        for name, value in values.items():
            resource = self._observation(
                self.id("monthly", name, counts.start.isoformat()),
                self.concept(f"{codes.MONTHLY}.{name}"),
                value,
                effective=period,
                performer=False,
            )
            resource["method"] = {"text": "Counted by LDN Diary from the daily diary (CLINICAL.md §3, §4)"}
            yield resource


def _member(parent: str, value: str) -> str:
    return f"{parent}.{value}"


def _dose_text(mg: Decimal, time_of_day: str | None) -> str:
    words: dict[str, str] = {TimeOfDay.MORNING: " in the morning", TimeOfDay.BEDTIME: " at bedtime"}
    when = words.get(time_of_day or "", "")
    return f"{_number(mg)} mg a day{when}"


def bundle_stream(data: ExportData, now: datetime) -> Iterator[bytes]:
    """The Bundle as UTF-8 JSON, in chunks of about CHUNK_CHARS characters."""
    writer = BundleWriter(data, now)
    head = {"resourceType": "Bundle", "type": "collection", "timestamp": now.astimezone(UTC).isoformat()}
    parts = [json.dumps(head, ensure_ascii=False)[:-1], ',"entry":[']
    size = 0
    separator = ""
    for resource in writer.resources():
        entry = {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}
        text = separator + json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
        separator = ","
        parts.append(text)
        size += len(text)
        if size >= CHUNK_CHARS:
            yield "".join(parts).encode()
            parts, size = [], 0
    parts.append("]}")
    yield "".join(parts).encode()
