"""Reminders: settings, DST-safe scheduling, dispatch exactly once per local date, snooze.

The dispatcher claims before it sends: a `ReminderDelivery` row, unique per (reminder,
local date, occurrence), is inserted for each due reminder, and only the run whose INSERT
went in sends. See docs/architecture.md "Reminders".
"""

from __future__ import annotations

import json
import queue
import threading
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import lru_cache
from time import monotonic as time_monotonic
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from diary.choices import DeliveryStatus, DoseTime, Occurrence, ReminderKind, TimeOfDay
from diary.dates import local_calendar_date, local_instant, local_today
from diary.models import (
    DiaryEntry,
    DoseLog,
    DosePlan,
    DoseStep,
    Patient,
    PushSubscription,
    Reminder,
    ReminderDelivery,
    VapidKey,
)
from diary.models.reminders import TEXT_MAX_LENGTH
from diary.notifications.email import EmailError, Mail, email_send
from diary.notifications.retry import Backoff, with_retry
from diary.notifications.webpush import (
    PushConnections,
    PushError,
    PushGone,
    Target,
    VapidSigner,
    b64url_decode,
    push_send,
    vapid_generate,
    vapid_public_key,
)
from diary.postgres_only import available
from diary.selectors import planned_dose_on, questionnaires_due
from diary.services.errors import Conflict, InvalidInput, NotFound

DOSE_TIMES = {DoseTime.BEDTIME: time(21, 30), DoseTime.MORNING: time(8, 0)}
DIARY_TIME = time(20, 0)
DOSE_TEXT = {DoseTime.BEDTIME: "Time for your evening dose", DoseTime.MORNING: "Time for your morning dose"}
DIARY_TEXT = "Time to fill in your diary"
DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WHEN = {TimeOfDay.BEDTIME: "Tonight", TimeOfDay.MORNING: "This morning", TimeOfDay.OTHER: "Today"}
UNSUBSCRIBE_SALT = "diary.reminders.unsubscribe"
SNOOZE_WINDOW = timedelta(hours=12)  # a notification older than this cannot be snoozed
MAX_CLAIMS = 3  # a delivery whose run died this many times is given up
SUBSCRIPTIONS_BATCH = 200  # a sender's outcomes per write of subscription bookkeeping


# --- settings -----------------------------------------------------------------------


def days_to_mask(days: Iterable[str]) -> int:
    mask = 0
    for name in days:
        mask |= 1 << DAY_NAMES.index(name)
    return mask


def mask_to_days(mask: int) -> list[str]:
    return [name for bit, name in enumerate(DAY_NAMES) if mask & (1 << bit)]


def default_text(kind: str, dose_time: str) -> str:
    return DOSE_TEXT.get(DoseTime(dose_time), DOSE_TEXT[DoseTime.BEDTIME]) if kind == ReminderKind.DOSE else DIARY_TEXT


def reminder_text(reminder: Reminder, patient: Patient) -> str:
    return reminder.text or default_text(reminder.kind, patient.preferred_dose_time)


def reminders_ensure(patient: Patient) -> list[Reminder]:
    """The patient's dose and diary reminders, created off with their defaults if missing."""
    defaults = {
        ReminderKind.DOSE: DOSE_TIMES.get(DoseTime(patient.preferred_dose_time), DOSE_TIMES[DoseTime.BEDTIME]),
        ReminderKind.DIARY: DIARY_TIME,
    }
    existing = {r.kind: r for r in Reminder.objects.filter(patient=patient)}
    missing = [Reminder(patient=patient, kind=k, local_time=at) for k, at in defaults.items() if k not in existing]
    if missing:
        Reminder.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {r.kind: r for r in Reminder.objects.filter(patient=patient)}
    return [existing[ReminderKind.DOSE], existing[ReminderKind.DIARY]]


def reminder_get(patient: Patient, kind: str) -> Reminder:
    if kind not in ReminderKind.values:
        raise NotFound()
    return next(r for r in reminders_ensure(patient) if r.kind == kind)


@transaction.atomic
def reminder_update(patient: Patient, kind: str, data: dict[str, Any], now: datetime | None = None) -> Reminder:
    """Change a reminder's time, days, channels, text or on/off; reschedule it.

    `data` may hold enabled, local_time, days (names), channels (["push", "email"]),
    text (blank: the default) and show_dose.
    """
    reminder = reminder_get(patient, kind)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    if "local_time" in data:
        reminder.local_time = data["local_time"].replace(second=0, microsecond=0)
    if "days" in data:
        reminder.days = days_to_mask(data["days"])
    if "channels" in data:
        reminder.push = "push" in data["channels"]
        reminder.email = "email" in data["channels"]
    if "text" in data:
        text = " ".join(data["text"].split())
        if len(text) > TEXT_MAX_LENGTH:
            raise InvalidInput({"text": f"At most {TEXT_MAX_LENGTH} characters."})
        reminder.text = text
    for key in ("enabled", "show_dose"):
        if key in data:
            setattr(reminder, key, data[key])
    if not reminder.enabled:
        reminder.snoozed_until = None
    if reminder.enabled and reminder.days == 0:
        raise InvalidInput({"days": "Choose at least one day, or turn the reminder off."})
    if reminder.enabled and not (reminder.push or reminder.email):
        raise InvalidInput({"channels": "Choose push, e-mail or both, or turn the reminder off."})
    now = now or timezone.now()
    reminder.next_fire_at = next_fire_at(reminder, patient.time_zone, now)
    reminder.updated_at = now
    reminder.save()
    return reminder


def reminders_reschedule(patient: Patient, old_dose_time: str | None = None, now: datetime | None = None) -> None:
    """After a profile change (time zone, preferred dose time): recompute next_fire_at.

    A dose reminder still at the old dose time's default moves to the new default.
    Runs inside the caller's transaction (the patient row is locked there).
    """
    now = now or timezone.now()
    for reminder in Reminder.objects.select_for_update().filter(patient=patient):
        if (
            old_dose_time is not None
            and reminder.kind == ReminderKind.DOSE
            and reminder.local_time == DOSE_TIMES.get(DoseTime(old_dose_time))
        ):
            reminder.local_time = DOSE_TIMES.get(DoseTime(patient.preferred_dose_time), reminder.local_time)
        reminder.next_fire_at = next_fire_at(reminder, patient.time_zone, now)
        reminder.save(update_fields=["local_time", "next_fire_at"])


# --- scheduling -------------------------------------------------------------------------


def occurrences(tz: str, at: time, days: int, start: date) -> Iterator[tuple[date, datetime]]:
    """(local date, UTC instant) of each scheduled day from `start` on, for two weeks."""
    for offset in range(15):
        day = start + timedelta(days=offset)
        if days & (1 << day.weekday()):
            yield day, local_instant(tz, day, at)


@lru_cache(maxsize=4096)  # pure; a minute's batch asks the same few questions thousands of times
def next_occurrence(
    tz: str, at: time, days: int, after: datetime, after_date: date | None = None
) -> tuple[date, datetime] | None:
    """The first occurrence later than the instant `after` and on a date after `after_date`."""
    start = local_calendar_date(tz, after) - timedelta(days=1)
    for day, instant in occurrences(tz, at, days, start):
        if instant > after and (after_date is None or day > after_date):
            return day, instant
    return None


def next_fire_at(reminder: Reminder, tz: str, now: datetime) -> datetime | None:
    """When the reminder fires next: the first occurrence after now whose date is not done.

    None while it is off. A date that already has a scheduled delivery in the ledger is
    passed over, so moving the time later on the same evening does not send twice.
    """
    if not reminder.enabled or not (reminder.push or reminder.email) or reminder.days == 0:
        return None
    done = set(
        ReminderDelivery.objects.filter(
            reminder_id=reminder.pk,
            occurrence=Occurrence.SCHEDULED,
            local_date__gte=local_calendar_date(tz, now) - timedelta(days=1),
        ).values_list("local_date", flat=True)
    )
    after_date = None
    while True:
        found = next_occurrence(tz, reminder.local_time, reminder.days, now, after_date)
        if found is None:
            return None
        if found[0] not in done:
            return found[1]
        after_date = found[0]


# --- push subscriptions and keys ----------------------------------------------------


def vapid_keys() -> tuple[str, str]:
    """(private key PEM, applicationServerKey): from settings, else generated once and stored."""
    configured = settings.VAPID_PRIVATE_KEY.strip()
    if configured:
        if not configured.startswith("-----"):
            from py_vapid import Vapid02

            vapid = Vapid02.from_raw(configured.encode())
            configured = vapid.private_pem().decode()
        return configured, vapid_public_key(configured)
    stored = VapidKey.objects.filter(pk=1).first()
    if stored is None:
        pem, public = vapid_generate()
        try:
            with transaction.atomic():
                stored = VapidKey.objects.create(pk=1, private_pem=pem, public_key=public)
        except IntegrityError:  # another process stored one first: use theirs
            stored = VapidKey.objects.get(pk=1)
    return stored.private_pem, stored.public_key


def _key_check(value: str, field: str, length: int) -> None:
    try:
        raw = b64url_decode(value)
    except (ValueError, TypeError):
        raise InvalidInput({field: "Not base64url."}) from None
    if len(raw) != length:
        raise InvalidInput({field: f"Must decode to {length} bytes, not {len(raw)}."})
    if field.endswith("p256dh"):
        from cryptography.hazmat.primitives.asymmetric import ec

        try:
            ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        except ValueError:
            raise InvalidInput({field: "Not a P-256 public key."}) from None


def endpoint_check(endpoint: str) -> None:
    """A push endpoint we are willing to POST to (settings.PUSH_REQUIRE_HTTPS / PUSH_SERVICE_HOSTS)."""
    schemes = ["https"] if settings.PUSH_REQUIRE_HTTPS else ["http", "https"]
    try:
        URLValidator(schemes=schemes)(endpoint)
    except ValidationError:
        need = "an https URL" if settings.PUSH_REQUIRE_HTTPS else "an http(s) URL"
        raise InvalidInput({"endpoint": f"Must be {need} from the browser's push service."}) from None
    host = (urlsplit(endpoint).hostname or "").lower()
    allowed = [h.lower() for h in settings.PUSH_SERVICE_HOSTS]
    if allowed and not any(host == h or host.endswith("." + h) for h in allowed):
        raise InvalidInput({"endpoint": f"'{host}' is not a known browser push service."})


@transaction.atomic
def push_subscription_save(
    patient: Patient, *, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store the browser's subscription (idempotent on the endpoint). Returns (it, created).

    An endpoint already stored for another account moves to this one: the browser that
    subscribes now is the one that receives.
    """
    endpoint_check(endpoint)
    _key_check(p256dh, "keys.p256dh", 65)
    _key_check(auth, "keys.auth", 16)
    existing = PushSubscription.objects.select_for_update().filter(endpoint=endpoint).first()
    if existing is None:
        count = PushSubscription.objects.filter(patient=patient).count()
        if count >= settings.PUSH_SUBSCRIPTIONS_PER_PATIENT:
            raise InvalidInput(
                {"endpoint": f"At most {settings.PUSH_SUBSCRIPTIONS_PER_PATIENT} devices; remove one first."}
            )
        try:
            with transaction.atomic():
                sub = PushSubscription.objects.create(
                    patient=patient, endpoint=endpoint, p256dh=p256dh, auth=auth, user_agent=user_agent[:300]
                )
            return sub, True
        except IntegrityError:  # the same browser subscribed at the same moment: update that one
            existing = PushSubscription.objects.select_for_update().get(endpoint=endpoint)
    existing.patient = patient
    existing.p256dh = p256dh
    existing.auth = auth
    existing.user_agent = user_agent[:300] or existing.user_agent
    existing.failure_count = 0
    existing.last_failure = ""
    existing.save()
    return existing, False


def push_subscription_delete(patient: Patient, public_id: uuid.UUID) -> None:
    deleted, _ = PushSubscription.objects.filter(patient=patient, public_id=public_id).delete()
    if not deleted:
        raise NotFound()


# --- snooze and unsubscribe ---------------------------------------------------------


@transaction.atomic
def reminder_snooze(patient: Patient, kind: str, now: datetime | None = None) -> Reminder:
    """ "Remind me again in 30 minutes", from the notification: once per reminder and day."""
    now = now or timezone.now()
    reminder = reminder_get(patient, kind)
    reminder = Reminder.objects.select_for_update().get(pk=reminder.pk)
    last = (
        ReminderDelivery.objects.filter(
            reminder=reminder,
            occurrence=Occurrence.SCHEDULED,
            status=DeliveryStatus.SENT,
            finished_at__gte=now - SNOOZE_WINDOW,
        )
        .order_by("-local_date")
        .first()
    )
    if last is None:
        raise Conflict("There is no reminder to snooze right now.")
    if reminder.snooze_date == last.local_date:
        raise Conflict("This reminder was already snoozed once today.")
    reminder.snoozed_until = now + settings.REMINDER_SNOOZE
    reminder.snooze_date = last.local_date
    reminder.save(update_fields=["snoozed_until", "snooze_date"])
    return reminder


def unsubscribe_token(reminder: Reminder, patient: Patient) -> str:
    return signing.dumps({"r": reminder.pk, "p": str(patient.public_id)}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_url(reminder: Reminder, patient: Patient) -> str:
    return f"{settings.SITE_URL.rstrip('/')}/api/v1/reminders/unsubscribe/{unsubscribe_token(reminder, patient)}"


def reminder_from_token(token: str) -> Reminder:
    """The reminder an unsubscribe link names (signed; no expiry: old e-mails keep working)."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        reminder = Reminder.objects.select_related("patient").filter(pk=value["r"], patient__public_id=value["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError, ValidationError):
        raise InvalidInput({"token": "This unsubscribe link is not valid (was it cut short?)."}) from None
    found = reminder.first()
    if found is None:
        raise NotFound()
    return found


@transaction.atomic
def reminder_unsubscribe(token: str, now: datetime | None = None) -> Reminder:
    """One-click: no more e-mail for this reminder (push, if on, stays). Safe to repeat."""
    reminder = reminder_from_token(token)
    reminder = Reminder.objects.select_for_update().select_related("patient").get(pk=reminder.pk)
    if reminder.email:
        reminder.email = False
        reminder.next_fire_at = next_fire_at(reminder, reminder.patient.time_zone, now or timezone.now())
        reminder.save(update_fields=["email", "next_fire_at"])
    return reminder


# --- dispatch -----------------------------------------------------------------------


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


@dataclass
class _Job:
    """One claimed delivery, decided and ready for the channels (no database access)."""

    delivery_id: int
    targets: list[tuple[int, Target]]
    mail: Mail | None
    payload: bytes
    topic: str


@dataclass
class _Outcome:
    delivery_id: int
    status: str
    reason: str = ""
    ok_subscriptions: list[int] = field(default_factory=list)
    failed_subscriptions: dict[int, str] = field(default_factory=dict)
    gone_subscriptions: list[int] = field(default_factory=list)


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


_CLAIM_COLUMNS = (
    "reminder_id, local_date, occurrence, scheduled_for, status, claim_token, claimed_at, attempts, finished_at, reason"
)
_CLAIM_CONFLICT = (
    "ON CONFLICT (reminder_id, local_date, occurrence) DO NOTHING RETURNING id, status, reminder_id, occurrence"
)


def _insert_claims(rows: Sequence[_Row], token: uuid.UUID, now: datetime) -> dict[tuple[int, str], int]:
    """INSERT the ledger rows; ON CONFLICT DO NOTHING. Returns {(reminder id, occurrence): row id}
    of the rows claimed here (a batch claims at most one row per reminder and occurrence).

    A concurrent run inserting the same (reminder, date, occurrence) waits for ours to
    commit and then inserts nothing: only one run ever gets a row back. On PostgreSQL one
    statement takes the rows as arrays (unnest), so its text stays small however many rows;
    elsewhere (SQLite ≥ 3.35, the embedded mode) a VALUES list per 500 rows.
    """
    if not rows:
        return {}
    table = ReminderDelivery._meta.db_table
    ops = connection.ops
    with connection.cursor() as cursor:
        if available("fast_paths"):
            finished = [None if r.status == "claimed" else now for r in rows]
            cursor.execute(
                f"INSERT INTO {table} ({_CLAIM_COLUMNS}) "  # noqa: S608  (names are ours)
                "SELECT r, d, o, s, st, %s::uuid, %s::timestamptz, 1, f, rs FROM unnest("
                "%s::bigint[], %s::date[], %s::text[], %s::timestamptz[], %s::text[], %s::timestamptz[], %s::text[]"
                f") AS u(r, d, o, s, st, f, rs) {_CLAIM_CONFLICT}",
                [
                    token,
                    now,
                    [r.reminder_id for r in rows],
                    [r.local_date for r in rows],
                    [r.occurrence for r in rows],
                    [r.scheduled_for for r in rows],
                    [r.status for r in rows],
                    finished,
                    [r.reason for r in rows],
                ],
            )
            return {(rid, occ): pk for pk, status, rid, occ in cursor.fetchall() if status == "claimed"}
        claimed: dict[tuple[int, str], int] = {}
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s, 1, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for row in chunk:
                params += [
                    row.reminder_id,
                    ops.adapt_datefield_value(row.local_date),
                    row.occurrence,
                    ops.adapt_datetimefield_value(row.scheduled_for),
                    row.status,
                    token.hex,
                    ops.adapt_datetimefield_value(now),
                    ops.adapt_datetimefield_value(None if row.status == "claimed" else now),
                    row.reason,
                ]
            cursor.execute(
                f"INSERT INTO {table} ({_CLAIM_COLUMNS}) VALUES {values} {_CLAIM_CONFLICT}",  # noqa: S608
                params,
            )
            claimed.update({(rid, occ): pk for pk, status, rid, occ in cursor.fetchall() if status == "claimed"})
    return claimed


_CLAIM_FIELDS = (
    *(f.name for f in Reminder._meta.concrete_fields),
    "patient__public_id",
    "patient__user_id",
    "patient__time_zone",
    "patient__day_boundary",
    "patient__preferred_dose_time",
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
        keys = _insert_claims(rows, token, now)
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


def questionnaire_due_for(patient: Patient, now: datetime) -> bool:
    """A questionnaire the patient can answer in the app is due (HIT-6 only with the
    clinic's licensed wording, §12.1)."""
    # here, not at the top: services.questionnaires -> services.patients imports this module
    from diary.services.questionnaires import hit6_wording_of

    due = {d["instrument"] for d in questionnaires_due(patient, now)}
    if "hit6" in due and hit6_wording_of(patient) is None:
        due.discard("hit6")
    return bool(due)


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
    return _Context(entries, doses, plans, targets, emails)


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
    questionnaire = reminder.kind == ReminderKind.DIARY and questionnaire_due_for(patient, delivery.scheduled_for)
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


class Channels:
    """The outside world for one dispatch run: a thread pool, kept-alive connections, VAPID tokens."""

    def __init__(self, concurrency: int | None = None) -> None:
        self.concurrency = concurrency or settings.REMINDER_SEND_CONCURRENCY
        private_pem, _ = vapid_keys()
        self.signer = VapidSigner(private_pem, settings.VAPID_SUBJECT)
        self.connections = PushConnections(settings.REMINDER_PUSH_TIMEOUT)
        self.pool = ThreadPoolExecutor(self.concurrency, thread_name_prefix="reminders")
        self.backoff = Backoff(attempts=settings.REMINDER_SEND_ATTEMPTS, base=settings.REMINDER_BACKOFF_SECONDS)

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.connections.close()

    def deliver(self, job: _Job) -> _Outcome:
        """Every channel of one delivery (runs in a pool thread; touches no database)."""
        outcome = _Outcome(job.delivery_id, DeliveryStatus.FAILED)
        reasons = []
        for sub_id, target in job.targets:

            def push(target: Target = target) -> None:
                push_send(target, job.payload, self.signer, self.connections, topic=job.topic)

            try:
                with_retry(push, self.backoff)
                outcome.ok_subscriptions.append(sub_id)
            except PushGone as exc:
                outcome.gone_subscriptions.append(sub_id)
                reasons.append(exc.reason)
            except PushError as exc:
                outcome.failed_subscriptions[sub_id] = exc.reason
                reasons.append(exc.reason)
        mailed = False
        if job.mail is not None:
            mail = job.mail
            try:
                with_retry(lambda: email_send(mail), self.backoff)
                mailed = True
            except EmailError as exc:
                reasons.append(exc.reason)
        if outcome.ok_subscriptions or mailed:
            outcome.status = DeliveryStatus.SENT
        outcome.reason = "; ".join(dict.fromkeys(reasons))[:300]
        return outcome


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


class _SendRecorder:
    """Writes one sender's outcomes to the ledger, each as it comes, on the sender's connection.

    This runs once per message: on PostgreSQL a statement built once, on a cursor kept for
    the run (the ORM's update compiles its SQL on every call, which cost more CPU than the
    statement: bench/reminders); the ORM's update elsewhere.
    """

    def __init__(self, token: uuid.UUID) -> None:
        self.token = token
        self.cursor = connection.cursor() if available("fast_paths") else None
        table = connection.ops.quote_name(ReminderDelivery._meta.db_table)
        self.sql = (
            f"UPDATE {table} SET status = %s, reason = %s, finished_at = %s"  # noqa: S608 - our names
            f" WHERE id = %s AND claim_token = %s AND status = '{DeliveryStatus.CLAIMED}'"
        )

    def write(self, outcome: _Outcome, finished: datetime) -> None:
        """Record a sent delivery's outcome if this run still holds its row (autocommit)."""
        if self.cursor is not None:
            self.cursor.execute(self.sql, [outcome.status, outcome.reason, finished, outcome.delivery_id, self.token])
        else:
            ReminderDelivery.objects.filter(
                pk=outcome.delivery_id, claim_token=self.token, status=DeliveryStatus.CLAIMED
            ).update(status=outcome.status, reason=outcome.reason, finished_at=finished)

    def close(self) -> None:
        if self.cursor is not None:
            self.cursor.close()


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
            recorder = _SendRecorder(self.token)
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
