"""The local FHIR CodeSystem of the diary's items (CLINICAL.md §10), served by the instance.

No verified LOINC code exists for headache severity, migraine yes/no, sleep quality, the
side effects, the acute medicine classes or the derived 28-day counts (see
reference/clinical-research.md §7.1), so they are coded here. The answer lists (side
effects, medicine classes, severities, times of day, stop reasons) are generated from
``diary.choices``: a value added there is a code here.

A child concept's code is ``<parent>.<value>`` (``side_effect.vivid_dreams``); an item's
code is the API's field name (``sleep_quality``), so docs/api.md, the CSV and the FHIR
export name things alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse

from diary.analysis import rules
from diary.choices import HeadacheLevel, MedicineClass, SideEffectKind, SideEffectSeverity, StopReason, TimeOfDay
from diary.questionnaire_forms import HIT6_ANSWER_LABELS, PGIC_ANSWERS

CODE_SYSTEM_ID = "ldn-diary"
# Raised when a concept's meaning changes (a new concept alone does not change the old ones).
CODE_SYSTEM_VERSION = "1"

LOINC = "http://loinc.org"
PAIN_LOINC = "72514-3"
PAIN_LOINC_DISPLAY = "Pain severity - 0-10 verbal numeric rating [Score] - Reported"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

# Parents of the answer lists, and the medication.
HEADACHE = "headache"
SIDE_EFFECT = "side_effect"
SEVERITY = "severity"
MED_CLASS = "med_class"
TIME_OF_DAY = "time_of_day"
STOP_REASON = "stop_reason"
MONTHLY = "monthly"
LDN = "ldn"
HIT6_ANSWER = "hit6_answer"
PGIC_ANSWER = "pgic_answer"

# The diary day's items other than the pain score (LOINC), by API field name:
# (display, definition). tests/diary/fhir checks that every field of
# diary.services.entries.ENTRY_FIELDS is here or coded otherwise.
DAY_ITEMS: dict[str, tuple[str, str]] = {
    "headache": ("Peak headache today", "Peak headache severity on the diary day: none, mild, moderate or severe."),
    "migraine": ("Was it a migraine?", "The patient's own judgement whether the day's headache was a migraine."),
    "sleep_quality": (
        "Sleep quality last night",
        "Sleep quality of the night before the diary day, 0 terrible to 10 excellent.",
    ),
    "headache_hours": ("Headache duration", "Hours with a headache on the diary day (0-24)."),
    "one_sided": ("One-sided headache", "Migraine feature: the headache was on one side."),
    "pulsating": ("Pulsating headache", "Migraine feature: the headache was pulsating."),
    "worse_with_activity": ("Worse with activity", "Migraine feature: the headache got worse with routine activity."),
    "nausea_vomiting": ("Nausea or vomiting", "Migraine feature: nausea or vomiting with the headache."),
    "light_sensitivity": ("Light sensitivity", "Migraine feature: sensitivity to light with the headache."),
    "sound_sensitivity": ("Sound sensitivity", "Migraine feature: sensitivity to sound with the headache."),
    "aura_minutes": ("Aura duration", "Minutes of migraine aura on the diary day."),
    "note": ("Diary note", "The patient's free-text note for the diary day."),
}
# Components of a side-effect and an acute-medicine Observation.
PART_ITEMS: dict[str, tuple[str, str]] = {
    "limited_activities": (
        "Stopped or limited usual activities",
        "The side effect stopped or limited the patient's usual activities that day.",
    ),
    "acute_medication": (
        "Acute medicine taken",
        "An acute medicine taken on the diary day; the value is its class, the text its name if given.",
    ),
    "for_headache": ("Taken for a headache", "The acute medicine was taken for a headache."),
    "contains_opioid": ("Contains an opioid", "The acute medicine contains an opioid."),
}
# The derived counts of a 28-day window (CLINICAL.md §3, §4, §11.1-11.2), raw and not pro-rated:
# a rate per 28 days is count x 28 / days_logged.
MONTHLY_ITEMS: dict[str, tuple[str, str]] = {
    "days_logged": ("Days logged in 28 days", "Days of the 28-day window with a diary entry."),
    "headache_days": (
        "Headache days in 28 days",
        "Logged days of the window that were headache days (CLINICAL.md §3, §11.1).",
    ),
    "moderate_severe_days": (
        "Moderate or severe headache days in 28 days",
        "Logged days of the window that were headache days with a peak headache of moderate or severe.",
    ),
    "migraine_days": (
        "Migraine days in 28 days",
        "Logged days of the window that were migraine days (CLINICAL.md §3, §11.2, Leiden 2023).",
    ),
    "acute_medication_days": (
        "Acute medication days in 28 days",
        "Days of the window with at least one acute medicine of any class.",
    ),
    "mean_pain": (
        "Mean pain score over 28 days",
        "Mean of the daily pain scores (0-10) over the logged days of the window.",
    ),
}


@dataclass(frozen=True)
class Concept:
    code: str
    display: str
    definition: str
    children: tuple[Concept, ...] = ()


def child_code(parent: str, member: Any) -> str:
    """An answer's code: integer choices by name (``headache.moderate``), text ones by value."""
    value = member.name.lower() if isinstance(member.value, int) else str(member.value)
    return f"{parent}.{value}"


def _answers(parent: str, choices: type[models.Choices]) -> tuple[Concept, ...]:
    return tuple(Concept(child_code(parent, member), str(member.label), f"{member.label}.") for member in choices)


def concepts() -> tuple[Concept, ...]:
    headache_display, headache_definition = DAY_ITEMS[HEADACHE]
    items = [
        Concept(HEADACHE, headache_display, headache_definition, _answers(HEADACHE, HeadacheLevel)),
        *(Concept(code, display, definition) for code, (display, definition) in DAY_ITEMS.items() if code != HEADACHE),
        Concept(
            SIDE_EFFECT,
            "Side effect",
            "A side effect the patient reported on the diary day; the value is its severity.",
            _answers(SIDE_EFFECT, SideEffectKind),
        ),
        Concept(
            SEVERITY, "Side-effect severity", "How severe a side effect was.", _answers(SEVERITY, SideEffectSeverity)
        ),
        *(Concept(code, display, definition) for code, (display, definition) in PART_ITEMS.items()),
        Concept(
            MED_CLASS, "Acute medicine class", "The class of an acute medicine.", _answers(MED_CLASS, MedicineClass)
        ),
        Concept(
            MONTHLY,
            "Derived 28-day counts",
            "Counts over a 28-day window of the diary, derived by the diary from the daily items.",
            tuple(Concept(f"{MONTHLY}.{code}", d, definition) for code, (d, definition) in MONTHLY_ITEMS.items()),
        ),
        Concept(
            LDN, "Low-dose naltrexone (LDN)", "Naltrexone taken by mouth at a low dose (usually 0.5-4.5 mg a day)."
        ),
        Concept(
            TIME_OF_DAY,
            "Time of day of a dose",
            "When the dose was taken or is to be taken.",
            _answers(TIME_OF_DAY, TimeOfDay),
        ),
        Concept(
            STOP_REASON,
            "Reason a plan was stopped",
            "Why the clinician stopped the plan.",
            _answers(STOP_REASON, StopReason),
        ),
        Concept(
            HIT6_ANSWER,
            "HIT-6 answer",
            "An answer to a HIT-6 item (CLINICAL.md §12.1): scored 6, 8, 10, 11 and 13.",
            tuple(
                Concept(f"{HIT6_ANSWER}.{value}", label, f"{label} (scores {rules.HIT6_SCORES[value]}).")
                for value, label in zip(rules.HIT6_ANSWERS, HIT6_ANSWER_LABELS, strict=True)
            ),
        ),
        Concept(
            PGIC_ANSWER,
            "PGIC answer",
            "The Patient Global Impression of Change, 1 very much improved to 7 very much worse.",
            tuple(
                Concept(f"{PGIC_ANSWER}.{n}", label, f"{n}: {label}.")
                for n, label in enumerate(PGIC_ANSWERS, start=rules.PGIC_MIN)
            ),
        ),
    ]
    return tuple(items)


def _walk(items: tuple[Concept, ...]) -> Iterator[Concept]:
    for concept in items:
        yield concept
        yield from _walk(concept.children)


def displays() -> dict[str, str]:
    """Every code's display, for the codings in the Bundle."""
    return {concept.code: concept.display for concept in _walk(concepts())}


def system_url() -> str:
    """The CodeSystem's canonical URL: where this instance serves it."""
    return settings.SITE_URL.rstrip("/") + reverse("fhir-code-system")


def time_of_day_extension_url() -> str:
    """The extension that carries a logged dose's time of day (MedicationAdministration has no
    element for it). An identifier: no StructureDefinition is served there."""
    return settings.SITE_URL.rstrip("/") + "/api/v1/fhir/StructureDefinition/dose-time-of-day"


def _concept_json(concept: Concept) -> dict[str, Any]:
    out: dict[str, Any] = {"code": concept.code, "display": concept.display, "definition": concept.definition}
    if concept.children:
        out["concept"] = [_concept_json(child) for child in concept.children]
    return out


def code_system() -> dict[str, Any]:
    """The CodeSystem resource (FHIR R4)."""
    items = concepts()
    return {
        "resourceType": "CodeSystem",
        "id": CODE_SYSTEM_ID,
        "url": system_url(),
        "version": CODE_SYSTEM_VERSION,
        "name": "LdnDiary",
        "title": "LDN Diary items",
        "status": "active",
        "experimental": False,
        "publisher": "LDN Diary",
        "description": (
            "The items of the LDN Diary (a symptom and headache diary for people taking low-dose naltrexone) "
            "that have no verified LOINC code: the daily items, the side effects, the acute medicine classes "
            "and the counts derived over 28-day windows. See docs/fhir.md of the project."
        ),
        "caseSensitive": True,
        "hierarchyMeaning": "grouped-by",
        "content": "complete",
        "count": sum(1 for _ in _walk(items)),
        "concept": [_concept_json(concept) for concept in items],
    }
