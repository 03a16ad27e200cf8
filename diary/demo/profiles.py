"""The demo clinic's accounts and the patient profiles the generator follows.

Each profile is one kind of patient (a responder, a partial responder, one who stops ...):
its condition, its time zone, how its headaches and pain change on LDN, how it logs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from decimal import Decimal

from diary.choices import HEADACHE_CONDITIONS, Condition, DoseTime, SideEffectKind

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
