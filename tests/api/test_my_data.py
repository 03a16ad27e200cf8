"""My data: export everything (JSON, CSV) and delete my account (issue 5 item 8)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from pghistory.models import Context

from diary.models import (
    AcuteMedication,
    AuditEvent,
    CareLink,
    DiaryEntry,
    DoseLog,
    DosePlan,
    DoseStep,
    EntryRevision,
    Flag,
    Patient,
    PatientInsight,
    PatientOutcome,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    ReportedBaseline,
    SideEffect,
    User,
    Verdict,
)
from diary.postgres_only import available
from diary.services.care import invitation_create
from diary.services.reminders import push_subscription_save
from tests.api.test_auth import BROWSER, Browser
from tests.conftest import Api
from tests.factories import PASSWORD, PatientFactory, link, plan_for

pytestmark = pytest.mark.usefixtures("frozen")

TODAY = date(2026, 11, 21)  # alice's local date at the frozen NOW (Berlin)
P256DH = "BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU"
AUTH = "MDEyMzQ1Njc4OWFiY2RlZg"


def day_body(pain: int, **extra: Any) -> dict[str, Any]:
    return {
        "pain_score": pain,
        "headache": 2,
        "migraine": True,
        "sleep_quality": 6,
        "headache_hours": 3.5,
        "side_effects": [
            {"kind": "vivid_dreams", "severity": 2, "limited_activities": True},
            {"kind": "other", "severity": 1, "other_text": "itchy skin"},
        ],
        "acute_medications": [{"med_class": "triptan", "name": "sumatriptan"}, {"med_class": "opioid"}],
        **extra,
    }


def fill(cast: Any, patient: Patient, api: Api, days: int) -> None:
    """`days` diary days (each edited once, so each has a revision), dose logs, plan, baseline,
    a questionnaire."""
    for back in range(days):
        day = (TODAY - timedelta(days=back)).isoformat()
        assert api.call("PUT", f"/api/v1/me/entries/{day}", day_body(3)).status_code == 201
        assert api.call("PUT", f"/api/v1/me/entries/{day}", day_body(4, note="better")).status_code == 200
        dose = {"client_id": str(uuid.uuid4()), "date": day, "taken": True, "mg": 1.5, "taken_at": "22:15"}
        assert api.call("POST", "/api/v1/me/doses", dose).status_code == 201
    plan_for(patient, cast.bob, [(TODAY - timedelta(days=20), "1.5"), (TODAY + timedelta(days=1), "3.0")])
    ReportedBaseline.objects.get_or_create(
        patient=patient, defaults={"monthly_headache_days": 12, "entered_by": cast.bob}
    )
    assert api.call("GET", "/api/v1/me/reminders").status_code == 200
    pgic = {"instrument": "pgic", "answers": {"answer": 2}}
    assert api.call("POST", "/api/v1/me/questionnaires", pgic).status_code == 201
    push_subscription_save(patient, endpoint=f"https://push.example.org/{patient.pk}", p256dh=P256DH, auth=AUTH)


def test_json_export_holds_everything_with_revisions(cast):
    alice = cast.client("alice")
    fill(cast, cast.alice, alice, days=2)
    # a dose logged on a day with no diary entry
    alice.call("POST", "/api/v1/me/doses", {"client_id": str(uuid.uuid4()), "date": "2026-11-10", "taken": False})

    response = alice.call("GET", "/api/v1/me/export?format=json")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ldn-diary-2026-11-21.json"'
    assert response["Cache-Control"] == "no-store, private"
    data = response.json_body
    assert (data["format"], data["format_version"]) == ("ldn-diary-export", 1)
    assert data["account"]["email"] == "alice@example.org"
    assert data["profile"]["time_zone"] == "Europe/Berlin"
    assert [e["date"] for e in data["entries"]] == ["2026-11-20", "2026-11-21"]
    today = data["entries"][1]
    assert (today["pain_score"], today["note"], today["version"]) == (4, "better", 2)
    assert {s["kind"] for s in today["side_effects"]} == {"vivid_dreams", "other"}
    assert [m["med_class"] for m in today["acute_medications"]] == ["triptan", "opioid"]
    # the earlier version is in the export too: nothing typed is lost
    assert [r["version"] for r in today["revisions"]] == [1]
    assert today["revisions"][0]["snapshot"]["pain_score"] == 3
    assert [d["date"] for d in data["dose_logs"]] == ["2026-11-10", "2026-11-20", "2026-11-21"]
    assert [s["mg"] for s in data["plans"][0]["steps"]] == [1.5, 3.0]
    assert data["reported_baseline"]["monthly_headache_days"] == 12
    assert [(c["clinic"], c["status"]) for c in data["care_links"]] == [(cast.bob.clinic.name, "active")]
    assert data["care_links"][0]["consented_at"] is not None
    assert sorted(r["kind"] for r in data["reminders"]) == ["diary", "dose"]
    assert len(data["push_devices"]) == 1
    assert [(q["instrument"], q["total"], q["completed_on"]) for q in data["questionnaires"]] == [
        ("pgic", 2, "2026-11-21")
    ]
    assert "push.example.org" not in response.content.decode()  # the push address is a credential
    # dora's diary is not in alice's export
    assert "dora" not in response.content.decode().lower()
    assert AuditEvent.objects.filter(actor_id=cast.alice.user.pk, action="me.export", patient=cast.alice).exists()


def test_json_is_the_default_format_even_when_a_browser_asks_for_html(cast):
    response = cast.client("alice").call("GET", "/api/v1/me/export", HTTP_ACCEPT="text/html,*/*;q=0.8")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json_body["entries"] == []


def test_export_query_count_does_not_grow_with_the_diary(cast):
    counts = []
    for patient, days in ((cast.alice, 1), (cast.dora, 25)):
        api = cast.client("alice" if patient == cast.alice else "dora")
        link(patient, cast.bob) if patient == cast.dora else None
        fill(cast, patient, api, days=days)
        api.call("GET", "/api/v1/me/profile")  # warm up
        for fmt in ("json", "csv"):
            with CaptureQueriesContext(connection) as captured:
                response = api.call("GET", f"/api/v1/me/export?format={fmt}")
            assert response.status_code == 200
            counts.append(len(captured.captured_queries))
    assert counts[0] == counts[2], counts
    assert counts[1] == counts[3], counts
    assert max(counts) <= 16, counts  # user, patient, 13 tables (dose revisions since issue 13), the audit insert


def read_csv(response: Any) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # byte-order mark: Excel then reads UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_has_one_row_per_day_with_every_field(cast):
    alice = cast.client("alice")
    fill(cast, cast.alice, alice, days=1)
    alice.call("POST", "/api/v1/me/doses", {"client_id": str(uuid.uuid4()), "date": "2026-11-10", "taken": False})
    note = '=HYPERLINK("http://evil") – übel, "quoted"\nnew line'
    alice.call("PUT", "/api/v1/me/entries/2026-11-19", {"pain_score": 0, "headache": 0, "note": note})

    response = alice.call("GET", "/api/v1/me/export?format=csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ldn-diary-2026-11-21.csv"'
    rows = read_csv(response)
    assert [r["date"] for r in rows] == ["2026-11-10", "2026-11-19", "2026-11-21"]
    dose_only, injected, today = rows
    assert dose_only["diary_logged"] == "no"
    assert (dose_only["pain_score"], dose_only["dose_taken"], dose_only["dose_mg"]) == ("", "no", "")
    assert injected["note"] == "'" + note  # a formula is text in a spreadsheet
    assert injected["dose_taken"] == ""
    assert today == today | {
        "diary_logged": "yes",
        "pain_score": "4",
        "headache": "moderate",
        "migraine": "yes",
        "sleep_quality": "6",
        "headache_hours": "3.5",
        "one_sided": "",
        # words, not codes: a spreadsheet is read by people
        "side_effects": "Vivid dreams (moderate, limited usual activities); Other: itchy skin (mild)",
        "acute_medications": "Triptan: sumatriptan (for a headache); "
        "Opioid (incl. tramadol, codeine) (for a headache, contains an opioid)",
        "note": "better",
        "dose_taken": "yes",
        "dose_mg": "1.5",
        "dose_time_of_day": "Bedtime",
        "dose_taken_at": "22:15",
        "entry_version": "2",
        "entry_late": "no",
        "questionnaires": "PGIC 2",
    }


def test_every_cell_that_could_be_a_formula_is_quoted(cast):
    alice = cast.client("alice")
    for back, start in enumerate(("=", "+", "-", "@")):
        day = (TODAY - timedelta(days=back)).isoformat()
        body = {"pain_score": 1, "headache": 0, "side_effects": [{"kind": "other", "severity": 1, "other_text": start}]}
        assert alice.call("PUT", f"/api/v1/me/entries/{day}", body | {"note": f"{start}1+1"}).status_code == 201
    rows = read_csv(alice.call("GET", "/api/v1/me/export?format=csv"))
    assert sorted(r["note"] for r in rows) == sorted(f"'{s}1+1" for s in "=+-@")
    assert all(not r["side_effects"].startswith(("=", "+", "-", "@")) for r in rows)


@pytest.mark.parametrize("fmt", ["xml", "JSON", ""])
def test_an_unknown_format_is_a_400_naming_it(cast, fmt):
    response = cast.client("alice").call("GET", f"/api/v1/me/export?format={fmt}")
    assert response.status_code == 400
    assert list(response.json_body["errors"]) == ["format"]


# --- deleting the account -------------------------------------------------------------


def patient_rows(patient: Patient) -> dict[str, int]:
    """How many rows of each table hold this patient's data (a fingerprint to compare)."""
    return {
        "entries": DiaryEntry.objects.filter(patient=patient).count(),
        "revisions": EntryRevision.objects.filter(entry__patient=patient).count(),
        "doses": DoseLog.objects.filter(patient=patient).count(),
        "plans": DosePlan.objects.filter(patient=patient).count(),
        "links": CareLink.objects.filter(patient=patient).count(),
        "reminders": Reminder.objects.filter(patient=patient).count(),
        "subscriptions": PushSubscription.objects.filter(patient=patient).count(),
        "entry_history": DiaryEntry.pgh_event_model.objects.filter(patient_id=patient.pk).count(),  # type: ignore[attr-defined]
        "users": User.objects.filter(pk=patient.user_id).count(),
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "wrong", "confirmation": "alice@example.org"}, "password"),
        ({"password": PASSWORD, "confirmation": "alice@example.com"}, "confirmation"),
        ({"password": PASSWORD}, "confirmation"),
        ({"confirmation": "alice@example.org"}, "password"),
        ({"password": PASSWORD, "confirmation": "alice@example.org", "now": True}, "now"),
    ],
)
def test_a_wrong_password_or_confirmation_deletes_nothing(cast, body, field):
    alice = cast.client("alice")
    fill(cast, cast.alice, alice, days=2)
    before = patient_rows(cast.alice)

    response = alice.call("POST", "/api/v1/me/account/delete", body)

    assert response.status_code == 400
    assert field in response.json_body["errors"]
    assert patient_rows(cast.alice) == before
    assert cast.client("bob").call("GET", f"/api/v1/patients/{cast.alice.public_id}").status_code == 200


def test_password_guesses_are_limited(cast):
    alice = cast.client("alice")
    wrong = {"password": "guess", "confirmation": "alice@example.org"}
    answers = [alice.call("POST", "/api/v1/me/account/delete", wrong).status_code for _ in range(11)]
    assert answers == [400] * 10 + [429]
    right = alice.call("POST", "/api/v1/me/account/delete", {"password": PASSWORD, "confirmation": "alice@example.org"})
    assert right.status_code == 429
    assert User.objects.filter(pk=cast.alice.user_id).exists()


def test_password_guesses_are_counted_per_user(cast):
    """The limit is the signed-in user's (allauth's "reauthenticate", per user): dora's
    guesses leave alice free to delete her account."""
    wrong = {"password": "guess", "confirmation": "dora@example.org"}
    dora = cast.client("dora")
    assert [dora.call("POST", "/api/v1/me/account/delete", wrong).status_code for _ in range(11)][-1] == 429
    right = {"password": PASSWORD, "confirmation": "alice@example.org"}
    assert cast.client("alice").call("POST", "/api/v1/me/account/delete", right).status_code == 204


def referencing_fields() -> list[tuple[Any, models.Field[Any, Any]]]:
    """Every foreign key (with or without a database constraint) in every installed model.

    On SQLite, without pghistory's aggregate Events models: they are queries over the
    history tables that only PostgreSQL can run (and those tables are empty there)."""
    history = available("history_triggers")
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.ForeignKey)
        and field.concrete
        and (history or (model._meta.concrete_model or model)._meta.managed)
    ]


def test_deleting_the_account_leaves_no_row_that_points_at_the_patient(cast):
    alice = cast.client("alice")
    fill(cast, cast.alice, alice, days=3)
    patient, user = cast.alice, cast.alice.user
    # more of alice: an old link she revoked, an invitation she redeemed, insights, a flag,
    # a reminder delivery, and the clinician's audited reads
    old = link(patient, cast.charlie)
    assert alice.call("POST", f"/api/v1/me/care-links/{old.public_id}/revoke").status_code == 200
    PatientInsight.objects.create(
        patient=patient, as_of=TODAY, input_seq=1, rules_version="1", verdict="responder", data={}
    )
    PatientOutcome.objects.create(patient=patient, verdict="responder", side_effect_kinds=["insomnia"])
    Verdict.objects.create(patient=patient, kind="responder", as_of=TODAY, rules_version="1", evidence={})
    Flag.objects.create(patient=patient, kind="opioid_interaction", severity="critical", evidence={}, rules_version="1")
    reminder = Reminder.objects.filter(patient=patient).earliest("pk")
    now = datetime.now(tz=UTC)
    ReminderDelivery.objects.create(
        reminder=reminder, local_date=TODAY, scheduled_for=now, claim_token=uuid.uuid4(), claimed_at=now, status="sent"
    )
    assert cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}/entries").status_code == 200
    dora = cast.client("dora")
    link(cast.dora, cast.bob)
    fill(cast, cast.dora, dora, days=1)
    dora_before = patient_rows(cast.dora)

    # every row that is alice's, in every table, by primary key, before
    ids: dict[Any, set[Any]] = {
        Patient: {patient.pk},
        User: {user.pk},
        DiaryEntry: set(DiaryEntry.objects.filter(patient=patient).values_list("pk", flat=True)),
        SideEffect: set(SideEffect.objects.filter(entry__patient=patient).values_list("pk", flat=True)),
        AcuteMedication: set(AcuteMedication.objects.filter(entry__patient=patient).values_list("pk", flat=True)),
        DoseLog: set(DoseLog.objects.filter(patient=patient).values_list("pk", flat=True)),
        DosePlan: set(DosePlan.objects.filter(patient=patient).values_list("pk", flat=True)),
        DoseStep: set(DoseStep.objects.filter(plan__patient=patient).values_list("pk", flat=True)),
        ReportedBaseline: set(ReportedBaseline.objects.filter(patient=patient).values_list("pk", flat=True)),
        CareLink: set(CareLink.objects.filter(patient=patient).values_list("pk", flat=True)),
        Reminder: set(Reminder.objects.filter(patient=patient).values_list("pk", flat=True)),
    }
    assert all(ids.values()), ids
    fields = referencing_fields()
    # the check below can fail: before the deletion it finds alice's rows everywhere
    found_before = {
        model._meta.label
        for model, field in fields
        if field.related_model in ids
        and model.objects.filter(**{f"{field.attname}__in": ids[field.related_model]}).exists()
    }
    assert "diary.EntryRevision" in found_before
    if available("history_triggers"):  # the triggers' rows and the requests' contexts
        assert {"diary.DiaryEntryEvent", "diary.SideEffectEvent", "diary.CareLinkEvent"} <= found_before
        assert Context.objects.filter(metadata__user=user.pk).exists()

    response = alice.call(
        "POST", "/api/v1/me/account/delete", {"password": PASSWORD, "confirmation": "Alice@Example.org "}
    )

    assert response.status_code == 204
    for model, pks in ids.items():
        assert not model.objects.filter(pk__in=pks).exists(), model
    leftovers = {
        f"{model._meta.label}.{field.name}": count
        for model, field in fields
        if field.related_model in ids and model is not AuditEvent
        for count in [model.objects.filter(**{f"{field.attname}__in": ids[field.related_model]}).count()]
        if count
    }
    assert leftovers == {}
    assert not Context.objects.filter(metadata__user=user.pk).exists()
    # what remains: the audit trail, with no health data, naming ids that resolve to no one
    trail = list(
        AuditEvent.objects.filter(patient_id=patient.pk).order_by("pk").values("actor_id", "action", "object_type")
    )
    assert {"actor_id": cast.bob.user.pk, "action": "entries.list", "object_type": "diary_entry"} in trail
    assert trail[-1] == {"actor_id": user.pk, "action": "me.account_delete", "object_type": "patient"}
    # nobody else lost anything
    assert patient_rows(cast.dora) == dora_before
    assert Patient.objects.filter(pk=cast.dora.pk).exists()
    # her clinician lost access with the commit
    assert cast.client("bob").call("GET", f"/api/v1/patients/{patient.public_id}").status_code == 404
    assert cast.client("bob").call("GET", "/api/v1/patients").json_body["count"] == 1  # dora only


@pytest.mark.django_db
def test_deletion_ends_the_session_and_the_account_cannot_sign_in():
    patient = PatientFactory.create()
    email = patient.user.email
    browser = Browser()
    assert browser.send("POST", f"{BROWSER}/auth/login", {"email": email, "password": PASSWORD}).status_code == 200
    assert browser.get("/api/v1/me/profile").status_code == 200

    no_csrf = browser.send(
        "POST", "/api/v1/me/account/delete", {"password": PASSWORD, "confirmation": email}, csrf=False
    )
    assert no_csrf.status_code == 403
    assert User.objects.filter(email=email).exists()

    deleted = browser.send("POST", "/api/v1/me/account/delete", {"password": PASSWORD, "confirmation": email})

    assert deleted.status_code == 204
    assert browser.get("/api/v1/me/profile").status_code == 401
    again = Browser()
    assert again.send("POST", f"{BROWSER}/auth/login", {"email": email, "password": PASSWORD}).status_code == 400


def test_an_invitation_code_still_open_is_not_touched(cast):
    """Deleting alice leaves the clinic's other invitations alone."""
    invitation = invitation_create(clinician=cast.bob)
    response = cast.client("alice").call(
        "POST", "/api/v1/me/account/delete", {"password": PASSWORD, "confirmation": "alice@example.org"}
    )
    assert response.status_code == 204
    assert CareLink.objects.get(pk=invitation.link.pk).status == "invited"
