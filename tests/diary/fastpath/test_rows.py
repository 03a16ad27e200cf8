"""The diary save's hand-built INSERT / UPDATE / DELETE (diary/fastpath/rows.py) store
exactly what the ORM stores: the same rows, the same history events and the same
pghistory context rows, for the same PUTs."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.db.models import Model
from django.test.utils import CaptureQueriesContext
from pghistory.models import Context

from diary.fastpath import rows
from diary.models import AcuteMedication, DiaryEntry, EntryRevision, Patient, SideEffect
from diary.services.entries import entry_record
from diary.services.inputs import EntryData, MedicineData, SideEffectData
from tests.conftest import Api
from tests.factories import PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

DAY, OTHER_DAY = "2026-11-20", "2026-11-19"
SIDE_EFFECTS: list[SideEffectData] = [
    {"kind": "other", "severity": 2, "limited_activities": True, "other_text": "Itchy ankles"},
    {"kind": "nausea", "severity": 1},
]
MEDICINES: list[MedicineData] = [
    {"med_class": "triptan", "name": "Sumatriptan"},
    {"med_class": "opioid", "name": "Tramadol"},
]
FULL: dict[str, Any] = {  # an API body
    "pain_score": 7,
    "headache": 3,
    "migraine": True,
    "sleep_quality": 4,
    "headache_hours": "5.25",
    "one_sided": True,
    "pulsating": False,
    "worse_with_activity": None,
    "nausea_vomiting": True,
    "light_sensitivity": True,
    "sound_sensitivity": False,
    "aura_minutes": 30,
    "note": "Bad day: it's the weather",
    "client_id": "3f0b2c47-5a1d-4c8e-9b7e-2d6f1a0c9e11",
    "side_effects": SIDE_EFFECTS,
    "acute_medications": MEDICINES,
}
# (day, body, If-Match, expected status): creates with and without children, updates of the
# core only, of the children (to none, from none, changed), a replay and a stale If-Match.
PUTS: list[tuple[str, dict[str, Any], str | None, int]] = [
    (DAY, FULL, None, 201),
    (DAY, {**FULL, "pain_score": 5, "note": ""}, '"1"', 200),
    (DAY, {**FULL, "pain_score": 5, "note": ""}, None, 200),  # replay: nothing written
    (DAY, {**FULL, "pain_score": 5, "side_effects": [], "acute_medications": []}, None, 200),
    (DAY, {"pain_score": 2, "headache": 1, "side_effects": SIDE_EFFECTS[1:]}, None, 200),
    (
        DAY,
        {"pain_score": 2, "headache": 1, "side_effects": SIDE_EFFECTS[:1], "acute_medications": MEDICINES},
        None,
        200,
    ),
    (DAY, {"pain_score": 9, "headache": 1}, '"1"', 412),
    (OTHER_DAY, {"pain_score": 0, "headache": 0}, None, 201),
    (OTHER_DAY, {"pain_score": 1, "headache": 0, "acute_medications": MEDICINES[:1]}, '"1"', 200),
]
HISTORY_SKIP = {"pgh_id", "pgh_created_at", "pgh_obj_id", "pgh_context_id", "id"}


def stored(model: type[Model], patient: Patient, skip: set[str], order: tuple[str, ...]) -> list[dict[str, Any]]:
    """The patient's rows of `model` without their own keys, the patient's and the user's."""
    scope = {"patient": patient} if model is DiaryEntry else {"entry__patient": patient}
    out = []
    for row in model._default_manager.filter(**scope).order_by(*order).values():
        if "replaced_by_id" in row:
            assert row.pop("replaced_by_id") == patient.user_id
        out.append({k: v for k, v in row.items() if k not in skip})
    return out


def history(model: type[Model], patient: Patient) -> list[dict[str, Any]]:
    """The history events of the patient's rows, oldest first, each with its context."""
    events: Any = model.pgh_event_model.objects  # type: ignore[attr-defined]
    if model is DiaryEntry:
        events = events.filter(patient_id=patient.pk)
    else:
        events = events.filter(entry_id__in=list(patient.entries.values_list("pk", flat=True)))
    contexts = {c.id: c.metadata for c in Context.objects.all()}
    out = []
    for row in events.order_by("pgh_id").values():
        context = dict(contexts[row["pgh_context_id"]])
        if context.get("user") == patient.user_id:
            context["user"] = "the patient"
        out.append({k: v for k, v in row.items() if k not in HISTORY_SKIP | {"entry_id", "patient_id"}} | context)
    return out


def everything(patient: Patient) -> dict[str, Any]:
    return {
        "entries": stored(DiaryEntry, patient, {"id", "patient_id"}, ("date",)),
        "side_effects": stored(SideEffect, patient, {"id", "entry_id"}, ("entry__date", "kind")),
        "medicines": stored(AcuteMedication, patient, {"id", "entry_id"}, ("entry__date", "med_class")),
        "revisions": stored(EntryRevision, patient, {"id", "entry_id"}, ("entry__date", "version")),
        **{f"{model.__name__} history": history(model, patient) for model in (DiaryEntry, SideEffect, AcuteMedication)},
        "patient": Patient.objects.filter(pk=patient.pk).values("change_seq", "insights_stale_since").get(),
    }


def columns_written(statements: list[str]) -> set[tuple[str, str, tuple[str, ...]]]:
    """(verb, table, columns) of every INSERT and UPDATE sent."""
    out = set()
    for sql in statements:
        if match := re.search(r'INSERT INTO "(\w+)" \(([^)]*)\)', sql):
            out.add(("INSERT", match[1], tuple(re.findall(r'"(\w+)"', match[2]))))
        elif match := re.search(r'UPDATE "(\w+)" SET (.*?) WHERE', sql):
            out.add(("UPDATE", match[1], tuple(re.findall(r'"(\w+)" = ', match[2]))))
    return out


def put_all(patient: Patient) -> tuple[list[Any], list[str]]:
    api = Api().as_user(patient.user)
    answers = []
    with CaptureQueriesContext(connection) as captured:
        for day, body, if_match, status in PUTS:
            headers = {"HTTP_IF_MATCH": if_match} if if_match else {}
            response = api.call("PUT", f"/api/v1/me/entries/{day}", body, **headers)
            assert response.status_code == status, response.json_body
            answers.append(response.json_body)
    return answers, [q["sql"] for q in captured.captured_queries]


@pytest.mark.postgres_only("fast_paths")
def test_the_hand_built_statements_store_what_the_orm_stores(settings):
    by_hand, by_orm = PatientFactory.create(), PatientFactory.create()
    settings.FASTPATH = True
    hand_answers, hand_sql = put_all(by_hand)
    settings.FASTPATH = False  # the ORM's save / bulk_create / delete
    orm_answers, orm_sql = put_all(by_orm)

    assert hand_answers == orm_answers
    assert everything(by_hand) == everything(by_orm)
    # (the patient's change number is test_patient_change.py's: its hand-built UPDATE does not quote)
    assert {w for w in columns_written(hand_sql) if w[1] != "diary_patient"} == {
        w for w in columns_written(orm_sql) if w[1] != "diary_patient"
    }
    # The ORM path really was the ORM (its UPDATE names the table in its WHERE) and ours was not.
    orm_update = re.compile(r'UPDATE "diary_diaryentry" SET .* WHERE "diary_diaryentry"\."id" = ')
    assert any(orm_update.search(sql) for sql in orm_sql)
    assert not any(orm_update.search(sql) for sql in hand_sql)
    assert any('UPDATE "diary_diaryentry" SET' in sql for sql in hand_sql)


def test_nothing_stored_of_a_kind_means_no_delete_for_it():
    patient = PatientFactory.create()
    day = date(2026, 11, 20)
    entry_record(patient=patient, day=day, data={"pain_score": 1, "headache": 0}, actor=None)
    with CaptureQueriesContext(connection) as captured:
        entry_record(
            patient=patient, day=day, data={"pain_score": 1, "headache": 0, "side_effects": SIDE_EFFECTS}, actor=None
        )
    deletes = [q["sql"] for q in captured.captured_queries if "DELETE" in q["sql"]]
    assert deletes == []
    assert sorted(SideEffect.objects.values_list("kind", flat=True)) == ["nausea", "other"]


@pytest.mark.usefixtures("fastpath_on")
def test_the_written_children_answer_all_without_a_query_and_filter_from_the_database():
    patient, other = PatientFactory.create(), PatientFactory.create()
    day = date(2026, 11, 20)
    data: EntryData = {"pain_score": 1, "headache": 1, "side_effects": SIDE_EFFECTS, "acute_medications": MEDICINES}
    entry_record(patient=other, day=day, data=data, actor=None)  # rows a wrong filter would find
    changed: EntryData = {**data, "pain_score": 2}
    for step in (data, changed):  # written now; read with the entry
        entry = entry_record(patient=patient, day=day, data=step, actor=None).entry
        with CaptureQueriesContext(connection) as captured:
            kinds = [se.kind for se in entry.side_effects.all()]
            medicines = [m.name for m in entry.acute_medications.all()]
            count = entry.side_effects.count()
        assert captured.captured_queries == []
        assert sorted(kinds) == ["nausea", "other"]
        assert count == 2
        assert sorted(medicines) == ["Sumatriptan", "Tramadol"]
        # Anything that builds a new query asks the database, for this entry's rows only.
        assert list(entry.side_effects.filter(kind="nausea").values_list("entry_id", flat=True)) == [entry.pk]
        assert entry.side_effects.all().filter(severity__gte=1).count() == 2
        assert entry.acute_medications.exclude(name="Tramadol").get().name == "Sumatriptan"
        assert f'"entry_id" = {entry.pk}' in str(entry.side_effects.all().query)


@pytest.mark.postgres_only("fast_paths")
@pytest.mark.usefixtures("fastpath_on")
def test_an_update_of_a_missing_row_fails():
    patient = PatientFactory.create()
    entry = entry_record(patient=patient, day=date(2026, 11, 20), data={"pain_score": 1, "headache": 0}, actor=None)
    DiaryEntry.objects.filter(pk=entry.entry.pk).delete()
    with pytest.raises(DiaryEntry.DoesNotExist):
        rows.row_update(entry.entry)
