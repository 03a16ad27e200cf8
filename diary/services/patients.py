from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from diary.choices import ConditionSetBy
from diary.dates import is_valid_time_zone
from diary.fastpath.insights_outbox import insights_outbox_send
from diary.fastpath.patient_change import patient_change_take
from diary.models import ConditionChange, Patient, User
from diary.services.errors import InvalidInput
from diary.services.inputs import ProfileChange
from diary.services.reminders import reminders_reschedule

log = logging.getLogger(__name__)


def patient_lock(patient_id: int) -> Patient:
    """Lock the patient row for the rest of the transaction.

    Every write to a patient's diary takes this lock first, so one patient's writes are
    serialised: versions never race and change sequence numbers commit in order.
    """
    return Patient.objects.select_for_update().get(pk=patient_id)


def patient_mark_changed(patient: Patient, now: datetime | None = None) -> int:
    """Take the patient's next change number and mark their insights stale (same transaction)."""
    now = now or timezone.now()
    Patient.objects.filter(pk=patient.pk).update(
        change_seq=F("change_seq") + 1,
        insights_stale_since=Coalesce(F("insights_stale_since"), now),
    )
    patient.change_seq += 1
    if patient.insights_stale_since is None:
        patient.insights_stale_since = now
    insights_recompute_request(patient.pk)
    return patient.change_seq


def patient_change_begin(patient_id: int, now: datetime | None = None) -> int:
    """Lock the patient row, take their next change number and mark their insights stale,
    in one statement (`patient_lock` + `patient_mark_changed` for the diary's hot path).

    The caller that then finds nothing to change rolls its transaction back
    (`transaction.set_rollback(True)`), which returns the number and the stale mark.
    """
    now = now or timezone.now()
    seq = patient_change_take(patient_id, now)
    if seq is None:
        raise Patient.DoesNotExist(f"no patient {patient_id}")
    insights_recompute_request(patient_id)
    return seq


def insights_recompute_request(patient_id: int) -> None:
    """Ask a worker to recompute this patient once the transaction commits.

    Requests are gathered per transaction and sent when it commits, so a transaction that
    writes a thousand entries (the demo seed, an import) asks once per patient; the
    transactions a process commits within INSIGHTS_REQUEST_GATHER seconds share one
    message. Sending is best effort: if the broker is down the write has still
    committed with its stale mark, and the minutely sweep picks the patient up.
    """
    batch = _RecomputeBatch.current()
    first = not batch.ids
    batch.ids.add(patient_id)
    if first:  # one callback per batch, not one per request (a seed makes thousands)
        transaction.on_commit(batch.send)


class _RecomputeBatch:
    """The patients one transaction asked for, in one message.

    The batch's first request registers its `send` with `transaction.on_commit`; after the
    commit it sends every patient. Only that callback holds the batch (the thread keeps a
    weak reference, as Django keeps a connection per thread): when a rollback drops it, the
    batch goes with it and the next request starts a new one. Were a rolled-back batch still
    held, its patients would only be asked for again with the next commit's, which the
    worker ignores unless they are stale."""

    _open = threading.local()

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.sent = False

    @classmethod
    def current(cls) -> _RecomputeBatch:
        ref: weakref.ref[_RecomputeBatch] | None = getattr(cls._open, "batch", None)
        batch = ref() if ref is not None else None
        if batch is None or batch.sent:
            batch = cls()
            cls._open.batch = weakref.ref(batch)
        return batch

    def send(self) -> None:
        if not self.sent:
            self.sent = True
            insights_outbox_send(self.ids)


def _validate_profile(data: Mapping[str, Any]) -> None:
    tz = data.get("time_zone")
    if tz is not None and not is_valid_time_zone(tz):
        raise InvalidInput({"time_zone": f"'{tz}' is not a known IANA time zone (e.g. Europe/Berlin)."})


def patient_create(user: User, **fields: Any) -> Patient:
    """The patient profile of a new account; a condition given (sign-up) is recorded as the
    patient's own choice."""
    fields.setdefault("time_zone", settings.DEFAULT_PATIENT_TIME_ZONE)
    _validate_profile(fields)
    patient = Patient.objects.create(user=user, **fields)
    if "primary_condition" in fields:
        _condition_record(patient, "", patient.primary_condition, user, ConditionSetBy.PATIENT, patient.created_at)
    return patient


def _condition_record(
    patient: Patient, old: str, new: str, actor: User, set_by: str, now: datetime | None = None
) -> ConditionChange:
    change = ConditionChange.objects.create(
        patient=patient,
        condition_from=old,
        condition_to=new,
        set_by=set_by,
        set_by_user=actor,
        set_by_name=actor.display_name or actor.email,
        at=now or timezone.now(),
    )
    patient.condition_set_by, patient.condition_set_by_name, patient.condition_set_at = (
        change.set_by,
        change.set_by_name,
        change.at,
    )
    patient.save(update_fields=["condition_set_by", "condition_set_by_name", "condition_set_at"])
    return change


@transaction.atomic
def patient_condition_set(
    patient: Patient, condition: str, *, actor: User, set_by: str, now: datetime | None = None
) -> Patient:
    """Set the primary condition (the patient on the Me page, or a clinician of a linked
    clinic): 1. lock the patient; 2. nothing to do if it is already that; 3. store it, keep
    who changed it from what in ConditionChange, and mark the insights stale (the condition
    chooses the verdict rule, so the analysis reruns)."""
    locked = patient_lock(patient.pk)
    old = locked.primary_condition
    if old == condition:
        return locked
    locked.primary_condition = condition
    locked.save(update_fields=["primary_condition"])
    _condition_record(locked, old, condition, actor, set_by, now)
    patient_mark_changed(locked, now)
    return locked


@transaction.atomic
def patient_profile_update(patient: Patient, data: ProfileChange) -> Patient:
    """Change time zone, day boundary, condition or preferred dose time (the patient)."""
    _validate_profile(data)
    locked = patient_lock(patient.pk)
    if "primary_condition" in data:
        locked = patient_condition_set(
            locked, data.pop("primary_condition"), actor=locked.user, set_by=ConditionSetBy.PATIENT
        )
    display_name = data.pop("display_name", None)
    changed_fields = []
    old_dose_time = locked.preferred_dose_time
    given: dict[str, Any] = dict(data)
    for field in ("time_zone", "day_boundary", "preferred_dose_time"):
        if field in given and getattr(locked, field) != given[field]:
            setattr(locked, field, given[field])
            changed_fields.append(field)
    if changed_fields:
        locked.save(update_fields=changed_fields)
        # The time zone moves the diary's days: analytics must rerun.
        patient_mark_changed(locked)
        if {"time_zone", "preferred_dose_time"} & set(changed_fields):
            reminders_reschedule(locked, old_dose_time if "preferred_dose_time" in changed_fields else None)
    if display_name is not None and display_name != locked.user.display_name:
        locked.user.display_name = display_name
        locked.user.save(update_fields=["display_name"])
    return locked
