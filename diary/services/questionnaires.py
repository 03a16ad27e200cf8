"""Questionnaire responses (CLINICAL.md §9, §12): submit, by the patient or on their behalf.

A response is never edited in place: a correction is a new response (the latest completed
on a date counts). Every write takes the patient's change number and marks the insights
stale in its transaction, like a diary day, so the verdict is recomputed.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from diary import selectors
from diary.analysis import questionnaires as scoring
from diary.analysis import rules
from diary.choices import EnteredBy, Instrument
from diary.dates import local_calendar_date, local_today
from diary.models import DoseLog, Hit6Wording, Patient, QuestionnaireResponse, User
from diary.services.errors import InvalidInput
from diary.services.patients import patient_lock, patient_mark_changed

# A patient's phone may hold a response it could not send (offline): it is dated the day the
# patient submitted it on the phone, at most this many days before it reaches the server.
PATIENT_QUEUE_DAYS = 2


@dataclass(frozen=True, slots=True)
class ResponseIn:
    """What a caller submits. ``total`` only for a clinician's bare HIT-6 total or a
    reported baseline; ``completed_on`` defaults to the patient's diary day."""

    instrument: str
    answers: dict[str, Any] = field(default_factory=dict)
    total: int | None = None
    completed_on: date | None = None
    reported: bool = False
    client_id: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class Submitted:
    response: QuestionnaireResponse
    created: bool


def _whole(value: Any, lo: int, hi: int, name: str, errors: dict[str, str]) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        errors[name] = f"A whole number from {lo} to {hi}."
        return None
    return value


def _only(answers: dict[str, Any], allowed: set[str], errors: dict[str, str]) -> None:
    names = [f'"{name}"' for name in sorted(allowed)]
    fields = f"only {names[0]}" if len(names) == 1 else f"only {', '.join(names[:-1])} and {names[-1]}"
    for key in sorted(set(answers) - allowed):
        errors[f"answers.{key}"] = f"Not a part of this questionnaire's answers: send {fields}."


def _midas(answers: dict[str, Any], errors: dict[str, str]) -> int:
    """Items 1–5: days 0–90; A (headache days 0–90) and B (pain 0–10) optional, never added."""
    _only(answers, {"items", "a", "b"}, errors)
    items = answers.get("items")
    if not isinstance(items, list) or len(items) != rules.MIDAS_ITEMS:
        errors["answers.items"] = f"Answer all {rules.MIDAS_ITEMS} questions (days in the last 3 months, 0 to 90)."
        return 0
    values = [_whole(v, 0, rules.MIDAS_ITEM_MAX_DAYS, f"answers.items.{i}", errors) for i, v in enumerate(items)]
    for key, hi in (("a", rules.MIDAS_ITEM_MAX_DAYS), ("b", rules.MIDAS_PAIN_MAX)):
        if answers.get(key) is not None:
            _whole(answers[key], 0, hi, f"answers.{key}", errors)
    return scoring.midas_total([v or 0 for v in values])


def _hit6(answers: dict[str, Any], errors: dict[str, str]) -> int:
    _only(answers, {"answers"}, errors)
    given = answers.get("answers")
    if not isinstance(given, list) or len(given) != rules.HIT6_ITEMS:
        errors["answers.answers"] = f"Answer all {rules.HIT6_ITEMS} questions."
        return 0
    for i, answer in enumerate(given):
        if answer not in rules.HIT6_ANSWERS:
            errors[f"answers.answers.{i}"] = f"One of: {', '.join(rules.HIT6_ANSWERS)}."
    if any(key.startswith("answers.answers.") for key in errors):
        return 0
    return scoring.hit6_total(given)


def _pgic(answers: dict[str, Any], errors: dict[str, str]) -> int:
    _only(answers, {"answer"}, errors)
    value = _whole(answers.get("answer"), rules.PGIC_MIN, rules.PGIC_MAX, "answers.answer", errors)
    return value or 0


SCORERS: dict[str, Callable[[dict[str, Any], dict[str, str]], int]] = {
    rules.MIDAS: _midas,
    rules.HIT6: _hit6,
    rules.PGIC: _pgic,
}


def _bare_total(instrument: str, total: Any, errors: dict[str, str]) -> int:
    if instrument == Instrument.HIT6:
        if isinstance(total, bool) or not isinstance(total, int) or total not in scoring.HIT6_POSSIBLE_TOTALS:
            errors["total"] = "A HIT-6 total that six answers can give: 36 to 78, but not 37, 39 or 77."
            return 0
        return total
    value = _whole(total, 0, rules.MIDAS_ITEMS * rules.MIDAS_ITEM_MAX_DAYS, "total", errors)
    return value or 0


def _first_dose(patient: Patient) -> date | None:
    return DoseLog.objects.filter(patient=patient, taken=True).order_by("date").values_list("date", flat=True).first()


def completed_on_range(patient: Patient, by: str, now: datetime | None = None) -> tuple[date, date]:
    """The dates a response entered by ``by`` may carry (§12.10): the patient's from their
    diary day back PATIENT_QUEUE_DAYS (a phone that was offline), a clinician's back 14
    days; never after the patient's calendar today."""
    now = now or timezone.now()
    today = local_today(patient.time_zone, patient.day_boundary, now)
    back = PATIENT_QUEUE_DAYS if by == EnteredBy.PATIENT else rules.CLINICIAN_BACKDATE_DAYS
    return today - timedelta(days=back), local_calendar_date(patient.time_zone, now)


def _date_for(patient: Patient, given: date | None, by: str, errors: dict[str, str], now: datetime) -> date:
    """§12.10: the patient's response is dated the day it is submitted (on their phone: at
    most PATIENT_QUEUE_DAYS before it arrives); a clinician may date one up to 14 days
    back; never in the future."""
    if given is None:
        return local_today(patient.time_zone, patient.day_boundary, now)
    earliest, latest = completed_on_range(patient, by, now)
    if given > latest:
        errors["completed_on"] = f"{given.isoformat()} is in the future (today is {latest.isoformat()})."
    elif given < earliest:
        who = "A response is dated the day it is filled in" if by == EnteredBy.PATIENT else "A clinician"
        back = PATIENT_QUEUE_DAYS if by == EnteredBy.PATIENT else rules.CLINICIAN_BACKDATE_DAYS
        errors["completed_on"] = f"{who}: at most {back} days back (from {earliest.isoformat()})."
    return given


@transaction.atomic
def questionnaire_submit(
    *, patient: Patient, data: ResponseIn, by: str, actor: User | None, now: datetime | None = None
) -> Submitted:
    """Store one response, or nothing (InvalidInput naming the field).

    1. A response with this client_id exists → return it (an offline replay).
    2. Check the instrument's answers (or a bare total) and compute the total (§12.1);
       HIT-6 from the patient needs the clinic's licensed wording.
    3. A reported baseline (clinician only, MIDAS or HIT-6): only after the first dose,
       dated the first dose's date (§12.3, §12.10).
    4. Check the date; lock the patient, take a change number, mark the insights stale.
    """
    now = now or timezone.now()
    if data.client_id is not None:
        existing = QuestionnaireResponse.objects.filter(patient=patient, client_id=data.client_id).first()
        if existing is not None:
            return Submitted(existing, created=False)
    errors: dict[str, str] = {}
    instrument = data.instrument
    if instrument not in Instrument.values:
        raise InvalidInput({"instrument": f"One of: {', '.join(Instrument.values)}."})
    completed_on = data.completed_on
    answers = dict(data.answers)
    if data.reported:
        if by != EnteredBy.CLINICIAN:
            raise InvalidInput({"entered_by": "Only a clinician enters a reported baseline."})
        by = EnteredBy.REPORTED
        if instrument not in rules.HEADACHE_BASELINE_INSTRUMENTS:
            errors["instrument"] = "A reported baseline total is for MIDAS or HIT-6."
        if answers:
            errors["answers"] = "A reported baseline is a total only: send `total`, no answers."
        first = _first_dose(patient)
        if first is None:
            errors["entered_by"] = "A reported baseline can be entered only after the first dose; before it, ask now."
        total = _bare_total(instrument, data.total, errors)
        completed_on = first or now.date()
        answers = {}
    elif data.total is not None and not answers:
        if by != EnteredBy.CLINICIAN or instrument != Instrument.HIT6:
            errors["total"] = "Only a clinician enters a bare total, and only of HIT-6; send the answers."
        total = _bare_total(instrument, data.total, errors)
    else:
        if data.total is not None:
            errors["total"] = "Send the answers or a total, not both: the total is computed from the answers."
        total = SCORERS[instrument](answers, errors)
        if instrument == Instrument.HIT6 and by == EnteredBy.PATIENT and selectors.hit6_wording_of(patient) is None:
            errors["instrument"] = "HIT-6 is not available: your clinic has not entered its licensed wording."
    if not data.reported:
        completed_on = _date_for(patient, completed_on, by, errors, now)
    if errors:
        raise InvalidInput(errors)
    assert completed_on is not None
    patient = patient_lock(patient.pk)
    if data.client_id is not None:  # the same request raced us to the lock
        existing = QuestionnaireResponse.objects.filter(patient=patient, client_id=data.client_id).first()
        if existing is not None:
            return Submitted(existing, created=False)
    response = QuestionnaireResponse.objects.create(
        patient=patient,
        instrument=instrument,
        completed_on=completed_on,
        answers=answers,
        total=total,
        entered_by=by,
        entered_by_user=actor,
        client_id=data.client_id,
        seq=patient_mark_changed(patient, now),
        created_at=now,
    )
    return Submitted(response, created=True)


def hit6_wording_save(*, clinic_id: int, items: list[str], licence_note: str, actor: User) -> Hit6Wording:
    """A clinic admin enters (or replaces) the clinic's licensed HIT-6 wording."""
    errors: dict[str, str] = {}
    if not isinstance(items, list) or len(items) != rules.HIT6_ITEMS:
        errors["items"] = f"The {rules.HIT6_ITEMS} questions of HIT-6, in order."
    else:
        for i, text in enumerate(items):
            if not isinstance(text, str) or not text.strip() or len(text) > 500:
                errors[f"items.{i}"] = f"Question {i + 1}: enter its licensed text (1 to 500 characters)."
    if len(licence_note) > 500:
        errors["licence_note"] = "At most 500 characters."
    if errors:
        raise InvalidInput(errors)
    wording, _ = Hit6Wording.objects.update_or_create(
        clinic_id=clinic_id,
        defaults={
            "items": [t.strip() for t in items],
            "licence_note": licence_note,
            "entered_by": actor,
            "updated_at": timezone.now(),
        },
    )
    return wording
