"""Demo data: a clinic, its clinician, an admin, and patients with months of diaries.

`make run` calls `seed_demo --if-empty` on every start, and `seed_demo --print-logins`
for the banner. Everything a patient "typed" goes through the real services
(entry_record, dose_log_record, plan_write, plan_stop, invitation_create/redeem), so
the demo exercises the same rules, defaults and bookkeeping as the app.

Generation is separate from writing: `history_build` turns a profile, the patient's
"now" and a seeded `random.Random` into plain dicts; `patient_seed` writes them.
The same seed and today give the same diaries.
"""

from __future__ import annotations

import argparse
import math
import random
import time as clock
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from diary.choices import HEADACHE_CONDITIONS, Condition, DoseTime, MedicineClass, SideEffectKind, StopReason
from diary.dates import local_calendar_date
from diary.demo.questionnaires import questionnaires_seed
from diary.models import CareLink, Clinic, Clinician, DosePlan, User
from diary.services.care import invitation_create, invitation_redeem
from diary.services.dosing import dose_log_record, plan_stop, plan_write
from diary.services.entries import entry_record
from diary.services.insights import insights_sweep
from diary.services.patients import patient_create

DEMO_DOMAIN = "demo.ldn-diary.test"
DEMO_PASSWORD = "demo-password-1"  # noqa: S105 (public: printed by make run)
CLINIC_NAME = "Demo Headache & Pain Clinic"
CLINICIAN_EMAIL = f"clinician@{DEMO_DOMAIN}"
CLINICIAN_NAME = "Dr Maya Okafor"
# Clinicians and the admin must sign in with TOTP. The demo's secret is public (printed by
# make run): add it to an authenticator app, or run `manage.py totp_code <e-mail>`.
DEMO_TOTP_SECRET = "LDNDEMOCLINICIAN2FAXYZ234567ABCD"  # noqa: S105
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
ADMIN_NAME = "Demo Admin"

MONTH = 28
WEEK = 7
# The usual LDN titration (CLINICAL.md §5): days after the first dose → mg.
TITRATION: tuple[tuple[int, Decimal], ...] = ((0, Decimal("1.5")), (7, Decimal("3.0")), (14, Decimal("4.5")))
TARGET_MG = TITRATION[-1][1]
DECISION_WEEKS = 12
# With --today, each patient's demo "now" is this local time on that date: late enough
# that the day is logged, early enough that tonight's bedtime dose is still to come.
DEMO_EVENING = time(20, 0)

COMMON_SIDE_EFFECTS: tuple[tuple[str, int], ...] = (
    (SideEffectKind.VIVID_DREAMS, 30),
    (SideEffectKind.INSOMNIA, 18),
    (SideEffectKind.NAUSEA, 14),
    (SideEffectKind.HEADACHE, 10),
    (SideEffectKind.FATIGUE, 8),
    (SideEffectKind.DIZZINESS, 6),
    (SideEffectKind.ABDOMINAL_DISCOMFORT, 5),
    (SideEffectKind.DIARRHEA, 3),
    (SideEffectKind.JITTERINESS, 3),
    (SideEffectKind.IRRITABILITY, 3),
    (SideEffectKind.OTHER, 2),
)
# Morning dosing moves the sleep-related effects out of the night.
MORNING_SIDE_EFFECTS: tuple[tuple[str, int], ...] = (
    (SideEffectKind.NAUSEA, 16),
    (SideEffectKind.HEADACHE, 12),
    (SideEffectKind.FATIGUE, 10),
    (SideEffectKind.JITTERINESS, 8),
    (SideEffectKind.VIVID_DREAMS, 5),
    (SideEffectKind.DIZZINESS, 5),
    (SideEffectKind.ABDOMINAL_DISCOMFORT, 5),
)
OTHER_SIDE_EFFECT_TEXT = ("Dry mouth", "Metallic taste", "Restless legs")

# The patient who stops: side effects (days after the first dose → kind, severity,
# limited activities) at the step up to 3 mg, bad enough to open an adverse-event flag.
POOR_TOLERANCE: dict[int, tuple[tuple[str, int, bool], ...]] = {
    7: ((SideEffectKind.NAUSEA, 2, False),),
    8: ((SideEffectKind.NAUSEA, 2, False), (SideEffectKind.DIZZINESS, 1, False)),
    9: ((SideEffectKind.NAUSEA, 3, True), (SideEffectKind.DIZZINESS, 2, False), (SideEffectKind.INSOMNIA, 2, False)),
    10: ((SideEffectKind.NAUSEA, 3, True), (SideEffectKind.DIZZINESS, 2, True)),
    11: ((SideEffectKind.NAUSEA, 2, False),),
    12: ((SideEffectKind.NAUSEA, 1, False),),
}
POOR_TOLERANCE_NOTES = {
    9: "Nausea all day at 3 mg, called in sick.",
    10: "Still nauseous and dizzy. Calling the clinic tomorrow.",
    11: "Clinic advised stopping LDN.",
}

GENERAL_NOTES = (
    "Busy day at work.",
    "Walked the dog for an hour, felt fine.",
    "Poor night, the neighbours were loud.",
    "Visited family at the weekend.",
    "Stressful deadline this week.",
    "Yoga in the evening helped.",
    "Long drive today.",
    "Rainy and cold.",
)
MIGRAINE_NOTES = (
    "Woke up with it at 5 am.",
    "Bright screens at work set it off.",
    "Period-related, as usual.",
    "Weather change, pressure dropping.",
    "Had to leave work early.",
    "Lay in a dark room most of the afternoon.",
)
PAIN_NOTES = (
    "Flare after gardening.",
    "Cold weather, everything aches.",
    "Good day, less stiffness than usual.",
    "Hard to get going this morning.",
    "A hot bath helped a bit.",
)
DREAM_NOTES = (
    "Very vivid dreams again.",
    "Woke at 3 am after intense dreams.",
    "Strange, cinematic dreams all night.",
)
OPIOID_NOTES = ("Back bad, took tramadol.", "Needed co-codamol to get through work.")


@dataclass(frozen=True)
class Profile:
    """One demo patient. Pairs are (before LDN, at full effect)."""

    key: str  # local part of the e-mail address
    name: str
    label: str
    condition: str
    time_zone: str
    dose_time: str
    baseline_days: int  # diary days before the first dose; > 28 so the baseline month is full
    # A multiple of 4, so the baseline month and the last 28 days are each one whole
    # 28-day block and their counts are exactly what the profile says.
    weeks_on_ldn: int
    headache_days: tuple[float, float]  # per 28 days
    migraine_share: tuple[float, float] = (0.0, 0.0)  # of headache days
    # Pain conditions: mean daily pain. Headache conditions: pain on headache-free days.
    pain: tuple[float, float] = (1.0, 1.0)
    sleep: tuple[float, float] = (6.0, 6.0)
    log_share: float = 0.97
    missed_dose_share: float = 0.03
    triptan: str = ""
    analgesic: str = "ibuprofen"
    aura_share: float = 0.0
    side_effect_peak: float = 0.5  # chance of a side effect on the day of a step up
    side_effect_kinds: tuple[tuple[str, int], ...] = COMMON_SIDE_EFFECTS
    dreams_per_week: int = 0  # vivid dreams / insomnia days a week once at the target dose
    tramadol_days: tuple[int, int] = (0, 0)  # per 28 days
    cocodamol_days: tuple[int, int] = (0, 0)
    irregular: bool = False
    stop_after_days: int | None = None  # plan stopped for side effects on this day after the first dose

    @property
    def email(self) -> str:
        return f"{self.key}@{DEMO_DOMAIN}"

    @property
    def headache_condition(self) -> bool:
        return self.condition in HEADACHE_CONDITIONS


PROFILES: tuple[Profile, ...] = (
    Profile(
        key="responder",
        name="Lena Hoffmann",
        label="clear responder",
        condition=Condition.MIGRAINE,
        time_zone="Europe/Berlin",
        dose_time=DoseTime.BEDTIME,
        baseline_days=35,
        weeks_on_ldn=20,
        headache_days=(11.5, 2.5),
        migraine_share=(0.75, 0.6),
        pain=(1.0, 0.4),
        sleep=(6.0, 7.2),
        triptan="sumatriptan",
        aura_share=0.2,
    ),
    Profile(
        key="partial",
        name="James Carter",
        label="partial by headache days, responder by MIDAS",
        condition=Condition.MIGRAINE,
        time_zone="America/New_York",
        dose_time=DoseTime.BEDTIME,
        baseline_days=31,
        weeks_on_ldn=16,
        headache_days=(10.0, 6.0),
        migraine_share=(0.7, 0.7),
        pain=(1.2, 0.9),
        sleep=(6.2, 6.6),
        triptan="rizatriptan",
        analgesic="naproxen",
    ),
    Profile(
        key="nonresponder",
        name="Priya Shah",
        label="non-responder",
        condition=Condition.CHRONIC_MIGRAINE,
        time_zone="Europe/London",
        dose_time=DoseTime.BEDTIME,
        baseline_days=35,
        weeks_on_ldn=16,
        headache_days=(18.0, 17.0),
        migraine_share=(0.6, 0.6),
        pain=(2.5, 2.4),
        sleep=(5.2, 5.4),
        triptan="zolmitriptan",
        aura_share=0.1,
    ),
    Profile(
        key="dreams",
        name="Sophie Nguyen",
        label="vivid dreams on bedtime dosing",
        condition=Condition.FIBROMYALGIA,
        time_zone="Australia/Adelaide",
        dose_time=DoseTime.BEDTIME,
        baseline_days=31,
        weeks_on_ldn=16,
        headache_days=(4.0, 3.0),
        pain=(6.2, 4.0),
        sleep=(4.5, 5.0),
        analgesic="paracetamol",
        side_effect_kinds=((SideEffectKind.VIVID_DREAMS, 50), (SideEffectKind.INSOMNIA, 25), *COMMON_SIDE_EFFECTS[2:]),
        dreams_per_week=4,
    ),
    Profile(
        key="opioid",
        name="Daniel Murphy",
        label="opioid use while on LDN; partial by PGIC",
        condition=Condition.CHRONIC_PAIN,
        time_zone="America/Chicago",
        dose_time=DoseTime.BEDTIME,
        baseline_days=35,
        weeks_on_ldn=16,
        headache_days=(3.0, 3.0),
        pain=(7.0, 6.6),
        sleep=(4.8, 5.3),
        analgesic="paracetamol",
        tramadol_days=(8, 3),
        cocodamol_days=(4, 2),
    ),
    Profile(
        key="irregular",
        name="Marco Rossi",
        label="irregular logger",
        condition=Condition.FIBROMYALGIA,
        time_zone="America/Los_Angeles",
        dose_time=DoseTime.BEDTIME,
        baseline_days=35,
        weeks_on_ldn=20,
        headache_days=(3.0, 2.0),
        pain=(5.8, 4.9),
        sleep=(5.0, 5.5),
        missed_dose_share=0.12,
        analgesic="naproxen",
        irregular=True,
    ),
    Profile(
        key="morning",
        name="Amira Haddad",
        label="strong responder, morning dosing",
        condition=Condition.FIBROMYALGIA,
        time_zone="Pacific/Auckland",
        dose_time=DoseTime.MORNING,
        baseline_days=31,
        weeks_on_ldn=20,
        headache_days=(5.0, 1.5),
        pain=(6.5, 2.8),
        sleep=(4.2, 7.0),
        analgesic="paracetamol",
        side_effect_peak=0.35,
        side_effect_kinds=MORNING_SIDE_EFFECTS,
    ),
    Profile(
        key="stopped",
        name="Tomás Herrera",
        label="stopped for side effects",
        condition=Condition.MIGRAINE,
        time_zone="Europe/Madrid",
        dose_time=DoseTime.BEDTIME,
        baseline_days=31,
        weeks_on_ldn=16,
        headache_days=(8.0, 8.0),
        migraine_share=(0.6, 0.6),
        pain=(1.0, 1.0),
        sleep=(6.0, 6.0),
        triptan="eletriptan",
        stop_after_days=11,
    ),
)


# --- generation (no database) ---------------------------------------------------------


@dataclass
class DayRecord:
    day: date
    entry: dict[str, Any] | None = None  # entry_record data
    entry_at: datetime | None = None
    dose: dict[str, Any] | None = None  # dose_log_record data
    dose_at: datetime | None = None


@dataclass
class History:
    profile: Profile
    now: datetime
    today: date
    first_dose: date
    joined_at: datetime
    plan_written_at: datetime
    plan: dict[str, Any]
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
    medicines: list[dict[str, Any]] = field(default_factory=list)
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


def _medicine(med_class: str, name: str, **extra: Any) -> dict[str, Any]:
    # None lets the service fill for_headache / contains_opioid as the app would.
    return {"med_class": med_class, "name": name, "for_headache": None, "contains_opioid": None, **extra}


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


def _features(profile: Profile, rng: random.Random) -> dict[str, Any]:
    """Migraine features that meet the Leiden criterion 1 (CLINICAL.md §3)."""
    sensitive = rng.random() < 0.8
    features = {
        "one_sided": rng.random() < 0.7,
        "pulsating": rng.random() < 0.75,
        "worse_with_activity": rng.random() < 0.7,
        "nausea_vomiting": rng.random() < 0.6,
        "light_sensitivity": sensitive or rng.random() < 0.3,
        "sound_sensitivity": sensitive or rng.random() < 0.3,
        "aura_minutes": rng.randint(10, 45) if rng.random() < profile.aura_share else None,
    }
    if not (features["one_sided"] or features["pulsating"] or features["worse_with_activity"]):
        features["pulsating"] = True
    if not (features["nausea_vomiting"] or (features["light_sensitivity"] and features["sound_sensitivity"])):
        features["nausea_vomiting"] = True
    return features


def _entry(profile: Profile, day: _Day, previous: _Day | None, rng: random.Random) -> dict[str, Any]:
    data: dict[str, Any] = {
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
        data.update(_features(profile, rng), migraine=True, headache_hours=_half_hours(rng, 4, 24))
        if rng.random() < 0.2:
            day.notes.append(rng.choice(MIGRAINE_NOTES))
    elif day.headache:
        data.update(migraine=False, headache_hours=_half_hours(rng, 1, 6))
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
    plan = {
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


# --- writing --------------------------------------------------------------------------


@dataclass(frozen=True)
class Seeded:
    profile: Profile
    entries: int
    late_entries: int
    doses_taken: int
    doses_missed: int
    first_day: date
    first_dose: date
    today: date


def _account(email: str, name: str, password_hash: str, joined: datetime, **flags: bool) -> User:
    # The hash is made once for all demo accounts: the password is public, and hashing
    # it per account would cost seconds with the production hasher.
    user = User.objects.create(
        email=email, display_name=name, password=password_hash, date_joined=joined, is_active=True, **flags
    )
    # Allauth requires a verified address (mandatory verification): mark it so.
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def patient_seed(history: History, clinician: Clinician, password_hash: str) -> Seeded:
    """Write one patient's account, care link, plan, diary and doses (one transaction)."""
    profile = history.profile
    with transaction.atomic():
        user = _account(profile.email, profile.name, password_hash, history.joined_at)
        patient = patient_create(
            user,
            time_zone=profile.time_zone,
            primary_condition=profile.condition,
            preferred_dose_time=profile.dose_time,
            created_at=history.joined_at,
        )
        invitation = invitation_create(clinician=clinician, note=profile.name, now=history.joined_at)
        invitation_redeem(
            patient=patient, code=invitation.code, consent=True, now=history.joined_at + timedelta(hours=2)
        )
        plan: DosePlan | None = None
        late = taken = missed = 0
        for record in history.days:
            if plan is None and record.day >= history.plan_written_at.date():
                written = plan_write(
                    patient=patient, clinician=clinician, data=history.plan, now=history.plan_written_at
                )
                plan = written.obj
            if history.stop is not None and record.day == history.stop[0] and plan is not None:
                plan_stop(
                    plan=plan,
                    clinician=clinician,
                    stopped_on=history.stop[0],
                    reason=StopReason.SIDE_EFFECTS,
                    note="Nausea and dizziness limiting work at 3 mg; patient prefers to stop.",
                    now=history.stop[1],
                )
            if record.entry is not None and record.entry_at is not None:
                result = entry_record(
                    patient=patient, day=record.day, data=record.entry, actor=None, now=record.entry_at
                )
                late += result.entry.late
            if record.dose is not None and record.dose_at is not None:
                dose_log_record(patient=patient, data=record.dose, now=record.dose_at)
                taken += record.dose["taken"]
                missed += not record.dose["taken"]
        questionnaires_seed(
            patient,
            clinician,
            profile_key=profile.key,
            visit=history.plan_written_at.date(),
            today=history.today,
            time_zone=profile.time_zone,
        )
    return Seeded(
        profile=profile,
        entries=sum(record.entry is not None for record in history.days),
        late_entries=late,
        doses_taken=taken,
        doses_missed=missed,
        first_day=history.days[0].day,
        first_dose=history.first_dose,
        today=history.today,
    )


def patient_now(profile: Profile, today: date | None, now: datetime) -> datetime:
    """The moment the demo is "now" for this patient: the real now, or the evening of --today."""
    if today is None:
        return now
    return _local(today, DEMO_EVENING, ZoneInfo(profile.time_zone))


def demo_seed(
    *, seed: int, today: date | None, now: datetime | None = None, progress: Callable[[Seeded], None] | None = None
) -> list[Seeded]:
    """Create the clinic, its clinician, the admin and every profile's patient."""
    now = now or timezone.now()
    password_hash = make_password(DEMO_PASSWORD)
    nows = {profile.key: patient_now(profile, today, now) for profile in PROFILES}
    # Each patient has their own generator, so adding a profile changes no one else.
    histories = [
        history_build(profile, nows[profile.key], random.Random(f"{seed}:{profile.key}")) for profile in PROFILES
    ]
    opened = min(history.joined_at for history in histories) - timedelta(days=30)
    with transaction.atomic():
        clinic = Clinic.objects.create(name=CLINIC_NAME, created_at=opened)
        clinician_user = _account(CLINICIAN_EMAIL, CLINICIAN_NAME, password_hash, opened)
        clinician = Clinician.objects.create(user=clinician_user, clinic=clinic, created_at=opened)
        TOTP.activate(clinician_user, DEMO_TOTP_SECRET)
        admin_user = _account(ADMIN_EMAIL, ADMIN_NAME, password_hash, opened, is_staff=True, is_superuser=True)
        TOTP.activate(admin_user, DEMO_TOTP_SECRET)
    seeded = []
    for history in histories:
        result = patient_seed(history, clinician, password_hash)
        seeded.append(result)
        if progress is not None:
            progress(result)
    return seeded


def demo_present() -> bool:
    return (
        Clinic.objects.filter(name=CLINIC_NAME).exists()
        or User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}").exists()
    )


def demo_delete() -> int:
    """Delete the demo clinic, its links and every demo account with all their data.

    Patients go first: their plans protect the clinician who wrote them.
    """
    demo_users = User.objects.filter(email__iendswith=f"@{DEMO_DOMAIN}")
    clinics = Clinic.objects.filter(name=CLINIC_NAME)
    deleted = demo_users.filter(patient__isnull=False).count()
    try:
        demo_users.filter(patient__isnull=False).delete()
        CareLink.objects.filter(clinic__in=clinics).delete()
        demo_users.delete()
        clinics.delete()
    except ProtectedError as exc:
        raise CommandError(
            "Demo data is referenced by other data (e.g. a plan written by the demo clinician for a "
            f"non-demo patient); delete that first. {exc.args[0]}"
        ) from exc
    return deleted


def logins() -> list[str]:
    """The demo accounts, one per line, indented for the `make run` banner."""
    rows = [
        (CLINICIAN_EMAIL, f"clinician: {CLINICIAN_NAME}; TOTP secret {DEMO_TOTP_SECRET}"),
        (ADMIN_EMAIL, f"admin (/admin/); TOTP secret {DEMO_TOTP_SECRET}"),
    ]
    rows += [
        (profile.email, f"patient: {profile.label}, {profile.condition}, {profile.time_zone}") for profile in PROFILES
    ]
    width = max(len(email) for email, _ in rows)
    return [f"    {email.ljust(width)}   ({role})" for email, role in rows]


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date: use YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Create a demo clinic, clinician, admin and patients with months of realistic diaries."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when the demo clinic exists.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument(
            "--today", type=_iso_date, default=None, help="The demo's today, YYYY-MM-DD (default: today)."
        )
        parser.add_argument("--print-logins", action="store_true", help="Only print the demo logins.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo data first.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["print_logins"]:
            self.stdout.write("\n".join(logins()))
            return
        started = clock.perf_counter()
        # One transaction: a failed run leaves nothing behind, so --if-empty never
        # skips over half a demo. Each patient is a savepoint inside it.
        with transaction.atomic():
            if options["reset"]:
                removed = demo_delete()
                self.stdout.write(f"Deleted the demo data ({removed} patients).")
            elif demo_present():
                if options["if_empty"]:
                    self.stdout.write("Demo data already present; nothing to do.")
                    return
                raise CommandError("Demo data already exists: use --reset to replace it (or --if-empty to skip).")
            self.stdout.write(f"Seeding demo data (seed {options['seed']}) ...")
            seeded = demo_seed(seed=options["seed"], today=options["today"], progress=self._progress)
        # Analyse the demo now, so the dashboards have something to show before a worker runs.
        swept = insights_sweep()
        self.stdout.write(
            f"Done in {clock.perf_counter() - started:.1f} s: {CLINIC_NAME}, {CLINICIAN_EMAIL}, {ADMIN_EMAIL} "
            f"and {len(seeded)} patients (password for all: {DEMO_PASSWORD}); insights for {swept.stored} patients."
        )

    def _progress(self, seeded: Seeded) -> None:
        p = seeded.profile
        self.stdout.write(
            f"  {p.email:<36} {p.label:<34} {seeded.first_day} → {seeded.today}: {seeded.entries} entries "
            f"({seeded.late_entries} late), {seeded.doses_taken} doses taken, {seeded.doses_missed} missed"
        )
