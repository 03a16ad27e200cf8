"""The demo diaries, generated without the database.

`history_build` turns a profile, the patient's "now" and a seeded `random.Random` into
plain dicts; the same seed and today give the same diaries.
"""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from diary.choices import DoseTime, MedicineClass, SideEffectKind
from diary.dates import local_calendar_date
from diary.demo.profiles import (
    DECISION_WEEKS,
    DREAM_NOTES,
    GENERAL_NOTES,
    MIGRAINE_NOTES,
    MONTH,
    OPIOID_NOTES,
    OTHER_SIDE_EFFECT_TEXT,
    PAIN_NOTES,
    POOR_TOLERANCE,
    POOR_TOLERANCE_NOTES,
    TARGET_MG,
    TITRATION,
    WEEK,
    Profile,
)
from diary.services.inputs import DoseLogData, EntryData, MedicineData, PlanData


@dataclass
class DayRecord:
    day: date
    entry: EntryData | None = None
    entry_at: datetime | None = None
    dose: DoseLogData | None = None
    dose_at: datetime | None = None


@dataclass
class History:
    profile: Profile
    now: datetime
    today: date
    first_dose: date
    joined_at: datetime
    plan_written_at: datetime
    plan: PlanData
    stop: tuple[date, datetime] | None
    days: list[DayRecord]


@dataclass
class _Day:
    """What happened on a day, before it is turned into service input."""

    day: date
    d: int  # days after the first dose (negative: baseline)
    logged: bool
    planned_mg: Decimal | None = None
    dose_taken: bool | None = None  # None: nothing recorded
    headache: int = 0
    migraine: bool = False
    pain: int = 0
    side_effects: dict[str, tuple[int, bool]] = field(default_factory=dict)
    medicines: list[MedicineData] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def effect(d: int) -> float:
    """Share of LDN's full effect `d` days after the first dose.

    Nothing in the first two weeks, full by week 10: LDN takes weeks, and the
    titration reaches 4.5 mg only on day 14.
    """
    x = min(max((d - 14) / 56, 0.0), 1.0)
    return x * x * (3 - 2 * x)


def _between(pair: tuple[float, float], e: float) -> float:
    return pair[0] + (pair[1] - pair[0]) * e


def blocks(days: Sequence[_Day], size: int) -> list[list[_Day]]:
    """Consecutive blocks of `size` days ending on the last day (the first may be shorter)."""
    last = days[-1].day
    grouped: dict[int, list[_Day]] = {}
    for day in days:
        grouped.setdefault((last - day.day).days // size, []).append(day)
    return [grouped[k] for k in sorted(grouped, reverse=True)]


def nudge_to_total(values: list[int], total: int, rng: random.Random, low: int = 0, high: int = 10) -> list[int]:
    """Move single points up or down on random days until the values sum to `total`.

    Daily noise makes a month's mean wander; the demo's verdicts must not depend on
    luck, so each 28-day block is pulled back to the profile's mean.
    """
    values = list(values)
    diff = total - sum(values)
    step = 1 if diff > 0 else -1
    while diff:
        candidates = [i for i, v in enumerate(values) if low <= v + step <= high]
        if not candidates:
            break
        values[rng.choice(candidates)] += step
        diff -= step
    return values


def _random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _local(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


def _clock(rng: random.Random, start: time, minutes: int) -> time:
    total = start.hour * 60 + start.minute + rng.randrange(minutes)
    return time(total // 60 % 24, total % 60)


def _half_hours(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(round_half_up(rng.uniform(low, high) * 2)) / 2


def _logging(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    """Decide which days have an entry. Missing is missing (CLINICAL.md §1)."""
    if not profile.irregular:
        for day in days[:-1]:
            day.logged = rng.random() < profile.log_share
        days[-1].logged = True  # the demo opens on a logged day
    else:
        # A keen first month, then one long gap and a few odd days off in every
        # 28-day block: about 60 % of days, and no valid month on LDN.
        baseline = [day for day in days if day.d < 0]
        skipped = set(rng.sample(range(len(baseline)), k=len(baseline) // 7))
        for index, day in enumerate(baseline):
            day.logged = index not in skipped
        for block in blocks([day for day in days if day.d >= 0], MONTH):
            gap = rng.randint(7, 9)
            start = rng.randrange(0, max(1, len(block) - gap))
            missing = set(range(start, start + gap))
            rest = [i for i in range(len(block)) if i not in missing]
            missing.update(rng.sample(rest, k=min(len(rest), rng.randint(3, 5))))
            for index, day in enumerate(block):
                day.logged = index not in missing
    for day in days:
        if day.d == 0 or (profile.stop_after_days is not None and day.d in POOR_TOLERANCE):
            day.logged = True  # nobody forgets their first dose, or a day of feeling awful


def _dosing(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    for day in days:
        if day.d < 0 or (profile.stop_after_days is not None and day.d >= profile.stop_after_days):
            continue
        day.planned_mg = [mg for start, mg in TITRATION if start <= day.d][-1]
        missed = day.d > 0 and rng.random() < profile.missed_dose_share
        if profile.irregular:
            # Doses are logged together with the diary, or not at all.
            day.dose_taken = (not missed) if day.logged else None
        elif missed:
            day.dose_taken = False if rng.random() < 0.7 else None
        else:
            day.dose_taken = True


def _headaches(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    """Headache, migraine and moderate/severe days: exact counts per 28-day block.

    Exact, because the baseline month and the last 28 days are whole blocks and the
    demo must show the verdict its label promises, whatever the seed. The count is
    per block, not per logged day: a forgotten day does not add a headache elsewhere.
    """
    for block in blocks(days, MONTH):
        logged = [day for day in block if day.logged]
        es = [effect(day.d) if profile.stop_after_days is None else 0.0 for day in block]
        rate = sum(_between(profile.headache_days, e) for e in es) / MONTH
        share = sum(_between(profile.migraine_share, e) for e in es) / len(block)
        chosen = rng.sample(logged, k=min(len(logged), round_half_up(rate)))
        migraines = rng.sample(chosen, k=round_half_up(len(chosen) * share))
        others = [day for day in chosen if all(day is not m for m in migraines)]
        moderate = rng.sample(others, k=round_half_up(len(others) * 0.35))
        for day in migraines:
            day.migraine = True
            day.headache = 3 if rng.random() < 0.35 else 2
        for day in others:
            day.headache = 2 if any(day is m for m in moderate) else 1


def _side_effects(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    """More side effects in the two weeks after each step up; a fixed course for the stopper."""
    kinds = [kind for kind, _ in profile.side_effect_kinds]
    weights = [weight for _, weight in profile.side_effect_kinds]
    for day in days:
        if day.planned_mg is None or not day.logged:
            continue
        if profile.stop_after_days is not None and day.d >= WEEK:
            continue  # POOR_TOLERANCE below
        since_step = day.d - [start for start, _ in TITRATION if start <= day.d][-1]
        chance = 0.03 + (profile.side_effect_peak * math.exp(-since_step / 5) if since_step < 14 else 0)
        if rng.random() >= chance:
            continue
        for kind in rng.choices(kinds, weights, k=2 if rng.random() < 0.2 else 1):
            # Severe or activity-limiting effects would open an adverse-event flag;
            # only the patient who stops has those.
            day.side_effects[kind] = (2 if rng.random() < 0.2 else 1, False)
    if profile.stop_after_days is not None:
        for day in days:
            for kind, severity, limited in POOR_TOLERANCE.get(day.d, ()):
                day.side_effects[kind] = (severity, limited)
            if day.d in POOR_TOLERANCE_NOTES:
                day.notes.append(POOR_TOLERANCE_NOTES[day.d])
    if profile.dreams_per_week:
        target_start = TITRATION[-1][0]
        for block in blocks(days, WEEK):
            if block[0].d < target_start:
                continue
            logged = [day for day in block if day.logged]
            for day in rng.sample(logged, k=min(len(logged), profile.dreams_per_week)):
                roll = rng.random()
                if roll < 0.8:
                    day.side_effects[SideEffectKind.VIVID_DREAMS] = (2 if rng.random() < 0.3 else 1, False)
                if roll >= 0.5:
                    day.side_effects[SideEffectKind.INSOMNIA] = (1, False)
                if rng.random() < 0.25:
                    day.notes.append(rng.choice(DREAM_NOTES))


def _pain(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    if profile.headache_condition:
        # Average pain over the day follows the headache; little pain otherwise.
        for day in days:
            if day.headache == 0:
                day.pain = min(3, max(0, round_half_up(rng.gauss(_between(profile.pain, effect(day.d)), 0.7))))
            else:
                low = {1: 2, 2: 4, 3: 6}[day.headache]
                day.pain = rng.randint(low, low + 2)
        return
    # Pain conditions: slow flares (autocorrelated noise) around the profile's mean,
    # each 28-day block pulled back to that mean so the verdict is what the profile says.
    noise = 0.0
    for day in days:
        noise = 0.6 * noise + rng.gauss(0, 0.9)
        target = _between(profile.pain, effect(day.d))
        day.pain = min(10, max(0, round_half_up(target + noise + 0.5 * day.headache)))
    for block in blocks(days, MONTH):
        logged = [day for day in block if day.logged]
        total = round_half_up(sum(_between(profile.pain, effect(day.d)) for day in logged))
        for day, value in zip(logged, nudge_to_total([day.pain for day in logged], total, rng), strict=True):
            day.pain = value


def _medicine(med_class: str, name: str, *, contains_opioid: bool | None = None) -> MedicineData:
    # None lets the service fill for_headache / contains_opioid as the app would.
    return {"med_class": med_class, "name": name, "for_headache": None, "contains_opioid": contains_opioid}


def _medicines(profile: Profile, days: list[_Day], rng: random.Random) -> None:
    for day in days:
        if not day.logged:
            continue
        if day.migraine:
            if profile.triptan and rng.random() < 0.65:
                day.medicines.append(_medicine(MedicineClass.TRIPTAN, profile.triptan))
            if rng.random() < 0.3:
                day.medicines.append(_medicine(MedicineClass.NON_OPIOID_ANALGESIC, profile.analgesic))
        elif (day.headache and rng.random() < 0.45) or (
            not profile.headache_condition
            and day.pain >= _between(profile.pain, effect(day.d)) + 1
            and rng.random() < 0.5
        ):
            day.medicines.append(_medicine(MedicineClass.NON_OPIOID_ANALGESIC, profile.analgesic))
    if profile.tramadol_days == (0, 0) and profile.cocodamol_days == (0, 0):
        return
    # Opioids on the worst days; fewer on LDN, but not none (the interaction the
    # clinician must see).
    for block in blocks(days, MONTH):
        on_ldn = 1 if block[0].d >= 0 else 0
        worst = sorted((day for day in block if day.logged), key=lambda day: (-day.pain, day.day))
        worst = worst[: max(1, len(worst) // 2)]
        tramadol = round_half_up(profile.tramadol_days[on_ldn] * len(block) / MONTH)
        cocodamol = round_half_up(profile.cocodamol_days[on_ldn] * len(block) / MONTH)
        for day in rng.sample(worst, k=min(len(worst), tramadol)):
            day.medicines.append(_medicine(MedicineClass.OPIOID, "tramadol"))
        for day in rng.sample(worst, k=min(len(worst), cocodamol)):
            # The name does not say "codeine": the patient ticks it (CLINICAL.md §11.3).
            day.medicines.append(_medicine(MedicineClass.COMBINATION_ANALGESIC, "co-codamol", contains_opioid=True))
        for day in worst:
            if day.medicines and rng.random() < 0.1:
                day.notes.append(rng.choice(OPIOID_NOTES))


def _features(profile: Profile, rng: random.Random, data: EntryData) -> None:
    """Migraine features that meet the Leiden criterion 1 (CLINICAL.md §3), set on `data`."""
    sensitive = rng.random() < 0.8
    data["one_sided"] = rng.random() < 0.7
    data["pulsating"] = rng.random() < 0.75
    data["worse_with_activity"] = rng.random() < 0.7
    data["nausea_vomiting"] = rng.random() < 0.6
    data["light_sensitivity"] = sensitive or rng.random() < 0.3
    data["sound_sensitivity"] = sensitive or rng.random() < 0.3
    data["aura_minutes"] = rng.randint(10, 45) if rng.random() < profile.aura_share else None
    if not (data["one_sided"] or data["pulsating"] or data["worse_with_activity"]):
        data["pulsating"] = True
    if not (data["nausea_vomiting"] or (data["light_sensitivity"] and data["sound_sensitivity"])):
        data["nausea_vomiting"] = True


def _entry(profile: Profile, day: _Day, previous: _Day | None, rng: random.Random) -> EntryData:
    data: EntryData = {
        "client_id": _random_uuid(rng),
        "pain_score": day.pain,
        "headache": day.headache,
        "migraine": None,
        "sleep_quality": None,
        "headache_hours": None,
        "one_sided": None,
        "pulsating": None,
        "worse_with_activity": None,
        "nausea_vomiting": None,
        "light_sensitivity": None,
        "sound_sensitivity": None,
        "aura_minutes": None,
        "note": "",
    }
    if day.migraine:
        _features(profile, rng, data)
        data["migraine"], data["headache_hours"] = True, _half_hours(rng, 4, 24)
        if rng.random() < 0.2:
            day.notes.append(rng.choice(MIGRAINE_NOTES))
    elif day.headache:
        data["migraine"], data["headache_hours"] = False, _half_hours(rng, 1, 6)
    if rng.random() < 0.92:  # sleep is prompted, not required
        sleep = rng.gauss(_between(profile.sleep, effect(day.d)), 1.2)
        sleep -= 1.5 if day.migraine else 0
        sleep -= 2 if SideEffectKind.INSOMNIA in day.side_effects else 0
        sleep -= 1 if SideEffectKind.VIVID_DREAMS in day.side_effects else 0
        data["sleep_quality"] = min(10, max(0, round_half_up(sleep)))
    data["side_effects"] = [
        {
            "kind": kind,
            "severity": severity,
            "limited_activities": limited,
            "other_text": rng.choice(OTHER_SIDE_EFFECT_TEXT) if kind == SideEffectKind.OTHER else "",
        }
        for kind, (severity, limited) in sorted(day.side_effects.items())
    ]
    data["acute_medications"] = day.medicines
    notes = list(day.notes)
    if day.d == 0:
        notes.insert(0, f"First LDN dose {'this morning' if profile.dose_time == DoseTime.MORNING else 'tonight'}.")
    elif day.d in (7, 14) and day.planned_mg is not None and rng.random() < 0.6:
        notes.insert(0, f"Up to {day.planned_mg} mg today.")
    if previous is not None and previous.dose_taken is False and rng.random() < 0.5:
        notes.append("Forgot my dose yesterday.")
    if not notes and rng.random() < 0.06:
        notes.append(rng.choice(GENERAL_NOTES if profile.headache_condition else GENERAL_NOTES + PAIN_NOTES))
    data["note"] = " ".join(notes)
    return data


def history_build(profile: Profile, now: datetime, rng: random.Random) -> History:
    """A profile's whole diary as service input, ending on the patient's local today.

    1. Lay out the days: baseline, then `weeks_on_ldn` weeks ending today.
    2. Decide the logged days, the doses, headaches, side effects, pain, medicines.
    3. Turn each day into entry_record / dose_log_record data with the moment it was
       written (the evening; sometimes the next morning; days later for the irregular
       logger), never after `now`.
    """
    tz = ZoneInfo(profile.time_zone)
    today = local_calendar_date(profile.time_zone, now)
    first_dose = today - timedelta(days=WEEK * profile.weeks_on_ldn - 1)
    start = first_dose - timedelta(days=profile.baseline_days)
    days = [
        _Day(day=start + timedelta(days=i), d=i - profile.baseline_days, logged=False)
        for i in range((today - start).days + 1)
    ]
    _logging(profile, days, rng)
    _dosing(profile, days, rng)
    _headaches(profile, days, rng)
    _side_effects(profile, days, rng)
    _pain(profile, days, rng)
    _medicines(profile, days, rng)

    bedtime = profile.dose_time == DoseTime.BEDTIME
    records = []
    previous: _Day | None = None
    for day in days:
        record = DayRecord(day=day.day)
        if day.logged:
            record.entry = _entry(profile, day, previous, rng)
            if profile.irregular and rng.random() < 0.3:
                written = _local(day.day + timedelta(days=rng.randint(1, 4)), _clock(rng, time(19, 0), 180), tz)
            elif rng.random() < 0.06:
                written = _local(day.day + timedelta(days=1), _clock(rng, time(7, 0), 150), tz)
            else:
                written = _local(day.day, _clock(rng, time(19, 30), 200), tz)
            record.entry_at = min(written, now)
        if day.dose_taken is not None:
            taken_at = _clock(rng, time(21, 45), 105) if bedtime else _clock(rng, time(6, 45), 105)
            due = _local(day.day, taken_at, tz)
            if day.dose_taken:
                recorded = due + timedelta(minutes=rng.randint(1, 10))
            else:  # a missed dose is noticed the next morning (or that evening)
                recorded = _local(day.day + timedelta(days=1 if bedtime else 0), time(8 if bedtime else 20, 0), tz)
            if due <= now:  # else tonight's dose is still to come
                record.dose = {
                    "client_id": _random_uuid(rng),
                    "date": day.day,
                    "taken": day.dose_taken,
                    "mg": None,  # the service fills in the planned dose
                    "time_of_day": None,
                    "taken_at": taken_at if day.dose_taken else None,
                }
                record.dose_at = min(recorded, now)
        records.append(record)
        previous = day

    visit = first_dose - timedelta(days=rng.randint(2, 5))
    plan: PlanData = {
        "target_mg": TARGET_MG,
        "decision_weeks": DECISION_WEEKS,
        "steps": [
            {"start_date": first_dose + timedelta(days=offset), "mg": mg, "time_of_day": profile.dose_time}
            for offset, mg in TITRATION
        ],
    }
    stop = None
    if profile.stop_after_days is not None:
        stopped_on = first_dose + timedelta(days=profile.stop_after_days)
        stop = (stopped_on, min(_local(stopped_on, time(10, 30), tz), now))
    return History(
        profile=profile,
        now=now,
        today=today,
        first_dose=first_dose,
        joined_at=_local(start - timedelta(days=3), time(18, 0), tz),
        plan_written_at=_local(visit, _clock(rng, time(9, 0), 480), tz),
        plan=plan,
        stop=stop,
        days=records,
    )
