"""The app's copy of the server's input rules (frontend/src/rules.gen.ts) is generated from
the serializers and constants the server validates with (api/rules_ts.py), never typed by
hand: this fails when the committed module is out of date, and checks at each generated
limit that the server itself accepts the limit and refuses one step past it."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest

from api.rules_ts import TARGET, module, rules
from diary.dates import local_calendar_date
from diary.models import DiaryEntry, DoseLog

pytestmark = pytest.mark.usefixtures("frozen")


def test_the_committed_module_is_what_the_generator_writes_now():
    assert TARGET.read_text() == module(), "frontend/src/rules.gen.ts is out of date: run `manage.py rules_ts`"


def _put(api, day: str, body: dict) -> int:
    return int(api.call("PUT", f"/api/v1/me/entries/{day}", {"pain_score": 3, "headache": 0, **body}).status_code)


@pytest.mark.parametrize("field", ["pain_score", "headache", "sleep_quality", "headache_hours", "aura_minutes"])
def test_each_numeric_limit_of_a_day_is_the_servers(cast, field):
    spec = rules()["ENTRY"][field]
    api = cast.client("alice")
    step = 1 if spec.get("integer") else Decimal(1) / 10 ** spec["decimals"]
    assert _put(api, "2026-11-20", {field: spec["max"]}) in (200, 201)
    assert _put(api, "2026-11-19", {field: spec["min"]}) in (200, 201)
    too_high = spec["max"] + step
    assert _put(api, "2026-11-18", {field: float(too_high) if isinstance(too_high, Decimal) else too_high}) == 400
    assert _put(api, "2026-11-17", {field: spec["min"] - 1}) == 400


def test_text_lengths_and_choices_of_a_day_are_the_servers(cast):
    r = rules()
    api = cast.client("alice")
    assert _put(api, "2026-11-20", {"note": "x" * r["ENTRY"]["note"]["maxLength"]}) in (200, 201)
    assert _put(api, "2026-11-19", {"note": "x" * (r["ENTRY"]["note"]["maxLength"] + 1)}) == 400
    for kind in r["SIDE_EFFECT"]["kind"]["choices"]:
        body = {"side_effects": [{"kind": kind, "severity": 1, "other_text": "itch"}]}
        assert _put(api, "2026-11-18", body) in (200, 201), kind
    for med_class in r["MEDICINE"]["med_class"]["choices"]:
        assert _put(api, "2026-11-17", {"acute_medications": [{"med_class": med_class}]}) in (200, 201), med_class
    other_without_text = {"side_effects": [{"kind": r["SIDE_EFFECT_NEEDS_TEXT"], "severity": 1, "other_text": " "}]}
    assert _put(api, "2026-11-16", other_without_text) == 400
    assert not DiaryEntry.objects.filter(date="2026-11-16").exists()


def test_the_days_a_diary_entry_may_have_are_the_servers(cast):
    api = cast.client("alice")
    today = local_calendar_date(cast.alice.time_zone)
    limit = rules()["BACKDATE_LIMIT_DAYS"]
    assert _put(api, (today - timedelta(days=limit)).isoformat(), {}) in (200, 201)
    assert _put(api, (today - timedelta(days=limit + 1)).isoformat(), {}) == 400
    assert _put(api, (today + timedelta(days=1)).isoformat(), {}) == 400


def test_a_dose_without_an_amount_needs_a_plan_and_the_amount_limits_are_the_servers(cast):
    r = rules()
    assert r["DOSE_TAKEN_NEEDS_MG_WITHOUT_PLAN"] is True
    api = cast.client("alice")  # alice has no plan

    def post(**fields):
        body = {"client_id": str(uuid.uuid4()), "date": "2026-11-21", "taken": True, **fields}
        return api.call("POST", "/api/v1/me/doses", body).status_code

    assert post() == 400
    assert post(mg=r["DOSE"]["mg"]["max"] + 0.01) == 400
    assert post(mg=0) == 400
    assert not DoseLog.objects.exists()
    assert post(mg=r["DOSE"]["mg"]["max"]) == 201
