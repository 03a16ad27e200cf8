"""Every endpoint × every kind of caller, in one table (DESIGN.md §7: alice/bob/charlie).

alice: the patient · bob: her clinician · colleague: another clinician at bob's clinic ·
charlie: a clinician at another clinic · dora: another patient · anon: not signed in.
Strangers get 404 for patient data, never 403, and every clinician read is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from diary.models import AuditEvent, DoseLog, Flag, ReportedBaseline
from diary.services.care import invitation_create
from diary.services.entries import entry_record
from diary.services.reminders import push_subscription_save, reminders_ensure, unsubscribe_token
from tests.factories import PASSWORD, plan_for

NOW = "2026-11-21T12:00:00+00:00"
TODAY = date(2026, 11, 21)
DAY = "2026-11-20"
CALLERS = ("alice", "bob", "colleague", "charlie", "dora", "anon")
# a P-256 public key as a browser sends it (the generator point, uncompressed)
P256DH = "BGsX0fLhLEJH-Lzm5WOkQPJ3A32BLeszoPShOUXYmMKWT-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU"


@dataclass
class World:
    cast: Any
    ids: dict[str, str]


@pytest.fixture
def world(cast) -> World:
    alice = cast.alice
    entry_record(patient=alice, day=date(2026, 11, 20), data={"pain_score": 2, "headache": 0}, actor=None)
    entry_record(patient=alice, day=date(2026, 11, 20), data={"pain_score": 4, "headache": 1}, actor=None)
    dose = DoseLog.objects.create(
        patient=alice, date=date(2026, 11, 20), taken=True, mg=Decimal("1.5"), client_id=uuid.uuid4()
    )
    plan_for(alice, cast.bob, [(TODAY - timedelta(days=3), "1.5"), (TODAY + timedelta(days=4), "3.0")])
    ReportedBaseline.objects.create(patient=alice, monthly_headache_days=10, entered_by=cast.bob)
    flag = Flag.objects.create(
        patient=alice, kind="opioid_interaction", severity="critical", evidence={}, rules_version="1"
    )
    subscription, _ = push_subscription_save(
        alice, endpoint="https://push.example.org/alice", p256dh=P256DH, auth="MDEyMzQ1Njc4OWFiY2RlZg"
    )
    reminder = reminders_ensure(alice)[0]
    bob_invitation = invitation_create(clinician=cast.bob)
    charlie_invitation = invitation_create(clinician=cast.charlie)
    return World(
        cast=cast,
        ids={
            "alice": str(alice.public_id),
            "dose": str(dose.public_id),
            "flag": str(flag.public_id),
            "link": str(alice.care_links.get().public_id),
            "bob_inv": str(bob_invitation.link.public_id),
            "charlie_code": charlie_invitation.code,
            "sub": str(subscription.public_id),
            "unsubscribe": unsubscribe_token(reminder, alice),
        },
    )


OK_PATIENTS = {"alice": 200, "dora": 200, "bob": 403, "colleague": 403, "charlie": 403, "anon": 401}
OK_CLINICIANS = {"bob": 200, "colleague": 200, "charlie": 200, "alice": 403, "dora": 403, "anon": 401}
ALICES_DATA = {"bob": 200, "colleague": 200, "charlie": 404, "alice": 404, "dora": 404, "anon": 401}


def expect(base: dict[str, int], **override: int) -> dict[str, int]:
    return {**base, **override}


ENTRY = {"pain_score": 4, "headache": 1}
PGIC = {"instrument": "pgic", "answers": {"answer": 2}}
HIT6_WORDING = {"items": [f"Question {i}" for i in range(1, 7)]}
PLAN = {"steps": [{"start_date": "2026-11-18", "mg": 1.5}, {"start_date": "2026-11-25", "mg": 3.0}]}

# (method, path, body, expected status per caller)
MATRIX: list[tuple[str, str, Any, dict[str, int]]] = [
    ("GET", "/api/v1/whoami", None, dict.fromkeys(CALLERS, 200) | {"anon": 401}),
    # the patient's own diary
    ("GET", "/api/v1/me/profile", None, OK_PATIENTS),
    ("PATCH", "/api/v1/me/profile", {"preferred_dose_time": "morning"}, OK_PATIENTS),
    ("GET", "/api/v1/me/today", None, OK_PATIENTS),
    ("GET", "/api/v1/me/plan", None, OK_PATIENTS),
    ("GET", "/api/v1/me/changes?since=0", None, OK_PATIENTS),
    ("GET", "/api/v1/me/entries", None, OK_PATIENTS),
    ("GET", f"/api/v1/me/entries/{DAY}", None, expect(OK_PATIENTS, dora=404)),
    ("PUT", f"/api/v1/me/entries/{DAY}", ENTRY, expect(OK_PATIENTS, dora=201)),
    ("GET", f"/api/v1/me/entries/{DAY}/revisions", None, expect(OK_PATIENTS, dora=404)),
    ("GET", "/api/v1/me/doses", None, OK_PATIENTS),
    ("POST", "/api/v1/me/doses", "new-dose", expect(OK_PATIENTS, alice=201, dora=201)),
    ("GET", "/api/v1/me/doses/{dose}", None, expect(OK_PATIENTS, dora=404)),
    ("PATCH", "/api/v1/me/doses/{dose}", {"mg": 1.5}, expect(OK_PATIENTS, dora=404)),
    ("GET", "/api/v1/me/insights", None, OK_PATIENTS),
    ("GET", "/api/v1/me/questionnaires", None, OK_PATIENTS),
    ("POST", "/api/v1/me/questionnaires", PGIC, expect(OK_PATIENTS, alice=201, dora=201)),
    ("GET", "/api/v1/me/care-links", None, OK_PATIENTS),
    ("POST", "/api/v1/me/care-links/preview", "charlie-code", OK_PATIENTS),
    ("POST", "/api/v1/me/care-links", "charlie-redeem", expect(OK_PATIENTS, alice=201, dora=201)),
    ("POST", "/api/v1/me/care-links/{link}/revoke", None, expect(OK_PATIENTS, dora=404)),
    ("GET", "/api/v1/me/reminders", None, OK_PATIENTS),
    ("GET", "/api/v1/me/reminders/dose", None, OK_PATIENTS),
    ("PATCH", "/api/v1/me/reminders/dose", {"enabled": True, "local_time": "22:00"}, OK_PATIENTS),
    ("POST", "/api/v1/me/reminders/dose/snooze", None, expect(OK_PATIENTS, alice=409, dora=409)),
    ("GET", "/api/v1/me/push-subscriptions", None, OK_PATIENTS),
    ("POST", "/api/v1/me/push-subscriptions", "new-sub", expect(OK_PATIENTS, alice=201, dora=201)),
    ("DELETE", "/api/v1/me/push-subscriptions/{sub}", None, expect(OK_PATIENTS, alice=204, dora=404)),
    ("GET", "/api/v1/me/vapid-public-key", None, OK_PATIENTS),
    # my data: download everything, delete my account (clinicians are not deleted through this)
    ("GET", "/api/v1/me/export?format=json", None, OK_PATIENTS),
    ("GET", "/api/v1/me/export?format=csv", None, OK_PATIENTS),
    ("GET", "/api/v1/me/export?format=xml", None, expect(OK_PATIENTS, alice=400, dora=400)),
    ("POST", "/api/v1/me/account/delete", "delete-me", expect(OK_PATIENTS, alice=204, dora=204)),
    # the e-mail's unsubscribe link: the signed token is the authority, whoever opens it
    ("GET", "/api/v1/reminders/unsubscribe/{unsubscribe}", None, dict.fromkeys(CALLERS, 200)),
    ("POST", "/api/v1/reminders/unsubscribe/{unsubscribe}", None, dict.fromkeys(CALLERS, 200)),
    # the clinician's side
    ("GET", "/api/v1/patients", None, OK_CLINICIANS),
    ("GET", "/api/v1/patients/{alice}", None, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/entries", None, ALICES_DATA),
    ("GET", f"/api/v1/patients/{{alice}}/entries/{DAY}", None, ALICES_DATA),
    ("GET", f"/api/v1/patients/{{alice}}/entries/{DAY}/revisions", None, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/doses", None, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/plan", None, ALICES_DATA),
    ("PUT", "/api/v1/patients/{alice}/plan", PLAN, ALICES_DATA),
    ("POST", "/api/v1/patients/{alice}/plan/stop", {"stopped_on": DAY, "reason": "no_benefit"}, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/baseline", None, ALICES_DATA),
    ("PUT", "/api/v1/patients/{alice}/baseline", {"monthly_headache_days": 9}, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/insights", None, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/questionnaires", None, ALICES_DATA),
    ("POST", "/api/v1/patients/{alice}/questionnaires", PGIC, expect(ALICES_DATA, bob=201, colleague=201)),
    ("GET", "/api/v1/clinic/hit6-wording", None, OK_CLINICIANS),
    ("PUT", "/api/v1/clinic/hit6-wording", HIT6_WORDING, expect(OK_CLINICIANS, bob=403, colleague=403, charlie=403)),
    ("POST", "/api/v1/patients/{alice}/flags/{flag}/acknowledge", {"note": "called her"}, ALICES_DATA),
    ("POST", "/api/v1/patients/{alice}/flags/{flag}/resolve", {}, ALICES_DATA),
    ("GET", "/api/v1/flags", None, OK_CLINICIANS),
    ("POST", "/api/v1/flags/{flag}/acknowledge", {"note": "called her"}, expect(OK_CLINICIANS, charlie=404)),
    ("POST", "/api/v1/flags/{flag}/resolve", {}, expect(OK_CLINICIANS, charlie=404)),
    ("GET", "/api/v1/invitations", None, OK_CLINICIANS),
    ("POST", "/api/v1/invitations", {"note": "AB"}, expect(OK_CLINICIANS, bob=201, colleague=201, charlie=201)),
    ("POST", "/api/v1/invitations/{bob_inv}/revoke", None, expect(OK_CLINICIANS, charlie=404)),
    # the clinician dashboard (issue 6)
    ("GET", "/api/v1/triage", None, OK_CLINICIANS),
    ("GET", "/api/v1/invitations?status=invited,expired", None, OK_CLINICIANS),
    ("GET", "/api/v1/plan-templates", None, OK_CLINICIANS),
    ("POST", "/api/v1/patients/{alice}/plan/check", PLAN, ALICES_DATA),
    ("GET", "/api/v1/clinic/outcomes", None, OK_CLINICIANS),
    ("GET", "/api/v1/patients/{alice}/report", None, ALICES_DATA),
    ("GET", "/api/v1/patients/{alice}/report.pdf", None, ALICES_DATA),
    # FHIR R4 (issue 14): the patient's own Bundle, the clinician's, and the CodeSystem anyone may read
    ("GET", "/api/v1/me/export.fhir", None, OK_PATIENTS),
    ("GET", "/api/v1/patients/{alice}/export.fhir", None, ALICES_DATA),
    ("GET", "/api/v1/fhir/CodeSystem/ldn-diary", None, dict.fromkeys(CALLERS, 200)),
]


def _body(body: Any, world: World, caller: str) -> Any:
    if body == "delete-me":
        person = getattr(world.cast, caller, None)
        email = person.user.email if person is not None else "nobody@example.org"
        return {"password": PASSWORD, "confirmation": email}
    if body == "new-dose":
        return {"client_id": str(uuid.uuid4()), "date": "2026-11-21", "taken": True, "mg": 1.5}
    if body == "charlie-code":
        return {"code": world.ids["charlie_code"]}
    if body == "new-sub":
        endpoint = f"https://push.example.org/{uuid.uuid4()}"
        return {"endpoint": endpoint, "keys": {"p256dh": P256DH, "auth": "MDEyMzQ1Njc4OWFiY2RlZg"}}
    if body == "charlie-redeem":
        return {"code": world.ids["charlie_code"], "consent": True}
    return body


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("method", "path", "body", "expected"), MATRIX, ids=[f"{m} {p}" for m, p, _, _ in MATRIX])
@time_machine.travel(NOW, tick=False)
def test_role_matrix(world: World, caller: str, method: str, path: str, body: Any, expected: dict[str, int]) -> None:
    url = path.format(**world.ids)
    response = world.cast.client(caller).call(method, url, _body(body, world, caller))

    assert response.status_code == expected[caller], (caller, method, url, response.json_body)
    if response.status_code >= 400:
        problem = response.json_body
        assert problem["status"] == response.status_code
        assert response["Content-Type"] == "application/problem+json"
        # a refusal says nothing about alice
        assert "alice" not in response.content.decode().lower()
    reads_alice = "/patients/" in path and "{alice}" in path
    if reads_alice and response.status_code < 300:
        user = getattr(world.cast, caller).user
        assert AuditEvent.objects.filter(actor_id=user.pk, patient=world.cast.alice).exists()
    if response.status_code == 404 or caller in ("charlie", "dora", "anon"):
        assert (
            not AuditEvent.objects.filter(patient=world.cast.alice)
            .exclude(actor_id__in=[world.cast.bob.user.pk, world.cast.colleague.user.pk])
            .exists()
        )


@time_machine.travel(NOW, tick=False)
def test_lists_show_only_what_the_caller_may_see(world: World) -> None:
    cast = world.cast
    assert [p["id"] for p in cast.client("bob").call("GET", "/api/v1/patients").json_body["results"]] == [
        world.ids["alice"]
    ]
    assert cast.client("charlie").call("GET", "/api/v1/patients").json_body["results"] == []
    dora_entries = cast.client("dora").call("GET", "/api/v1/me/entries").json_body
    assert dora_entries["count"] == 0
    charlie_links = cast.client("charlie").call("GET", "/api/v1/invitations").json_body["results"]
    assert all(link["patient"] is None for link in charlie_links)
    # the clinic's invitation list names only actively linked patients
    bob_links = cast.client("bob").call("GET", "/api/v1/invitations").json_body["results"]
    assert {link["patient"] for link in bob_links} == {world.ids["alice"], None}


@time_machine.travel(NOW, tick=False)
def test_revoked_clinician_loses_access_at_once(world: World) -> None:
    cast = world.cast
    bob = cast.client("bob")
    assert bob.call("GET", f"/api/v1/patients/{world.ids['alice']}/entries").status_code == 200

    revoked = cast.client("alice").call("POST", f"/api/v1/me/care-links/{world.ids['link']}/revoke")
    assert revoked.status_code == 200
    assert revoked.json_body["status"] == "revoked"
    assert revoked.json_body["revoked_by"] == "patient"

    assert bob.call("GET", f"/api/v1/patients/{world.ids['alice']}/entries").status_code == 404
    assert bob.call("GET", f"/api/v1/patients/{world.ids['alice']}").status_code == 404
    assert bob.call("GET", "/api/v1/patients").json_body["results"] == []


@time_machine.travel(NOW, tick=False)
def test_clinician_can_end_the_link_too(world: World) -> None:
    cast = world.cast
    ended = cast.client("bob").call("POST", f"/api/v1/invitations/{world.ids['link']}/revoke")
    assert ended.status_code == 200
    assert ended.json_body["revoked_by"] == "clinician"
    assert cast.client("colleague").call("GET", f"/api/v1/patients/{world.ids['alice']}").status_code == 404
    links = cast.client("alice").call("GET", "/api/v1/me/care-links").json_body["results"]
    assert [link["status"] for link in links] == ["revoked"]


@time_machine.travel(NOW, tick=False)
def test_the_patient_list_audits_each_patient_shown(world: World) -> None:
    world.cast.client("bob").call("GET", "/api/v1/patients")
    events = AuditEvent.objects.filter(action="patients.list")
    assert [(e.actor_id, e.patient_id) for e in events] == [(world.cast.bob.user.pk, world.cast.alice.pk)]


def test_unknown_api_paths_are_problem_404s(api, db):
    response = api.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
