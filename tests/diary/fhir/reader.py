"""Reading a FHIR export back with fhir.resources (R4 4.0.1 models): the Bundle is parsed
and validated by the library, then turned into the diary's own values, by the codes
docs/fhir.md documents, to compare with what the database holds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fhir.resources import __fhir_version__
from fhir.resources.bundle import Bundle

from diary.models import DiaryEntry, DoseLog, DosePlan, Patient, QuestionnaireResponse
from diary.services.entries import ENTRY_FIELDS

assert __fhir_version__ == "4.0.1"  # R4, not R4B or R5

LOINC_PAIN = ("http://loinc.org", "72514-3")
# the fields that travel as components of the headache Observation (docs/fhir.md)
DETAILS = tuple(
    name for name in ENTRY_FIELDS if name not in ("pain_score", "headache", "migraine", "sleep_quality", "note")
)
HEADACHE_LEVELS = {"headache.none": 0, "headache.mild": 1, "headache.moderate": 2, "headache.severe": 3}
SEVERITIES = {"severity.mild": 1, "severity.moderate": 2, "severity.severe": 3}
EVENT_TIMING = {"MORN": "morning", "HS": "bedtime"}


def parse(raw: bytes | str) -> Bundle:
    bundle = Bundle.parse_raw(raw)
    assert bundle.type == "collection"
    return bundle


def resources(bundle: Bundle) -> list[Any]:
    return [entry.resource for entry in bundle.entry or []]


def _code(concept: Any, system: str) -> str:
    codes = [c.code for c in concept.coding if c.system == system]
    assert len(codes) == 1, concept
    return codes[0]


def _ref(reference: Any) -> str:
    return reference.reference


def read_back(bundle: Bundle, system: str) -> dict[str, Any]:
    """The diary days, doses and plans of the Bundle, keyed as the database keys them."""
    by_url = {entry.fullUrl: entry.resource for entry in bundle.entry}
    patients = [r for r in by_url.values() if r.resource_type == "Patient"]
    assert len(patients) == 1
    patient_url = next(url for url, r in by_url.items() if r.resource_type == "Patient")
    days: dict[date, dict[str, Any]] = defaultdict(lambda: {"side_effects": [], "acute_medications": []})
    doses: dict[date, tuple[Any, ...]] = {}
    plans: list[dict[str, Any]] = []
    statements: list[dict[str, Any]] = []
    windows: dict[tuple[date, date], dict[str, Any]] = defaultdict(dict)
    questionnaires: dict[str, dict[str, str]] = {}
    responses: list[dict[str, Any]] = []
    for url, r in by_url.items():
        assert r.id is not None
        assert url == f"urn:uuid:{r.id}"
        kind = r.resource_type
        if kind == "Observation":
            assert _ref(r.subject) == patient_url
            assert [c.code for cat in r.category for c in cat.coding] == ["survey"]
            if r.effectivePeriod is not None:
                code = _code(r.code, system).removeprefix("monthly.")
                key = (r.effectivePeriod.start, r.effectivePeriod.end)
                windows[key][code] = r.valueInteger if r.valueQuantity is None else r.valueQuantity.value
                continue
            assert [_ref(p) for p in r.performer] == [patient_url]
            day = days[r.effectiveDateTime]
            day["status"] = r.status
            if any((c.system, c.code) == LOINC_PAIN for c in r.code.coding):
                day["pain_score"] = r.valueInteger
                continue
            code = _code(r.code, system)
            if code == "headache":
                day["headache"] = HEADACHE_LEVELS[_code(r.valueCodeableConcept, system)]
                for component in r.component or []:
                    name = _code(component.code, system)
                    q = component.valueQuantity
                    day[name] = component.valueBoolean if q is None else q.value
            elif code in ("migraine",):
                day[code] = r.valueBoolean
            elif code == "sleep_quality":
                day[code] = r.valueInteger
            elif code == "note":
                day[code] = r.valueString
            elif code.startswith("side_effect."):
                (limited,) = r.component
                assert _code(limited.code, system) == "limited_activities"
                kind_ = code.removeprefix("side_effect.")
                day["side_effects"].append(
                    (
                        kind_,
                        SEVERITIES[_code(r.valueCodeableConcept, system)],
                        limited.valueBoolean,
                        r.code.text or "" if kind_ == "other" else "",
                    )
                )
            elif code == "acute_medication":
                parts = {_code(c.code, system): c.valueBoolean for c in r.component}
                value = r.valueCodeableConcept
                day["acute_medications"].append(
                    (
                        _code(value, system).removeprefix("med_class."),
                        value.text or "",
                        parts["for_headache"],
                        parts["contains_opioid"],
                    )
                )
            else:
                raise AssertionError(f"unexpected code {code}")
        elif kind == "MedicationAdministration":
            assert _ref(r.subject) == patient_url
            assert [_ref(p.actor) for p in r.performer] == [patient_url]
            (extension,) = r.extension
            time_of_day = extension.valueCoding.code.removeprefix("time_of_day.")
            effective = r.effectiveDateTime
            if isinstance(effective, datetime):
                dose_day, taken_at = effective.date(), effective.time().replace(tzinfo=None)
            else:
                dose_day, taken_at = effective, None
            assert dose_day not in doses
            mg = r.dosage.dose.value if r.dosage is not None else None
            assert r.dosage is None or r.dosage.dose.code == "mg"
            doses[dose_day] = (r.status == "completed", mg, time_of_day, taken_at)
        elif kind == "MedicationRequest":
            assert _ref(r.subject) == patient_url
            steps = sorted(r.dosageInstruction or [], key=lambda d: d.sequence)
            assert [d.sequence for d in steps] == list(range(1, len(steps) + 1))
            plans.append(
                {
                    "status": r.status,
                    "authored": r.authoredOn,
                    "steps": [
                        (
                            d.timing.repeat.boundsPeriod.start,
                            d.doseAndRate[0].doseQuantity.value,
                            EVENT_TIMING.get((d.timing.repeat.when or ["other"])[0], "other"),
                        )
                        for d in steps
                    ],
                    "ends": [d.timing.repeat.boundsPeriod.end for d in steps],
                }
            )
        elif kind == "MedicationStatement":
            assert _ref(r.informationSource) == patient_url
            (dosage,) = r.dosage
            statements.append(
                {
                    "status": r.status,
                    "start": r.effectivePeriod.start,
                    "end": r.effectivePeriod.end,
                    "mg": dosage.doseAndRate[0].doseQuantity.value,
                    "doses": [_ref(d) for d in r.derivedFrom],
                }
            )
        elif kind == "Questionnaire":
            questionnaires[r.url] = {item.linkId: item.type for item in r.item}
        elif kind == "QuestionnaireResponse":
            assert _ref(r.subject) == patient_url
            (entered_by,) = [e.valueCode for e in r.extension or []]
            author = _ref(r.author) if entered_by == "patient" else r.author.display
            answers: dict[str, Any] = {}
            for item in r.item:
                (answer,) = item.answer
                answers[item.linkId] = (
                    answer.valueInteger if answer.valueInteger is not None else answer.valueCoding.code
                )
            responses.append(
                {
                    "questionnaire": r.questionnaire,
                    "authored": r.authored,
                    "entered_by": entered_by,
                    "author": author,
                    "answers": answers,
                }
            )
        elif kind != "Patient":
            raise AssertionError(f"unexpected resource {kind}")
    for response in responses:  # every response names a Questionnaire of the Bundle, and its items
        assert set(response["answers"]) <= set(questionnaires[response["questionnaire"]]), response
    return {
        "days": dict(days),
        "doses": doses,
        "plans": plans,
        "statements": statements,
        "windows": dict(windows),
        "questionnaires": responses,
        "patient_url": patient_url,
    }


def stored(patient: Patient) -> dict[str, Any]:
    """The same values straight from the database."""
    days = {}
    for entry in DiaryEntry.objects.filter(patient=patient).prefetch_related("side_effects", "acute_medications"):
        day: dict[str, Any] = {
            "status": "final" if entry.version == 1 else "amended",
            "pain_score": entry.pain_score,
            "headache": entry.headache,
            "side_effects": sorted(
                (s.kind, s.severity, s.limited_activities, s.other_text) for s in entry.side_effects.all()
            ),
            "acute_medications": sorted(
                (m.med_class, m.name, m.for_headache, m.contains_opioid) for m in entry.acute_medications.all()
            ),
        }
        for name in ("migraine", "sleep_quality", *DETAILS):
            value = getattr(entry, name)
            if value is not None:
                day[name] = value
        if entry.note:
            day["note"] = entry.note
        days[entry.date] = day
    doses = {
        log.date: (log.taken, log.mg, log.time_of_day, log.taken_at) for log in DoseLog.objects.filter(patient=patient)
    }
    plans = [
        {
            "status": "active" if plan.stopped_on is None else "stopped",
            "steps": [(s.start_date, s.mg, s.time_of_day) for s in plan.steps.order_by("start_date")],
        }
        for plan in DosePlan.objects.filter(patient=patient).order_by("created_at")
    ]
    return {"days": days, "doses": doses, "plans": plans, "questionnaires": stored_questionnaires(patient)}


def stored_questionnaires(patient: Patient) -> list[tuple[Any, ...]]:
    """(instrument, completed_on, entered_by, answers as the Bundle's items) per response."""
    out = []
    for r in QuestionnaireResponse.objects.filter(patient=patient).order_by("completed_on", "created_at", "pk"):
        items: dict[str, Any] = {}
        if r.instrument == "midas" and r.answers.get("items"):
            items = {str(i): v for i, v in enumerate(r.answers["items"], start=1)}
            items |= {k.upper(): r.answers[k] for k in ("a", "b") if r.answers.get(k) is not None}
        elif r.instrument == "hit6" and r.answers.get("answers"):
            items = {str(i): f"hit6_answer.{a}" for i, a in enumerate(r.answers["answers"], start=1)}
        elif r.instrument == "pgic" and r.answers.get("answer") is not None:
            items = {"pgic": f"pgic_answer.{r.answers['answer']}"}
        out.append((r.instrument, r.completed_on, r.entered_by, items | {"total": r.total}))
    return out


def comparable(read: dict[str, Any]) -> dict[str, Any]:
    """The read-back values in the shapes of ``stored`` (lists sorted, numbers as Decimal)."""
    days = {}
    for day, values in read["days"].items():
        values = dict(values)
        values["side_effects"] = sorted(values["side_effects"])
        values["acute_medications"] = sorted(values["acute_medications"])
        if "headache_hours" in values:
            values["headache_hours"] = Decimal(values["headache_hours"])
        days[day] = values
    plans = [
        {"status": p["status"], "steps": [(start, Decimal(mg), when) for start, mg, when in p["steps"]]}
        for p in sorted(read["plans"], key=lambda p: p["authored"])
    ]
    doses = {day: (t, None if mg is None else Decimal(mg), w, at) for day, (t, mg, w, at) in read["doses"].items()}
    questionnaires = [
        (q["questionnaire"].rsplit("/", 1)[1], q["authored"], q["entered_by"], q["answers"])
        for q in read["questionnaires"]
    ]
    return {"days": days, "doses": doses, "plans": plans, "questionnaires": questionnaires}
