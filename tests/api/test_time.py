"""The API's view of "today" for patients in Berlin and New York, across both DST changes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from tests.factories import PatientFactory


@pytest.fixture
def berlin(db):
    return PatientFactory.create(time_zone="Europe/Berlin")


@pytest.fixture
def new_york(db):
    return PatientFactory.create(time_zone="America/New_York")


def client_for(patient):
    from tests.conftest import Api

    return Api().as_user(patient.user)


CASES = [
    # (who, UTC instant, proposed day, latest allowed date)
    ("berlin", "2026-11-21T00:30:00Z", "2026-11-20", "2026-11-21"),  # 01:30 local: yesterday by default
    ("berlin", "2026-03-29T01:30:00Z", "2026-03-28", "2026-03-29"),  # 03:30 CEST, the night of spring forward
    ("berlin", "2026-03-29T02:00:00Z", "2026-03-29", "2026-03-29"),
    ("berlin", "2026-10-25T01:30:00Z", "2026-10-24", "2026-10-25"),  # the repeated 02:30 of fall back
    ("berlin", "2026-10-25T03:00:00Z", "2026-10-25", "2026-10-25"),
    ("new_york", "2026-03-08T07:30:00Z", "2026-03-07", "2026-03-08"),  # 03:30 EDT
    ("new_york", "2026-03-08T08:00:00Z", "2026-03-08", "2026-03-08"),
    ("new_york", "2026-11-01T06:30:00Z", "2026-10-31", "2026-11-01"),  # the second 01:30 (EST)
    ("new_york", "2026-11-01T09:00:00Z", "2026-11-01", "2026-11-01"),
    ("new_york", "2026-11-22T03:00:00Z", "2026-11-21", "2026-11-21"),  # 22:00 local, already 22nd in UTC
]


@pytest.mark.parametrize(("who", "instant", "proposed", "latest"), CASES)
def test_today_and_future_dates(db, request, who, instant, proposed, latest):
    patient = request.getfixturevalue(who)
    api = client_for(patient)
    with time_machine.travel(instant, tick=False):
        today = api.call("GET", "/api/v1/me/today").json_body
        assert (today["date"], today["calendar_date"]) == (proposed, latest)
        assert api.call("PUT", f"/api/v1/me/entries/{latest}", {"pain_score": 1, "headache": 0}).status_code == 201
        tomorrow = (date.fromisoformat(latest) + timedelta(days=1)).isoformat()
        refused = api.call("PUT", f"/api/v1/me/entries/{tomorrow}", {"pain_score": 1, "headache": 0})
        assert refused.status_code == 400
        assert "date" in refused.json_body["errors"]


def test_changing_the_time_zone(berlin):
    api = client_for(berlin)
    bad = api.call("PATCH", "/api/v1/me/profile", {"time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 400
    assert "time_zone" in bad.json_body["errors"]
    berlin.refresh_from_db()
    assert berlin.time_zone == "Europe/Berlin"
    with time_machine.travel("2026-11-22T03:00:00Z", tick=False):  # 04:00 Berlin, 22:00 New York
        assert api.call("GET", "/api/v1/me/today").json_body["date"] == "2026-11-22"
        moved = api.call("PATCH", "/api/v1/me/profile", {"time_zone": "America/New_York"})
        assert moved.status_code == 200
        assert api.call("GET", "/api/v1/me/today").json_body["date"] == "2026-11-21"
