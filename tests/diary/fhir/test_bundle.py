"""The FHIR R4 Bundle of a patient's diary (diary/fhir/bundle.py), read back with fhir.resources.

The demo patients are written by seed_demo's own generator through the real services, as
`make run` writes them; every resource of their Bundles must validate, and reading the
Bundle back must give every diary value, dose and plan step the database holds.
"""

from __future__ import annotations

import itertools
import json
import random
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.utils import timezone

from diary.analysis.engine import analyse
from diary.demo.generate import history_build
from diary.demo.profiles import PROFILES
from diary.demo.seed import patient_seed
from diary.fhir.bundle import CHUNK_CHARS, bundle_stream
from diary.fhir.codes import system_url
from diary.models import DiaryEntry, DoseLog, Patient
from diary.selectors import export_gather, histories_load
from diary.services.dosing import plan_stop
from diary.services.entries import entry_record
from diary.services.inputs import EntryData
from tests.diary.fhir.reader import comparable, parse, read_back, resources, stored
from tests.factories import ClinicianFactory, PatientFactory, plan_for

NOW = datetime.fromisoformat("2026-11-21T12:00:00+00:00")


def export(patient: Patient, now: datetime = NOW) -> bytes:
    return b"".join(bundle_stream(export_gather(patient), now))


@pytest.fixture
def demo(db: Any) -> list[Patient]:
    """Every demo profile, as seed_demo writes it (fixed seed, fixed now)."""
    clinician = ClinicianFactory.create(user__display_name="Dr Maya Okafor")
    password_hash = make_password("demo")
    with time_machine.travel(NOW, tick=False):
        for profile in PROFILES:
            patient_seed(history_build(profile, NOW, random.Random(f"42:{profile.key}")), clinician, password_hash)
    return list(Patient.objects.select_related("user").order_by("pk"))


def test_demo_bundles_validate_and_give_back_every_value(demo: list[Patient]) -> None:
    """Every resource validates; every diary value, dose and plan step comes back; the
    28-day window before the first dose is the baseline month the insights engine uses."""
    system = system_url()
    kinds: set[str] = set()
    for patient in demo:
        bundle = parse(export(patient))
        items = resources(bundle)
        kinds |= {r.resource_type for r in items}
        assert len({r.id for r in items}) == len(items)  # ids are unique

        back = read_back(bundle, system)
        want = stored(patient)
        got = comparable(back)
        assert got["days"] == want["days"], patient.user.email
        assert got["doses"] == want["doses"], patient.user.email
        assert got["plans"] == want["plans"], patient.user.email
        assert got["questionnaires"] == want["questionnaires"], patient.user.email
        for response in back["questionnaires"]:  # a patient's own response is authored by them
            assert (response["author"] == back["patient_url"]) is (response["entered_by"] == "patient")

        # every dose taken belongs to exactly one statement of the regimen, in date order
        statements = sorted(back["statements"], key=lambda s: s["start"])
        taken = list(DoseLog.objects.filter(patient=patient, taken=True).order_by("date"))
        assert sum(len(s["doses"]) for s in statements) == len(taken)
        assert [s["status"] for s in statements[:-1]] == ["completed"] * (len(statements) - 1)
        assert statements[-1]["status"] == ("stopped" if patient.plans.get().stopped_on else "active")
        for before, after in itertools.pairwise(statements):
            assert before["mg"] != after["mg"]

        with time_machine.travel(NOW, tick=False):
            history = histories_load([patient.pk], now=NOW)[patient.pk]
        baseline = analyse(history).summary["baseline"]["diary_window"]
        windows = back["windows"]
        counts = windows[(date.fromisoformat(baseline["start"]), date.fromisoformat(baseline["end"]))]
        assert counts["days_logged"] == baseline["days_logged"]
        assert counts["headache_days"] == baseline["headache_days"]
        assert counts["moderate_severe_days"] == baseline["moderate_severe_days"]
        assert counts["migraine_days"] == baseline["migraine_days"]
        assert float(counts["mean_pain"]) == pytest.approx(baseline["mean_pain"], abs=0.005)
        # whole windows only, back to back, none ending after today
        starts = sorted(start for start, _ in windows)
        assert all((b - a).days % 28 == 0 for a, b in itertools.pairwise(starts))
        assert all(end - start == timedelta(days=27) for start, end in windows)
        assert max(end for _, end in windows) <= history.as_of
    assert kinds == {
        "Patient",
        "Observation",
        "MedicationAdministration",
        "MedicationStatement",
        "MedicationRequest",
        "Questionnaire",
        "QuestionnaireResponse",
    }


def test_window_counts_follow_the_day_types(db: Any) -> None:
    """A hand-made month: raw counts, a migraine day by aura alone, a medicine day without a headache."""
    ClinicianFactory.create()
    patient = PatientFactory.create(time_zone="UTC")
    first_dose = date(2026, 11, 1)
    with time_machine.travel(NOW, tick=False):
        for k in range(28):
            day = first_dose - timedelta(days=28 - k)
            if k in (3, 4):
                continue  # missing days are missing, not headache-free
            data: EntryData = {"pain_score": 2 + k % 3, "headache": 2 if k % 7 == 0 else 0}
            if k == 10:
                data["aura_minutes"] = 20  # a migraine day (criterion 2), hence a headache day
            if k == 12:
                data["acute_medications"] = [{"med_class": "non_opioid_analgesic", "for_headache": False}]
            entry_record(patient=patient, day=day, data=data, actor=None)
        DoseLog.objects.create(
            patient=patient, date=first_dose, taken=True, mg=Decimal("1.5"), client_id=uuid.UUID(int=1)
        )
    windows = read_back(parse(export(patient)), system_url())["windows"]
    assert list(windows) == [(date(2026, 10, 4), date(2026, 10, 31))]
    counts = windows[(date(2026, 10, 4), date(2026, 10, 31))]
    logged = [k for k in range(28) if k not in (3, 4)]
    assert counts["days_logged"] == 26
    assert counts["moderate_severe_days"] == 4  # k = 0, 7, 14, 21
    assert counts["headache_days"] == 5  # and the aura day
    assert counts["migraine_days"] == 1
    assert counts["acute_medication_days"] == 1
    assert counts["mean_pain"] == Decimal(str(round(sum(2 + k % 3 for k in logged) / 26, 2)))


def test_a_second_export_gives_the_same_ids(db: Any) -> None:
    clinician = ClinicianFactory.create()
    patient = PatientFactory.create()
    today = date(2026, 11, 21)
    with time_machine.travel(NOW, tick=False):
        plan = plan_for(patient, clinician, [(today - timedelta(days=40), "1.5"), (today - timedelta(days=33), "3.0")])
        for k in range(60, 0, -1):
            day = today - timedelta(days=k)
            entry_record(
                patient=patient,
                day=day,
                data={
                    "pain_score": k % 11,
                    "headache": k % 4,
                    "side_effects": [{"kind": "nausea", "severity": 2}] if k % 5 == 0 else [],
                    "acute_medications": [{"med_class": "triptan", "name": "sumatriptan"}] if k % 6 == 0 else [],
                },
                actor=None,
            )
            if k <= 40:
                DoseLog.objects.create(
                    patient=patient,
                    date=day,
                    taken=k % 9 != 0,
                    mg=Decimal("1.5" if k > 33 else "3.0"),
                    client_id=uuid.UUID(int=k),
                )
    first = parse(export(patient))
    second = parse(export(patient, NOW + timedelta(hours=3)))  # later the same day
    assert [r.id for r in resources(first)] == [r.id for r in resources(second)]

    # an edited day keeps its ids; the content changes, and it says it was amended
    day = today - timedelta(days=10)
    with time_machine.travel(NOW + timedelta(hours=4), tick=False):
        entry_record(patient=patient, day=day, data={"pain_score": 9, "headache": 3}, actor=None)
        plan_stop(plan=plan, clinician=clinician, stopped_on=today, reason="no_benefit", note="")
    third = parse(export(patient, NOW + timedelta(hours=5)))
    before = {r.id: r for r in resources(first)}
    after = {r.id: r for r in resources(third)}
    pain = [r for r in after.values() if r.resource_type == "Observation" and r.effectiveDateTime == day]
    pain = [r for r in pain if r.code.coding[0].code == "72514-3"]
    assert len(pain) == 1
    assert pain[0].id in before
    assert (before[pain[0].id].valueInteger, pain[0].valueInteger, pain[0].status) == (10, 9, "amended")
    (request,) = [r for r in after.values() if r.resource_type == "MedicationRequest"]
    assert request.id in before
    assert request.status == "stopped"
    # only the edited day's side effect / medicine rows that no longer exist are gone
    assert set(before) - set(after) <= {r.id for r in resources(first) if getattr(r, "effectiveDateTime", None) == day}

    # another instance's export of the same rows has ids of its own
    with override_settings(SITE_URL="https://other.example.org"):
        elsewhere = parse(export(patient, NOW + timedelta(hours=5)))
    assert not {r.id for r in resources(elsewhere)} & set(after)


def test_dose_times_plans_and_the_patient(db: Any) -> None:
    clinician = ClinicianFactory.create(user__display_name="Dr Bob")
    patient = PatientFactory.create(
        user__email="alice@example.org", user__display_name="Alice", time_zone="America/New_York"
    )
    today = date(2026, 11, 21)
    with time_machine.travel(NOW, tick=False):
        plan = plan_for(
            patient,
            clinician,
            [
                (today - timedelta(days=14), "1.5"),
                (today - timedelta(days=7), "3.0"),
                (today + timedelta(days=7), "4.5"),
            ],
            target_mg=Decimal("4.5"),
        )
        plan.steps.filter(mg=Decimal("3.0")).update(time_of_day="morning")
        DoseLog.objects.create(
            patient=patient,
            date=today - timedelta(days=1),
            taken=True,
            mg=Decimal("3.0"),
            time_of_day="morning",
            taken_at=time(7, 15),
            client_id=uuid.UUID(int=1),
        )
        DoseLog.objects.create(
            patient=patient,
            date=today - timedelta(days=2),
            taken=False,
            mg=None,
            time_of_day="bedtime",
            client_id=uuid.UUID(int=2),
        )
    raw = export(patient)
    by_type: dict[str, list[dict[str, Any]]] = {}
    for entry in json.loads(raw)["entry"]:
        by_type.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    (person,) = by_type["Patient"]
    assert person["name"] == [{"text": "Alice"}]
    assert person["telecom"] == [{"system": "email", "value": "alice@example.org"}]
    assert person["identifier"][0]["value"] == str(patient.public_id)
    assert set(person) == {"resourceType", "id", "identifier", "name", "telecom"}  # nothing the diary does not hold

    taken, missed = sorted(by_type["MedicationAdministration"], key=lambda r: r["status"])
    # the patient's wall-clock time with New York's offset on that day (EST)
    assert taken["effectiveDateTime"] == "2026-11-20T07:15:00-05:00"
    assert taken["dosage"]["dose"] == {"value": 3, "unit": "mg", "system": "http://unitsofmeasure.org", "code": "mg"}
    assert (missed["status"], missed["effectiveDateTime"], "dosage" in missed) == ("not-done", "2026-11-19", False)

    (request,) = by_type["MedicationRequest"]
    assert request["requester"] == {"display": "Dr Bob"}
    steps = request["dosageInstruction"]
    assert [s["sequence"] for s in steps] == [1, 2, 3]
    assert [s["timing"]["repeat"]["boundsPeriod"] for s in steps] == [
        {"start": "2026-11-07", "end": "2026-11-13"},
        {"start": "2026-11-14", "end": "2026-11-27"},
        {"start": "2026-11-28"},
    ]
    assert [s["timing"]["repeat"].get("when") for s in steps] == [["HS"], ["MORN"], ["HS"]]
    (statement,) = by_type["MedicationStatement"]
    assert statement["dosage"][0]["timing"]["repeat"]["when"] == ["MORN"]
    assert statement["effectivePeriod"] == {"start": "2026-11-20"}
    assert "Questionnaire" not in by_type
    assert "QuestionnaireResponse" not in by_type


def test_the_bundle_streams_in_chunks_built_as_it_goes(db: Any, frozen: Any, django_assert_num_queries: Any) -> None:
    """A year's diary leaves in several chunks, and the first leaves before the last day's
    resources exist (they are built as the stream is read, not all at once). Every row was
    read before: writing the stream asks the database nothing."""
    patient = PatientFactory.create(time_zone="UTC")
    today = timezone.localdate()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(patient=patient, date=today - timedelta(days=k), pain_score=k % 11, headache=k % 4, note="x" * 200)
        for k in range(365)
    )
    plan_for(
        patient, ClinicianFactory.create(), [(today - timedelta(days=300), "1.5"), (today - timedelta(days=293), "3.0")]
    )
    DoseLog.objects.bulk_create(
        DoseLog(
            patient=patient, date=today - timedelta(days=k), taken=True, mg=Decimal("3.0"), client_id=uuid.UUID(int=k)
        )
        for k in range(290)
    )
    last_day = f'"effectiveDateTime":"{today.isoformat()}"'.encode()
    stream = bundle_stream(export_gather(patient), timezone.now())
    with django_assert_num_queries(0):
        first = next(stream)
        assert len(first) >= CHUNK_CHARS
        assert last_day not in first
        rest = list(stream)
    assert len(rest) >= 2
    assert last_day in b"".join(rest)
    parse(first + b"".join(rest))
