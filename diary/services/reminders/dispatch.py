"""Dispatch exactly once per reminder and local date: claim, decide, send, record.

The dispatcher claims before it sends: a `ReminderDelivery` row, unique per (reminder,
local date, occurrence), is inserted for each due reminder, and only the run whose INSERT
went in sends. See docs/architecture.md "Reminders"."""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from time import monotonic as time_monotonic
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from diary.choices import DeliveryStatus, Instrument, Occurrence, ReminderKind, TimeOfDay
from diary.dates import local_calendar_date, local_today
from diary.fastpath.reminder_ledger import SendRecorder, claims_insert
from diary.models import (
    DiaryEntry,
    DoseLog,
    DosePlan,
    DoseStep,
    Patient,
    PushSubscription,
    Reminder,
    ReminderDelivery,
)
from diary.notifications.email import Mail
from diary.notifications.webpush import (
    Target,
)
from diary.selectors import QuestionnaireReads, patients_with_hit6_wording, planned_dose_on, questionnaire_reads
from diary.services.reminders.channels import Channels, _Job, _Outcome
from diary.services.reminders.schedule import next_occurrence, occurrences
from diary.services.reminders.settings import SNOOZE_WINDOW, reminder_text
from diary.services.reminders.unsubscribe import unsubscribe_url

WHEN = {TimeOfDay.BEDTIME: "Tonight", TimeOfDay.MORNING: "This morning", TimeOfDay.OTHER: "Today"}
MAX_CLAIMS = 3  # a delivery whose run died this many times is given up
SUBSCRIPTIONS_BATCH = 200  # a sender's outcomes per write of subscription bookkeeping


@dataclass
class DispatchReport:
    claimed: int = 0
    reclaimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    missed: int = 0
    subscriptions_removed: int = 0

    def add(self, other: DispatchReport) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class _Row:
    """A ledger row to insert: what is due (or missed) for one reminder."""

    reminder_id: int
    local_date: date
    occurrence: str
    scheduled_for: datetime
    status: str
    reason: str = ""


@dataclass(frozen=True)
class _Claimed:
    """A ledger row this run holds, with its reminder (and patient) already loaded."""

    pk: int
    reminder: Reminder
    local_date: date
    occurrence: str
    scheduled_for: datetime
    attempts: int = 1


def _due_rows(reminder: Reminder, now: datetime) -> tuple[list[_Row], datetime | None]:
    """What a due reminder owes now, and its next fire time.

    1. Scheduled for a date before the patient's today (the dispatcher was down): a
       `skipped` row says it was missed; today's occurrence, if it has passed, is due.
    2. Otherwise the scheduled occurrence is due, however late in its day.
    3. A snooze that has come due is due (on its own date only).
    4. Next: the first occurrence after now on a date after the last one handled.
    """
    tz = reminder.patient.time_zone
    today = local_calendar_date(tz, now)
    rows: list[_Row] = []
    handled: date | None = None
    if reminder.next_fire_at is not None and reminder.next_fire_at <= now:
        day = local_calendar_date(tz, reminder.next_fire_at)
        if day < today:
            rows.append(_Row(reminder.pk, day, Occurrence.SCHEDULED, reminder.next_fire_at, "skipped", "missed"))
            handled = day
            for occ_day, instant in occurrences(tz, reminder.local_time, reminder.days, today):
                if occ_day == today and instant <= now:
                    rows.append(_Row(reminder.pk, today, Occurrence.SCHEDULED, instant, "claimed"))
                    handled = today
                break
        else:
            rows.append(_Row(reminder.pk, day, Occurrence.SCHEDULED, reminder.next_fire_at, "claimed"))
            handled = day
    if reminder.snoozed_until is not None and reminder.snoozed_until <= now and reminder.snooze_date is not None:
        fresh = reminder.snooze_date >= today - timedelta(days=1) and now - reminder.snoozed_until < SNOOZE_WINDOW
        status, reason = ("claimed", "") if fresh else ("skipped", "missed")
        rows.append(_Row(reminder.pk, reminder.snooze_date, Occurrence.SNOOZE, reminder.snoozed_until, status, reason))
    if handled is None:
        return rows, reminder.next_fire_at
    found = next_occurrence(tz, reminder.local_time, reminder.days, now, handled)
    return rows, found[1] if found else None


_CLAIM_FIELDS = (
    *(f.name for f in Reminder._meta.concrete_fields),
    "patient__public_id",
    "patient__user_id",
    "patient__time_zone",
    "patient__day_boundary",
    "patient__preferred_dose_time",
    "patient__primary_condition",  # whether a questionnaire is due (§12.3)
)


def reminders_claim_due(now: datetime, token: uuid.UUID, limit: int) -> tuple[list[_Claimed], int, int]:
    """Claim up to `limit` due reminders. Returns (what this run claimed, reminders seen, missed).

    In one transaction: lock the due reminder rows (SKIP LOCKED, so a second dispatcher
    takes other rows), insert their ledger rows, move next_fire_at on and clear snoozes.
    """
    with transaction.atomic():
        due = list(
            Reminder.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("patient")
            .only(*_CLAIM_FIELDS)
            .filter(Q(next_fire_at__lte=now) | Q(snoozed_until__lte=now), enabled=True)
            .order_by("next_fire_at")[:limit]
        )
        rows: list[_Row] = []
        for reminder in due:
            owed, reminder.next_fire_at = _due_rows(reminder, now)
            if reminder.snoozed_until is not None and reminder.snoozed_until <= now:
                reminder.snoozed_until = None
            rows += owed
        keys = claims_insert(rows, token, now)
        # One UPDATE per distinct next time (a minute's batch shares a handful): Django's
        # bulk_update builds a CASE per row, which cost more than the sending.
        by_next: dict[datetime | None, list[int]] = defaultdict(list)
        for reminder in due:
            by_next[reminder.next_fire_at].append(reminder.pk)
        for next_at, ids in by_next.items():
            Reminder.objects.filter(pk__in=ids).update(next_fire_at=next_at)
        Reminder.objects.filter(pk__in=[r.pk for r in due], snoozed_until__lte=now).update(snoozed_until=None)
    missed = sum(1 for row in rows if row.reason == "missed")
    by_id = {r.pk: r for r in due}
    claimed = [
        _Claimed(
            keys[(row.reminder_id, row.occurrence)],
            by_id[row.reminder_id],
            row.local_date,
            row.occurrence,
            row.scheduled_for,
        )
        for row in rows
        if row.status == "claimed" and (row.reminder_id, row.occurrence) in keys
    ]
    return claimed, len(due), missed


def reminders_reclaim_stale(now: datetime, token: uuid.UUID, limit: int) -> list[_Claimed]:
    """Re-claim deliveries whose run died between claim and record (compare-and-set).

    A claim older than REMINDER_CLAIM_STALE_AFTER (longer than a run may live) is taken
    over by setting a new token where the row is still `claimed` with its old claim time;
    of two runs trying at once, one updates the row and the other finds nothing to update.
    """
    cutoff = now - settings.REMINDER_CLAIM_STALE_AFTER
    with transaction.atomic():
        stale = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.CLAIMED, claimed_at__lt=cutoff)
            .values_list("pk", "claimed_at")[:limit]
        )
        won = []
        for pk, claimed_at in stale:
            updated = ReminderDelivery.objects.filter(
                pk=pk, status=DeliveryStatus.CLAIMED, claimed_at=claimed_at
            ).update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
            if updated:
                won.append(pk)
    return [
        _Claimed(d.pk, d.reminder, d.local_date, d.occurrence, d.scheduled_for, d.attempts)
        for d in ReminderDelivery.objects.select_related("reminder__patient").filter(pk__in=won).order_by("pk")
    ]


# What the diary reminder adds while a questionnaire is due (CLINICAL.md §12.9: a due
# questionnaire reaches the patient through the reminder channel they chose); the app's
# Today, where the reminder opens, shows it as its first card with the same words.
QUESTIONNAIRE_DUE_TEXT = "2 minutes: how has LDN changed things for you?"


def _format_mg(mg: Decimal) -> str:
    return f"{mg:.1f}" if mg == mg.quantize(Decimal("0.1")) else f"{mg.normalize():f}"


@dataclass
class _Context:
    """What deciding a batch needs, read in a constant number of queries."""

    entries: set[tuple[int, date]]
    doses: set[tuple[int, date]]
    plans: dict[int, list[DosePlan]]
    targets: dict[int, list[tuple[int, Target]]]
    emails: dict[int, str]
    questionnaires: QuestionnaireReads  # of the patients with a diary reminder in the batch
    hit6_wording: set[int]  # of those, the ones whose clinic entered the HIT-6 wording


def _context(deliveries: Sequence[_Claimed]) -> _Context:
    patients = {d.reminder.patient_id for d in deliveries}
    dose_patients = {d.reminder.patient_id for d in deliveries if d.reminder.kind == ReminderKind.DOSE}
    push_patients = {d.reminder.patient_id for d in deliveries if d.reminder.push}
    email_patients = {d.reminder.patient_id for d in deliveries if d.reminder.email}
    first = min(d.local_date for d in deliveries) - timedelta(days=1)
    entries = set(DiaryEntry.objects.filter(patient_id__in=patients, date__gte=first).values_list("patient_id", "date"))
    doses = set(DoseLog.objects.filter(patient_id__in=dose_patients, date__gte=first).values_list("patient_id", "date"))
    plans: dict[int, list[DosePlan]] = defaultdict(list)
    for plan in (
        DosePlan.objects.filter(patient_id__in=dose_patients)
        .prefetch_related(Prefetch("steps", queryset=DoseStep.objects.order_by("start_date")))
        .order_by("-created_at")
    ):
        plans[plan.patient_id].append(plan)
    targets: dict[int, list[tuple[int, Target]]] = defaultdict(list)
    rows = PushSubscription.objects.filter(patient_id__in=push_patients).order_by("pk")
    for pk, patient_id, endpoint, p256dh, auth in rows.values_list("pk", "patient_id", "endpoint", "p256dh", "auth"):
        targets[patient_id].append((pk, Target(endpoint, p256dh, auth)))
    emails = dict(Patient.objects.filter(pk__in=email_patients).values_list("pk", "user__email"))
    diary_patients = {d.reminder.patient_id for d in deliveries if d.reminder.kind == ReminderKind.DIARY}
    return _Context(
        entries,
        doses,
        plans,
        targets,
        emails,
        questionnaire_reads(diary_patients),
        patients_with_hit6_wording(diary_patients),
    )


def _questionnaire_due(patient: Patient, ctx: _Context, at: datetime) -> bool:
    """A questionnaire the patient can answer in the app is due (HIT-6 only with the
    licensed wording of a clinic they share their diary with, §12.1)."""
    due = {d["instrument"] for d in ctx.questionnaires.standing(patient, at)["due"]}
    if patient.pk not in ctx.hit6_wording:
        due.discard(Instrument.HIT6)
    return bool(due)


def _decide(delivery: _Claimed, ctx: _Context, now: datetime) -> _Job | _Outcome:
    """Skip (with a reason) or build the message for one claimed delivery.

    1. Its date is no longer the patient's today (a stale claim from an earlier day): not sent.
    2. Diary reminder: skipped when that diary day is logged, unless a questionnaire is
       due (then it asks for that); while one is due it says so.
    3. Dose reminder: skipped when the dose is logged, or on a day with no planned dose;
       on the first day of a step it says so.
    4. No channel to use (push on but no device, e-mail off): skipped.
    """
    reminder = delivery.reminder
    patient = reminder.patient
    if delivery.local_date < local_calendar_date(patient.time_zone, now) - timedelta(
        days=1 if delivery.occurrence == Occurrence.SNOOZE else 0
    ):
        return _Outcome(delivery.pk, DeliveryStatus.FAILED, "expired: claimed but not sent on its day")
    if delivery.attempts > MAX_CLAIMS:
        return _Outcome(delivery.pk, DeliveryStatus.FAILED, f"gave up after {MAX_CLAIMS} claims")
    day = local_today(patient.time_zone, patient.day_boundary, delivery.scheduled_for)
    text = reminder_text(reminder, patient)
    questionnaire = reminder.kind == ReminderKind.DIARY and _questionnaire_due(patient, ctx, delivery.scheduled_for)
    if reminder.kind == ReminderKind.DIARY:
        logged = (patient.pk, day) in ctx.entries
        if logged and not questionnaire:
            return _Outcome(delivery.pk, DeliveryStatus.SKIPPED, "diary day already logged")
        if questionnaire:
            text = QUESTIONNAIRE_DUE_TEXT if logged else f"{text}. {QUESTIONNAIRE_DUE_TEXT}"
    else:
        if (patient.pk, day) in ctx.doses:
            return _Outcome(delivery.pk, DeliveryStatus.SKIPPED, "dose already logged")
        planned = planned_dose_on(patient, day, ctx.plans.get(patient.pk, []))
        if planned is None:
            return _Outcome(delivery.pk, DeliveryStatus.SKIPPED, "no planned dose")
        if planned.first_day_of_step:
            when = WHEN.get(TimeOfDay(planned.time_of_day), "Today")
            text = (
                f"{when}: your first {_format_mg(planned.mg)} mg dose"
                if reminder.show_dose
                else f"{when}: the first dose of your new step"
            )
    targets = ctx.targets.get(patient.pk, []) if reminder.push else []
    mail = None
    if reminder.email and ctx.emails.get(patient.pk):
        body = f"{text}.\n\nOpen your diary: {settings.SITE_URL.rstrip('/')}/"
        mail = Mail(ctx.emails[patient.pk], text, body, unsubscribe_url(reminder, patient))
    if not targets and mail is None:
        return _Outcome(delivery.pk, DeliveryStatus.SKIPPED, "no channel: no push subscription and e-mail off")
    snooze = delivery.occurrence == Occurrence.SCHEDULED and reminder.snooze_date != delivery.local_date
    tag = f"ldn-{reminder.kind}-{delivery.local_date.isoformat()}"
    payload: dict[str, Any] = {
        "title": text,
        "tag": tag,
        "kind": reminder.kind,
        "date": delivery.local_date.isoformat(),
    }
    if questionnaire:
        payload["questionnaire"] = True
    if snooze:
        payload["snooze"] = f"/api/v1/me/reminders/{reminder.kind}/snooze"
    return _Job(
        delivery.pk,
        targets,
        mail,
        json.dumps(payload, separators=(",", ":")).encode(),
        topic=f"{reminder.kind}{delivery.local_date:%Y%m%d}{delivery.occurrence[:2]}",
    )


def _record(outcomes: Sequence[_Outcome], token: uuid.UUID, now: datetime) -> None:
    """Write skipped deliveries to the ledger, one UPDATE per (status, reason), only on rows
    this run still holds."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for outcome in outcomes:
        groups[(outcome.status, outcome.reason)].append(outcome.delivery_id)
    finished = max(now, timezone.now())
    with transaction.atomic():
        for (status, reason), ids in groups.items():
            ReminderDelivery.objects.filter(pk__in=ids, claim_token=token, status=DeliveryStatus.CLAIMED).update(
                status=status, reason=reason, finished_at=finished
            )


def _subscriptions_note(outcomes: Sequence[_Outcome], now: datetime) -> int:
    """What the push services said about each subscription: last success, failures, gone ones deleted.

    Bookkeeping, not the ledger: written in batches, since losing a batch in a crash costs
    nothing (a gone subscription answers 410 again next time). Returns how many were deleted.
    """
    gone = [pk for o in outcomes for pk in o.gone_subscriptions]
    ok = [pk for o in outcomes for pk in o.ok_subscriptions]
    failed: dict[str, list[int]] = defaultdict(list)
    for outcome in outcomes:
        for pk, reason in outcome.failed_subscriptions.items():
            failed[reason].append(pk)
    finished = max(now, timezone.now())
    removed = 0
    with transaction.atomic():
        if gone:
            removed = PushSubscription.objects.filter(pk__in=gone).delete()[0]
        if ok:
            PushSubscription.objects.filter(pk__in=ok).update(
                last_success_at=finished, failure_count=0, last_failure=""
            )
        for reason, ids in failed.items():
            PushSubscription.objects.filter(pk__in=ids).update(
                failure_count=F("failure_count") + 1, last_failure=reason[:200]
            )
    return removed


class _Run:
    """One dispatch run: what it claimed, what waits to be sent, what is recorded.

    The main thread claims and decides (and renews the run's claims) while `concurrency`
    senders in the pool send, so the pool is not left idle during a claim; at most two
    chunks wait. A sender commits each outcome on its own connection before it sends its
    next message: if the process dies, at most one message a sender (those in flight) went
    out without its record, and only those are sent again.
    """

    def __init__(self, now: datetime, channels: Channels | None) -> None:
        self.now = now
        self.token = uuid.uuid4()
        self.report = DispatchReport()
        self.channels = channels
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.senders: set[Future[None]] = set()
        self.stopped = threading.Event()  # the run failed: senders stop before their next message
        self.lock = threading.Lock()  # the report, counted by every sender
        # The claims are a lease, renewed while the run lives (a quarter of it at a time).
        self.renew_every = settings.REMINDER_CLAIM_STALE_AFTER.total_seconds() / 4
        self.renewed = time_monotonic()

    def submit(self, deliveries: Sequence[_Claimed]) -> None:
        """Decide the claimed deliveries; skips are recorded, sends go to the senders."""
        if not deliveries:
            return
        ctx = _context(deliveries)
        jobs = []
        skipped = []
        for decided in (_decide(d, ctx, self.now) for d in deliveries):
            if isinstance(decided, _Outcome):
                skipped.append(decided)
            else:
                jobs.append(decided)
        if skipped:
            _record(skipped, self.token, self.now)
            self.count(Counter(o.status for o in skipped))
        if jobs and self.channels is None:
            self.channels = Channels()
        if jobs and not self.senders:
            assert self.channels is not None
            self.senders = {self.channels.pool.submit(self._sender) for _ in range(self.channels.concurrency)}
        for job in jobs:
            self.jobs.put(job)

    def count(self, statuses: Counter[str], removed: int = 0) -> None:
        with self.lock:
            for status, n in statuses.items():
                setattr(self.report, status, getattr(self.report, status) + n)
            self.report.subscriptions_removed += removed

    def _sender(self) -> None:
        """Send jobs until told to stop, recording each outcome before the next message (pool thread)."""
        assert self.channels is not None
        done: list[_Outcome] = []  # recorded; their subscriptions not yet noted
        statuses: Counter[str] = Counter()
        removed = 0
        try:
            recorder = SendRecorder(self.token)
            while (job := self.jobs.get()) is not None and not self.stopped.is_set():
                outcome = self.channels.deliver(job)
                recorder.write(outcome, max(self.now, timezone.now()))
                statuses[outcome.status] += 1
                done.append(outcome)
                if len(done) >= SUBSCRIPTIONS_BATCH:
                    removed += _subscriptions_note(done, self.now)
                    done = []
            recorder.close()
            if done:
                removed += _subscriptions_note(done, self.now)
        finally:
            self.count(statuses, removed)
            connection.close()  # the sender's own: opened in this pool thread

    def collect(self, until_queued: int) -> None:
        """Wait until at most `until_queued` jobs wait to be sent, renewing the claims meanwhile."""
        while self.jobs.qsize() > until_queued and self.senders:
            self.wait_senders()

    def finish(self) -> None:
        """Let the senders send what is left and stop; raise what any of them raised."""
        for _ in self.senders:
            self.jobs.put(None)
        while self.senders:
            self.wait_senders()

    def wait_senders(self) -> None:
        finished, self.senders = wait(self.senders, timeout=min(0.5, self.renew_every), return_when=FIRST_COMPLETED)
        for future in finished:
            future.result()  # a sender's error ends the run
        if time_monotonic() - self.renewed >= self.renew_every:
            # Keep this run's open claims from looking abandoned (reminders_reclaim_stale).
            ReminderDelivery.objects.filter(claim_token=self.token, status=DeliveryStatus.CLAIMED).update(
                claimed_at=timezone.now()
            )
            self.renewed = time_monotonic()


def reminders_dispatch_due(
    now: datetime | None = None, *, chunk: int = 1000, channels: Channels | None = None
) -> DispatchReport:
    """Send every reminder that is due, exactly once per reminder and local date.

    1. Re-claim deliveries left `claimed` by a run that died (compare-and-set).
    2. Claim due reminders `chunk` at a time (ledger INSERT … ON CONFLICT DO NOTHING),
       moving their next_fire_at on in the same transaction.
    3. Decide skips; send through a bounded thread pool with kept-alive connections and
       one VAPID signature per push service; the next chunk is claimed while one sends.
    4. Record each result (compare-and-set on this run's claim token) before its sender
       sends again; renew the run's open claims while it lives.
    """
    run = _Run(now or timezone.now(), channels)
    try:
        stale = reminders_reclaim_stale(run.now, run.token, chunk)
        run.report.reclaimed = len(stale)
        run.submit(stale)
        while True:
            claimed, seen, missed = reminders_claim_due(run.now, run.token, chunk)
            run.report.claimed += len(claimed)
            run.report.missed += missed
            run.submit(claimed)
            run.collect(until_queued=chunk)
            if seen < chunk:
                break
        run.finish()
    finally:
        # After a failure the senders stop; the claims of what is not sent go back after the lease.
        run.stopped.set()
        for _ in run.senders:
            run.jobs.put(None)
        if channels is None and run.channels is not None:
            run.channels.close()
    return run.report
