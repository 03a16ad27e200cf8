"""Recomputing insights: claim stale patients, read their history in bulk, analyse, store.

The write side of the insights engine (DESIGN.md §1, §5). Diary writes mark a patient
stale in their own transaction (``patient_mark_changed``); everything here runs in a
worker, never inside a request.

A batch goes through four steps:

1. **Claim** up to ``batch_size`` stale patients: rows locked ``FOR UPDATE SKIP LOCKED``
   and stamped ``insights_claimed_at`` in one short transaction, so a second sweep running
   at the same time takes other patients. A batch that fails gives its claims back; a
   claim older than ``settings.INSIGHTS_CLAIM_LEASE`` is free again (the worker that held
   it died).
2. **Read** every patient's whole history with one query per table for the batch.
3. **Analyse** each patient with the pure ``diary.analysis`` functions (no database).
4. **Store**, in one transaction with the batch's patient rows locked (in id order, so
   two workers never deadlock): the insight (unless a newer one is already stored) with
   its outcome row (what the clinic outcomes count), a verdict history row when the
   verdict changed, the flags reconciled, and the stale mark cleared only where no write
   arrived since step 2.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from diary import selectors
from diary.analysis import rules
from diary.analysis.engine import analyse
from diary.analysis.flags import occurrence_value_now
from diary.analysis.history import PatientHistory
from diary.analysis.outcome import outcome_fields
from diary.analysis.result import FlagFinding, Insight
from diary.choices import EVENT_FLAG_KINDS, FlagStatus
from diary.dates import local_calendar_date
from diary.fastpath.insight_upsert import insights_upsert
from diary.models import (
    Flag,
    Patient,
    PatientInsight,
    PatientOutcome,
    Verdict,
)

log = logging.getLogger(__name__)

BATCH_SIZE = 100
# A patient whose analysis raised is retried after 1, 2, 4 ... minutes, at most hourly.
FAILURE_BACKOFF = timedelta(minutes=1)
FAILURE_BACKOFF_MAX = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Claimed:
    patient_id: int
    seq: int  # the change number the analysis will have read (at least)
    claimed_at: datetime | None = None  # the claim's stamp (None: not claimed through stale_claim)


# --- 1. claim ---------------------------------------------------------------------------


def claimable(now: datetime) -> QuerySet[Patient]:
    """Stale patients no live worker holds and not waiting to retry a failed analysis."""
    return (
        Patient.objects.filter(insights_stale_since__isnull=False)
        .filter(Q(insights_claimed_at__isnull=True) | Q(insights_claimed_at__lt=now - settings.INSIGHTS_CLAIM_LEASE))
        .filter(Q(insights_retry_at__isnull=True) | Q(insights_retry_at__lte=now))
    )


def stale_claim(batch_size: int = BATCH_SIZE, patient_ids: Iterable[int] | None = None) -> list[Claimed]:
    """Claim up to ``batch_size`` stale patients (optionally only among ``patient_ids``)."""
    now = timezone.now()
    candidates = claimable(now)
    if patient_ids is not None:
        candidates = candidates.filter(pk__in=list(patient_ids))
    # SKIP LOCKED: concurrent sweeps claim different patients (postgres_only "row_locks";
    # SQLite runs one writer at a time and Django leaves the clause out there).
    with transaction.atomic():
        rows = list(
            candidates.order_by("insights_stale_since", "pk")
            .select_for_update(skip_locked=True, of=("self",))
            .values_list("pk", "change_seq")[:batch_size]
        )
        if rows:
            Patient.objects.filter(pk__in=[pk for pk, _ in rows]).update(insights_claimed_at=now)
    return [Claimed(pk, seq, now) for pk, seq in rows]


def claims_release(claimed: Sequence[Claimed]) -> None:
    """Give back the claims of a batch that failed, so the next sweep (or the task's retry)
    takes the patients at once rather than after the lease. Only claims still ours: the
    stamp must be the one this batch set (compare-and-set).

    After a database restart the connection the batch used is dead: it is replaced first.
    If the database is still away, the claims stay and the lease frees them.
    """
    stamps: dict[datetime | None, list[int]] = defaultdict(list)
    for claim in claimed:
        stamps[claim.claimed_at].append(claim.patient_id)
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        for stamp, ids in stamps.items():
            mine = Patient.objects.filter(pk__in=ids)
            if stamp is not None:
                mine = mine.filter(insights_claimed_at=stamp)
            mine.update(insights_claimed_at=None)
    except DatabaseError as exc:
        ids = sorted(claim.patient_id for claim in claimed)
        log.warning("claims on patients %s not given back (%s): the sweep takes them after the lease", ids, exc)


# --- 2. read: diary.selectors.histories_load (the read layer) ---------------------------


# --- 4. store ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoreResult:
    stored: int = 0
    skipped_older: int = 0
    flags_opened: int = 0
    flags_resolved: int = 0


def insights_store(
    results: Sequence[tuple[Claimed, Insight]],
    now: datetime | None = None,
    histories: Mapping[int, PatientHistory] | None = None,
) -> StoreResult:
    """Store a batch of analyses (step 4 of the module docstring). Safe to run twice.

    ``histories`` (the rows the analyses read) give an event flag's values now for the
    occurrences the analysis no longer finds (§11.8); without them such a value is unknown.
    """
    now = now or timezone.now()
    if not results:
        return StoreResult()
    ids = sorted(claimed.patient_id for claimed, _ in results)
    with transaction.atomic():
        # Lock in id order: two workers storing overlapping batches queue up, never deadlock.
        # The lock read also gives each patient's zone (the flags need their local date).
        locked = list(
            Patient.objects.filter(pk__in=ids)
            .order_by("pk")
            .select_for_update()
            .values_list("pk", "time_zone", "insights_stale_since")
        )
        zones = {pk: tz for pk, tz, _ in locked}
        # The write that marked the patient for this recompute: when an event's value changed.
        changed = {pk: since or now for pk, _, since in locked}
        current = {
            row[0]: row[1:]
            for row in PatientInsight.objects.filter(patient_id__in=ids).values_list(
                "patient_id", "input_seq", "verdict"
            )
        }
        fresh = [
            (claimed, insight)
            for claimed, insight in results
            if claimed.patient_id in zones and current.get(claimed.patient_id, (-1, ""))[0] <= claimed.seq
        ]
        if fresh:
            insights_upsert(
                [
                    (
                        claimed.patient_id,
                        insight.rules_version,
                        insight.as_of,
                        now,
                        claimed.seq,
                        insight.verdict.kind,
                        insight.to_json(),
                    )
                    for claimed, insight in fresh
                ]
            )
            _outcomes_upsert(fresh)
            Verdict.objects.bulk_create(
                [
                    Verdict(
                        patient_id=claimed.patient_id,
                        kind=insight.verdict.kind,
                        evidence=insight.verdict.evidence,
                        rules_version=insight.rules_version,
                        as_of=insight.as_of,
                        computed_at=now,
                    )
                    for claimed, insight in fresh
                    if current.get(claimed.patient_id, (-1, ""))[1] != insight.verdict.kind
                ]
            )
        opened, resolved = _flags_reconcile(fresh, zones, now, changed, histories or {})
        # Clear the stale mark only where nothing was written since the history was read.
        unchanged = Q(pk__in=[])
        for claimed, _ in results:
            unchanged |= Q(pk=claimed.patient_id, change_seq=claimed.seq)
        analysed = {"insights_claimed_at": None, "insights_failures": 0, "insights_retry_at": None}
        Patient.objects.filter(unchanged).update(insights_stale_since=None, **analysed)
        # The rest stay stale for the next sweep; drop our claim so it need not wait for the lease.
        Patient.objects.filter(pk__in=ids, insights_stale_since__isnull=False).update(**analysed)
    return StoreResult(
        stored=len(fresh), skipped_older=len(results) - len(fresh), flags_opened=opened, flags_resolved=resolved
    )


def _outcomes_upsert(fresh: Sequence[tuple[Claimed, Insight]]) -> None:
    """Each stored insight's outcome row (what the clinic outcomes count), replaced with it."""
    PatientOutcome.objects.bulk_create(
        [
            PatientOutcome(patient_id=c.patient_id, verdict=insight.verdict.kind, **outcome_fields(insight.summary))
            for c, insight in fresh
        ],
        update_conflicts=True,
        unique_fields=["patient"],
        update_fields=["verdict", *outcome_fields({})],
    )


def _key_fields(key: tuple[str, str]) -> dict[str, str]:
    return {"date": key[0], "what": key[1]}


def _event_occurrences(
    stored: list[dict[str, Any]],
    found: list[dict[str, Any]],
    history: PatientHistory | None,
    changed_at: datetime,
) -> list[dict[str, Any]]:
    """An event flag's occurrences (§11.8): each with the value that raised it, the value
    now and when it changed (null while unchanged), date order.

    1. Every stored occurrence keeps its raised value; its value now is the analysis' one,
       or, when the analysis no longer finds it, what the patient's data hold on that day.
    2. A value now that differs from the one stored before gets ``changed_at``; one that is
       back to the raised value is unchanged again.
    3. An occurrence found for the first time is raised with its value.
    """
    current = {(o["date"], o["what"]): o["value"] for o in found}
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for old in stored:
        key = (old["date"], old["what"])
        if key in current:
            value = current[key]
        elif history is not None:
            value = occurrence_value_now(history, old["what"], date.fromisoformat(old["date"]))
        else:
            value = None
        if value == old["raised"]:
            when = None
        elif value == old["now"]:
            when = old.get("changed_at")
        else:
            when = changed_at.isoformat()
        merged[key] = {**_key_fields(key), "raised": old["raised"], "now": value, "changed_at": when}
    for key, value in current.items():
        if key not in merged:
            merged[key] = {**_key_fields(key), "raised": value, "now": value, "changed_at": None}
    return [merged[key] for key in sorted(merged)]


def _event_evidence(
    flag: Flag | None,
    finding: FlagFinding | None,
    history: PatientHistory | None,
    changed_at: datetime,
) -> dict[str, Any]:
    """An event flag's evidence: the finding's (or, with none, what was stored), with the
    occurrences merged as ``_event_occurrences`` says."""
    base = finding.evidence if finding is not None else (flag.evidence if flag is not None else {})
    stored = list(flag.evidence.get("occurrences") or []) if flag is not None else []
    if stored and "raised" not in stored[0]:  # stored before §11.8's values were kept
        stored = [{**o, "raised": o["value"], "now": o["value"], "changed_at": None} for o in stored]
    found = list(finding.evidence.get("occurrences") or []) if finding is not None else []
    return {**base, "occurrences": _event_occurrences(stored, found, history, changed_at)}


def _flags_reconcile(
    results: Sequence[tuple[Claimed, Insight]],
    zones: dict[int, str],
    now: datetime,
    changed: Mapping[int, datetime] | None = None,
    histories: Mapping[int, PatientHistory] | None = None,
) -> tuple[int, int]:
    """Open, refresh and resolve flags so they match the findings (CLINICAL.md §7, §11.8).

    1. Load the batch's unresolved flags, and for event kinds the time of the last resolution.
    2. A finding with an unresolved flag refreshes its evidence (and severity); an event
       flag's evidence keeps each occurrence's raised value beside its value now.
    3. A finding without one opens a flag; for an event kind only if it occurred on a day
       after the last resolution (the patient's local date of that resolution).
    4. A state flag whose condition no longer holds is resolved automatically; an event flag
       stays for a clinician, its evidence showing what changed since it was raised.
    """
    changed = changed or {}
    histories = histories or {}
    if not results:
        return 0, 0
    ids = [claimed.patient_id for claimed, _ in results]
    unresolved: dict[tuple[int, str], Flag] = {
        (f.patient_id, f.kind): f for f in Flag.objects.filter(patient_id__in=ids).exclude(status=FlagStatus.RESOLVED)
    }
    last_resolved: dict[tuple[int, str], datetime] = {
        (row["patient_id"], row["kind"]): row["last"]
        for row in Flag.objects.filter(patient_id__in=ids, status=FlagStatus.RESOLVED, kind__in=EVENT_FLAG_KINDS)
        .values("patient_id", "kind")
        .annotate(last=Max("resolved_at"))
    }
    to_create: list[Flag] = []
    to_update: list[Flag] = []
    to_resolve: list[Flag] = []
    for claimed, insight in results:
        pid = claimed.patient_id
        history = histories.get(pid)
        changed_at = changed.get(pid, now)
        found: dict[str, FlagFinding] = {f.kind: f for f in insight.flags}
        for kind, finding in found.items():
            last_on = finding.occurrences[-1] if finding.occurrences else None
            flag = unresolved.get((pid, kind))
            evidence = (
                _event_evidence(flag, finding, history, changed_at) if kind in EVENT_FLAG_KINDS else finding.evidence
            )
            if flag is not None:
                if flag.evidence != evidence or flag.severity != finding.severity:
                    flag.evidence, flag.severity, flag.updated_at = evidence, finding.severity, now
                    flag.last_occurred_on = last_on
                    to_update.append(flag)
                continue
            if kind in EVENT_FLAG_KINDS and (pid, kind) in last_resolved:
                resolved_on = local_calendar_date(zones[pid], last_resolved[(pid, kind)])
                if last_on is None or last_on <= resolved_on:
                    continue
            to_create.append(
                Flag(
                    patient_id=pid,
                    kind=kind,
                    severity=finding.severity,
                    evidence=evidence,
                    rules_version=insight.rules_version,
                    last_occurred_on=last_on,
                    opened_at=now,
                    updated_at=now,
                )
            )
        for (flag_pid, kind), flag in unresolved.items():
            if flag_pid != pid or kind in found:
                continue
            if kind in EVENT_FLAG_KINDS:
                evidence = _event_evidence(flag, None, history, changed_at)
                if evidence != flag.evidence:
                    flag.evidence, flag.updated_at = evidence, now
                    to_update.append(flag)
                continue
            flag.status, flag.resolved_at, flag.updated_at = FlagStatus.RESOLVED, now, now
            flag.resolve_note = "Resolved automatically: the condition no longer holds."
            to_resolve.append(flag)
    Flag.objects.bulk_create(to_create)
    Flag.objects.bulk_update(to_update, ["evidence", "severity", "last_occurred_on", "updated_at"])
    Flag.objects.bulk_update(to_resolve, ["status", "resolved_at", "resolve_note", "updated_at"])
    return len(to_create), len(to_resolve)


# --- the whole cycle --------------------------------------------------------------------


def insights_recompute_batch(claimed: Sequence[Claimed], now: datetime | None = None) -> StoreResult:
    """Read, analyse and store a claimed batch; if that fails, give the claims back.

    A patient whose analysis raises is logged, set aside for a later retry
    (``insights_failures_record``) and left out; the rest of the batch is stored.
    """
    now = now or timezone.now()
    try:
        histories = selectors.histories_load([c.patient_id for c in claimed], now)
        results: list[tuple[Claimed, Insight]] = []
        failed: list[int] = []
        for c in claimed:
            if c.patient_id not in histories:
                continue
            try:
                results.append((c, analyse(histories[c.patient_id])))
            except Exception:  # a bug for this patient's data: the others must not wait on it
                log.exception("insights: the analysis of patient %s failed; it will be retried later", c.patient_id)
                failed.append(c.patient_id)
        stored = insights_store(results, now, histories)
        insights_failures_record(failed, now)
        return stored
    except BaseException:
        claims_release(claimed)
        raise


def insights_failures_record(patient_ids: Sequence[int], now: datetime) -> None:
    """Release the claims of patients whose analysis failed and back their next try off
    (1, 2, 4 ... minutes, at most ``FAILURE_BACKOFF_MAX``); they stay stale."""
    failures = dict(Patient.objects.filter(pk__in=patient_ids).values_list("pk", "insights_failures"))
    for pk, count in failures.items():
        wait = min(FAILURE_BACKOFF * 2 ** min(count, 16), FAILURE_BACKOFF_MAX)
        Patient.objects.filter(pk=pk).update(
            insights_claimed_at=None, insights_failures=count + 1, insights_retry_at=now + wait
        )


@dataclass(frozen=True, slots=True)
class SweepResult:
    stored: int
    more: bool  # stopped at the time budget with stale patients left


def insights_sweep(
    batch_size: int = BATCH_SIZE, time_budget: float | None = None, max_batches: int | None = None
) -> SweepResult:
    """Recompute stale patients batch by batch until none is left or the time budget is spent
    (first marking stale those whose insight other rules made)."""
    started = time.monotonic()
    patients_mark_stale_for_rules()
    done = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed = stale_claim(batch_size)
        if not claimed:
            return SweepResult(done, more=False)
        done += insights_recompute_batch(claimed).stored
        batches += 1
        if time_budget is not None and time.monotonic() - started >= time_budget:
            break
    return SweepResult(done, more=claimable(timezone.now()).exists())


def insights_recompute(patient_ids: Iterable[int]) -> int:
    """Recompute these patients now if they are stale (the on-commit request)."""
    claimed = stale_claim(BATCH_SIZE, patient_ids)
    return insights_recompute_batch(claimed).stored if claimed else 0


def patients_mark_stale_for_rules(now: datetime | None = None) -> int:
    """Mark stale every patient whose stored insight was made by rules other than the
    running ``RULES_VERSION`` (a deploy changed them), so everyone is recomputed without
    waiting for their next write.

    One idempotent UPDATE, run by every sweep: safe on any number of workers at once and
    on either database, and cheap when there is nothing to mark.
    """
    older = PatientInsight.objects.exclude(rules_version=rules.RULES_VERSION).values("patient_id")
    return Patient.objects.filter(insights_stale_since__isnull=True, pk__in=older).update(
        insights_stale_since=now or timezone.now()
    )


def patients_mark_stale_for_new_day(now: datetime | None = None) -> int:
    """Mark stale every patient whose stored insight is for an earlier local date.

    Time-based rules (decision points reached, adherence and overuse windows moving on)
    change with the calendar alone. Run hourly, this re-evaluates each patient soon after
    their own local midnight, whatever their time zone.
    """
    now = now or timezone.now()
    marked = 0
    zones = PatientInsight.objects.values_list("patient__time_zone", flat=True).distinct()
    for tz in list(zones):
        today: date = local_calendar_date(tz, now)
        marked += Patient.objects.filter(
            time_zone=tz, insight__as_of__lt=today, insights_stale_since__isnull=True
        ).update(insights_stale_since=now)
    # Patients never analysed (e.g. created before the engine existed).
    marked += Patient.objects.filter(insight__isnull=True, insights_stale_since__isnull=True).update(
        insights_stale_since=now
    )
    return marked
