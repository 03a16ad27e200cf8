"""Query counts that must not grow: the clinician's list is constant in the number of
patients (DESIGN.md §4), and a diary write reads nothing back after writing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Api
from tests.factories import ClinicianFactory, PatientFactory, link

pytestmark = pytest.mark.usefixtures("frozen")


def count_queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    assert response.status_code < 300, response.json_body
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_patient_list_query_count_does_not_depend_on_the_number_of_patients():
    clinician = ClinicianFactory.create()
    api = Api().as_user(clinician.user)
    counts = []
    for total in (1, 5, 20):
        while clinician.clinic.care_links.count() < total:
            link(PatientFactory.create(), clinician)
        counts.append(count_queries(lambda: api.call("GET", "/api/v1/patients")))
    assert counts[0] == counts[1] == counts[2], counts


@pytest.mark.django_db
@pytest.mark.usefixtures("fastpath_on")
@pytest.mark.parametrize("children", [0, 3])
def test_a_diary_write_does_not_read_back(children):
    patient = PatientFactory.create()
    api = Api().as_user(patient.user)
    body = {
        "pain_score": 4,
        "headache": 1,
        "side_effects": [{"kind": k, "severity": 1} for k in ("nausea", "insomnia", "fatigue")[:children]],
    }
    api.call("GET", "/api/v1/me/profile")  # warm up
    with CaptureQueriesContext(connection) as captured:
        created = api.call("PUT", "/api/v1/me/entries/2026-11-20", body)
    assert created.status_code == 201
    statements = [q["sql"] for q in captured.captured_queries]
    inserted = next(i for i, sql in enumerate(statements) if 'INSERT INTO "diary_diaryentry"' in sql)
    read_back = [
        sql
        for sql in statements[inserted:]
        if any(f'FROM "diary_{table}"' in sql for table in ("diaryentry", "sideeffect", "acutemedication"))
    ]
    assert read_back == []
    assert len(statements) <= 8 + (children > 0), statements
    assert len(created.json_body["side_effects"]) == children
