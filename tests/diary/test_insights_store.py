"""Storing analyses: one insight per patient, verdict history, and the flag life cycle
(CLINICAL.md §7, §11.8), independent of what the analysis found."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from diary.analysis.result import FlagFinding, Insight, VerdictResult
from diary.models import Flag, Patient, PatientInsight, PatientOutcome, Verdict
from diary.services import insights as insights_service
from diary.services.flags import flag_acknowledge, flag_resolve
from diary.services.insights import Claimed, insights_store
from tests.factories import ClinicianFactory, PatientFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

TODAY = date(2026, 11, 21)


def insight(verdict: str = "in_progress", *flags: FlagFinding, as_of: date = TODAY) -> Insight:
    return Insight("1", as_of, VerdictResult(verdict, {"why": verdict}), tuple(flags), (), {"segments": []})


def opioid(*days: date) -> FlagFinding:
    return FlagFinding("opioid_interaction", "critical", {"dates": [d.isoformat() for d in days]}, tuple(days))


def adherence(ratio: float) -> FlagFinding:
    return FlagFinding("low_adherence", "medium", {"ratio": ratio})


def store(patient: Patient, result: Insight) -> None:
    patient.refresh_from_db()
    insights_store([(Claimed(patient.pk, patient.change_seq), result)])


def unresolved(patient: Patient) -> list[tuple[str, str]]:
    return sorted(Flag.objects.filter(patient=patient).exclude(status="resolved").values_list("kind", "status"))


@pytest.fixture
def patient() -> Patient:
    return PatientFactory.create()


@pytest.fixture
def clinician():
    return ClinicianFactory.create()


def test_one_insight_per_patient_replaced_on_each_store(patient):
    store(patient, insight("in_progress"))
    store(patient, insight("non_responder"))
    stored = PatientInsight.objects.get(patient=patient)
    assert stored.verdict == "non_responder"
    assert stored.data["verdict"] == {"kind": "non_responder", "evidence": {"why": "non_responder"}}
    assert PatientInsight.objects.count() == 1


def test_verdict_history_grows_only_when_the_verdict_changes(patient):
    for kind in ("in_progress", "in_progress", "partial", "partial", "responder"):
        store(patient, insight(kind))
    assert list(Verdict.objects.filter(patient=patient).order_by("pk").values_list("kind", flat=True)) == [
        "in_progress",
        "partial",
        "responder",
    ]


def test_state_flag_opens_once_refreshes_and_resolves_itself(patient):
    store(patient, insight("in_progress", adherence(0.7)))
    store(patient, insight("in_progress", adherence(0.6)))
    flag = Flag.objects.get(patient=patient)
    assert (flag.kind, flag.status, flag.evidence) == ("low_adherence", "open", {"ratio": 0.6})

    store(patient, insight("in_progress"))  # adherence is back above 80%
    flag.refresh_from_db()
    assert flag.status == "resolved"
    assert flag.resolved_by is None
    assert flag.resolved_at == timezone.now()

    store(patient, insight("in_progress", adherence(0.5)))  # it drops again: a new flag
    assert Flag.objects.filter(patient=patient).count() == 2
    assert unresolved(patient) == [("low_adherence", "open")]


def test_an_acknowledged_state_flag_still_resolves_itself(patient, clinician):
    store(patient, insight("in_progress", adherence(0.7)))
    flag = flag_acknowledge(flag=Flag.objects.get(), clinician=clinician, note="spoke to her")
    assert (flag.status, flag.acknowledge_note) == ("acknowledged", "spoke to her")
    store(patient, insight("in_progress", adherence(0.7)))
    assert unresolved(patient) == [("low_adherence", "acknowledged")]  # no second flag
    store(patient, insight("in_progress"))
    assert unresolved(patient) == []


def test_event_flag_stays_open_until_a_clinician_resolves_it(patient, clinician, frozen):
    monday = TODAY - timedelta(days=3)
    store(patient, insight("in_progress", opioid(monday)))
    store(patient, insight("in_progress"))  # the entry was edited away: still open (§11.8)
    assert unresolved(patient) == [("opioid_interaction", "open")]

    flag_resolve(flag=Flag.objects.get(), clinician=clinician, note="stopped codeine")
    # The same occurrence does not reopen it, nor does one dated on the day it was resolved.
    store(patient, insight("in_progress", opioid(monday)))
    store(patient, insight("in_progress", opioid(monday, TODAY)))
    assert unresolved(patient) == []

    frozen.shift(timedelta(days=2))
    store(patient, insight("in_progress", opioid(monday, TODAY, TODAY + timedelta(days=1)), as_of=TODAY + timedelta(2)))
    flags = list(Flag.objects.filter(patient=patient).order_by("pk"))
    assert [(f.status, f.last_occurred_on) for f in flags] == [
        ("resolved", monday),
        ("open", TODAY + timedelta(days=1)),
    ]


def test_event_resolution_date_is_the_patients_local_date(clinician, frozen):
    # 23:30 UTC on the 21st is already the 22nd in Auckland.
    patient = PatientFactory.create(time_zone="Pacific/Auckland")
    store(patient, insight("in_progress", opioid(TODAY)))
    frozen.move_to("2026-11-21T23:30:00+00:00")
    flag_resolve(flag=Flag.objects.get(), clinician=clinician)
    store(patient, insight("in_progress", opioid(TODAY, TODAY + timedelta(days=1)), as_of=TODAY + timedelta(1)))
    assert unresolved(patient) == []  # the 22nd is the resolution day itself


def test_one_condition_never_has_two_unresolved_flags_in_the_database(patient):
    Flag.objects.create(patient=patient, kind="worsening", severity="medium", evidence={}, rules_version="1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Flag.objects.create(patient=patient, kind="worsening", severity="medium", evidence={}, rules_version="1")
    # a resolved one may sit beside an open one
    Flag.objects.filter(patient=patient).update(status="resolved", resolved_at=timezone.now())
    Flag.objects.create(patient=patient, kind="worsening", severity="medium", evidence={}, rules_version="1")


def test_an_older_computation_never_overwrites_a_newer_one(patient):
    patient.refresh_from_db()
    insights_store([(Claimed(patient.pk, patient.change_seq + 5), insight("responder"))])
    result = insights_store([(Claimed(patient.pk, patient.change_seq), insight("non_responder", adherence(0.1)))])
    assert (result.stored, result.skipped_older) == (0, 1)
    assert PatientInsight.objects.get(patient=patient).verdict == "responder"
    assert unresolved(patient) == []


def outcome_of(patient: Patient) -> tuple[object, ...]:
    return PatientOutcome.objects.values_list(
        "verdict", "condition", "starting_mg", "stable_mg", "side_effect_kinds"
    ).get(patient=patient)


TITRATED = {
    "condition": "fibromyalgia",
    "clock": {"decision_point": "2026-11-01"},
    "segments": [
        {"mg": 1.5, "start": "2026-08-01", "end": "2026-08-07"},
        {"mg": 3.0, "start": "2026-08-08", "end": "2026-11-05"},
        {"mg": 4.5, "start": "2026-11-06", "end": "2026-11-21"},
    ],
    "side_effects_by_step": {
        "1.5": {"days_logged": 7, "incidence": {"vivid_dreams": 0.3, "insomnia": 0.0}},
        "3": {"days_logged": 90, "incidence": {"nausea": 0.01}},
    },
}


def test_the_outcome_row_is_stored_and_replaced_with_the_insight(patient, fastpath):
    store(patient, insight("in_progress"))
    assert outcome_of(patient) == ("in_progress", "", None, None, [])
    titrated = Insight("2", TODAY, VerdictResult("responder", {}), (), (), TITRATED)
    store(patient, titrated)
    # stable: the amount held on the decision point, not the last one
    assert outcome_of(patient) == ("responder", "fibromyalgia", 1.5, 3.0, ["nausea", "vivid_dreams"])
    assert PatientOutcome.objects.count() == 1


def test_an_older_computation_leaves_the_outcome_row_as_it_is(patient, fastpath):
    patient.refresh_from_db()
    insights_store([(Claimed(patient.pk, patient.change_seq + 5), insight("responder"))])
    insights_store([(Claimed(patient.pk, patient.change_seq), insight("non_responder"))])
    assert outcome_of(patient)[0] == "responder"


def test_the_outcome_row_is_written_in_the_insights_transaction(patient, fastpath, monkeypatch):
    """A batch whose store fails after the insight was written leaves neither behind."""

    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the flags could not be reconciled")

    store(patient, insight("in_progress"))
    monkeypatch.setattr(insights_service, "_flags_reconcile", fails)
    with pytest.raises(RuntimeError):
        store(patient, insight("responder"))
    assert PatientInsight.objects.get(patient=patient).verdict == "in_progress"
    assert outcome_of(patient)[0] == "in_progress"


def test_stale_mark_is_cleared_only_when_nothing_was_written_since_the_read(patient):
    Patient.objects.filter(pk=patient.pk).update(insights_stale_since=timezone.now(), change_seq=7)
    insights_store([(Claimed(patient.pk, 6), insight())])  # a write (seq 7) came after the read
    patient.refresh_from_db()
    assert patient.insights_stale_since is not None
    assert patient.insights_claimed_at is None  # released for the next sweep
    insights_store([(Claimed(patient.pk, 7), insight())])
    patient.refresh_from_db()
    assert patient.insights_stale_since is None


def test_clinician_actions_are_safe_to_repeat_and_a_resolved_flag_cannot_be_acknowledged(patient, clinician):
    from diary.services.errors import Conflict

    store(patient, insight("in_progress", opioid(TODAY)))
    flag = Flag.objects.get()
    first = flag_acknowledge(flag=flag, clinician=clinician, note="first")
    again = flag_acknowledge(flag=flag, clinician=clinician, note="second")
    assert (again.acknowledged_at, again.acknowledge_note) == (first.acknowledged_at, "first")
    resolved = flag_resolve(flag=flag, clinician=clinician, note="done")
    assert flag_resolve(flag=flag, clinician=clinician, note="later").resolve_note == "done"
    assert resolved.resolved_by == clinician
    with pytest.raises(Conflict):
        flag_acknowledge(flag=flag, clinician=clinician)
