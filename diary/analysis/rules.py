"""Every constant of CLINICAL.md (version 2), read as its §11 and §12 settle them.

Nothing else in ``diary.analysis`` writes a clinical number: it names one of these. The
choice values are repeated here as plain strings (``diary.choices`` imports Django, and the
analysis must not).
"""

from __future__ import annotations

from typing import Final

RULES_VERSION: Final = "2"  # 2: questionnaires count in the verdict (§12)

# --- conditions (§6) --------------------------------------------------------------------
MIGRAINE: Final = "migraine"
CHRONIC_MIGRAINE: Final = "chronic_migraine"
HEADACHE_CONDITIONS: Final = frozenset({MIGRAINE, CHRONIC_MIGRAINE})
# fibromyalgia, chronic_pain and other all use the pain rule (IMMPACT 2008)
# The patient was not sure at sign-up and no clinician has set it yet: no rule applies, so
# from the decision point on the verdict is insufficient_data (the rule needs a condition).
CONDITION_NOT_SET: Final = "not_set"
CONDITION_NOT_SET_REASON: Final = "the primary condition is not set: the clinician sets it on the patient page"

# --- the diary day (§2, §3) -------------------------------------------------------------
HEADACHE_MILD: Final = 1  # headache ≥ 1 is a headache day
HEADACHE_MODERATE: Final = 2  # headache ≥ 2 is a moderate/severe day (and a Leiden feature)
SIDE_EFFECT_SEVERE: Final = 3

# --- Leiden 2023 migraine day (§3, §11.2) -----------------------------------------------
MIGRAINE_MIN_HOURS: Final = 0.5  # "≥ 30 minutes"
MIGRAINE_MIN_PAIN_FEATURES: Final = 2  # of {one-sided, pulsating, headache ≥ 2, worse with activity}
MIGRAINE_MIN_ASSOCIATED_FEATURES: Final = 1  # of {nausea/vomiting, light AND sound sensitivity}
AURA_MIN_MINUTES: Final = 5
AURA_MAX_MINUTES: Final = 60

# --- acute medicine classes (§2, §7, §11.10) --------------------------------------------
NON_OPIOID_ANALGESIC: Final = "non_opioid_analgesic"
TRIPTAN: Final = "triptan"
ERGOT: Final = "ergot"
GEPANT_DITAN: Final = "gepant_ditan"
OPIOID: Final = "opioid"
COMBINATION_ANALGESIC: Final = "combination_analgesic"
ANTIEMETIC: Final = "antiemetic"
OTHER_MEDICINE: Final = "other"
MEDICINE_CLASSES: Final = (
    NON_OPIOID_ANALGESIC,
    TRIPTAN,
    ERGOT,
    GEPANT_DITAN,
    OPIOID,
    COMBINATION_ANALGESIC,
    ANTIEMETIC,
    OTHER_MEDICINE,
)
# Migraine-specific acute medicines: always a headache day and always a migraine day (§11.1, §11.2).
MIGRAINE_SPECIFIC_CLASSES: Final = frozenset({TRIPTAN, ERGOT, GEPANT_DITAN})
# The ICHD-3 8.2 classes whose union counts as "several classes" (§11.10).
ICHD3_CLASSES: Final = (NON_OPIOID_ANALGESIC, TRIPTAN, ERGOT, OPIOID, COMBINATION_ANALGESIC)

# --- side effects (§2) ------------------------------------------------------------------
SE_VIVID_DREAMS: Final = "vivid_dreams"
SE_INSOMNIA: Final = "insomnia"
SE_HEADACHE: Final = "headache"
SIDE_EFFECT_KINDS: Final = (
    SE_VIVID_DREAMS,
    SE_INSOMNIA,
    SE_HEADACHE,
    "nausea",
    "diarrhea",
    "abdominal_discomfort",
    "dizziness",
    "fatigue",
    "jitteriness",
    "hot_flashes",
    "irritability",
    "anxiety",
    "other",
)

# --- dose times (§2) --------------------------------------------------------------------
MORNING: Final = "morning"
BEDTIME: Final = "bedtime"
OTHER_TIME: Final = "other"
DOSE_TIMES: Final = (MORNING, BEDTIME, OTHER_TIME)

# --- windows (§4, §11.4) ----------------------------------------------------------------
MONTH_DAYS: Final = 28
WINDOW_VALID_DAYS: Final = 23  # ≥ 80% of 28, rounded up
WINDOW_VALID_PCT: Final = 80  # documents WINDOW_VALID_DAYS: ceil(0.8 × 28) = 23
BASELINE_DAYS: Final = MONTH_DAYS  # the 28 days before the first dose taken

# --- titration and the trial clock (§5, §11.5) ------------------------------------------
DEFAULT_TARGET_MG: Final = 4.5
DEFAULT_DECISION_WEEKS: Final = 12
MIN_DECISION_WEEKS: Final = 8
MAX_DECISION_WEEKS: Final = 12
EARLIEST_EVALUATION_WEEKS: Final = 8
DAYS_PER_WEEK: Final = 7
FALLBACK_CLOCK_MIN_RUN_DAYS: Final = 14  # the highest dose held for ≥ 14 days
USUAL_MAX_MG: Final = 4.5  # above it: dose_out_of_range
MAX_STEP_UP_MG: Final = 1.5  # a step up of more than this: dose_out_of_range
# Doses are decimals typed by people (0.5 mg steps); compare amounts with this slack so
# 3.0 − 1.5 is never read as a step above 1.5 through binary rounding.
MG_TOLERANCE: Final = 1e-6

# --- verdicts (§6, §11.6, §11.7) --------------------------------------------------------
IN_PROGRESS: Final = "in_progress"
RESPONDER: Final = "responder"
STRONG_RESPONDER: Final = "strong_responder"
PARTIAL: Final = "partial"
NON_RESPONDER: Final = "non_responder"
INSUFFICIENT_DATA: Final = "insufficient_data"
DISCONTINUED: Final = "discontinued"
# Headache rule (AHS 2021): reduction in MHD or moderate/severe days.
HEADACHE_RESPONDER_PCT: Final = 50
HEADACHE_PARTIAL_PCT: Final = 30
# Chronic migraine at baseline: ≥ 15 headache days with ≥ 8 migraine days; 30% continuation.
CHRONIC_MIGRAINE_HEADACHE_DAYS: Final = 15
CHRONIC_MIGRAINE_MIGRAINE_DAYS: Final = 8
CHRONIC_MIGRAINE_CONTINUATION_PCT: Final = 30
# Questionnaire criteria (§6, §9, §12.5): exact comparisons, no rounding.
MIDAS_POINTS_BASELINE_MIN: Final = 11  # a baseline ≤ 10 cannot meet the criterion
MIDAS_POINTS_BASELINE_MAX: Final = 20  # 11–20: follow-up ≤ baseline − 5
MIDAS_POINTS_REDUCTION: Final = 5
MIDAS_PCT_REDUCTION_ABOVE: Final = 20  # ≥ 21: follow-up ≤ 0.7 × baseline
MIDAS_PCT_REDUCTION: Final = 30
HIT6_POINTS_REDUCTION: Final = 5
# Pain rule (IMMPACT 2008).
PAIN_STRONG_RESPONDER_PCT: Final = 50
PAIN_RESPONDER_PCT: Final = 30
PAIN_PARTIAL_PCT: Final = 10
PAIN_UNSTABLE_BASELINE_BELOW: Final = 4  # baseline mean pain < 4: percentages unstable

# --- questionnaires (§9, §12) -----------------------------------------------------------
MIDAS: Final = "midas"
HIT6: Final = "hit6"
PGIC: Final = "pgic"
INSTRUMENTS: Final = (MIDAS, HIT6, PGIC)
# Who entered a response (§12.1, §12.3): the patient, a clinician on their behalf, or a
# clinician's reported baseline total (dated the first dose's date).
BY_PATIENT: Final = "patient"
BY_CLINICIAN: Final = "clinician"
BY_REPORTED: Final = "reported"
# MIDAS (§12.1): items 1–5 are days 0–90, summed; A (headache days, 0–90) and B (usual pain
# 0–10) are recorded and never added.
MIDAS_ITEMS: Final = 5
MIDAS_ITEM_MAX_DAYS: Final = 90
MIDAS_PAIN_MAX: Final = 10
MIDAS_GRADES: Final = ((0, "I"), (6, "II"), (11, "III"), (21, "IV"))  # lower bound of each grade
# HIT-6 (§12.1): six answers, each one of five, scored.
HIT6_ITEMS: Final = 6
HIT6_ANSWERS: Final = ("never", "rarely", "sometimes", "very_often", "always")
HIT6_SCORES: Final = {"never": 6, "rarely": 8, "sometimes": 10, "very_often": 11, "always": 13}
HIT6_MIN_TOTAL: Final = 36
HIT6_MAX_TOTAL: Final = 78
HIT6_IMPACT: Final = ((36, "little_or_none"), (50, "some"), (56, "substantial"), (60, "severe"))
# PGIC (§12.1): 1 very much improved … 7 very much worse.
PGIC_MIN: Final = 1
PGIC_MAX: Final = 7
PGIC_IMPROVED_MAX: Final = 2  # 1 or 2 makes a pain patient's non_responder partial (§12.6)
PGIC_QUESTION: Final = "Since you started LDN, how would you describe the change in your condition overall?"
# Which instruments, when (§12.2): headache conditions MIDAS and HIT-6 at baseline and
# follow-up, PGIC at follow-up; other conditions PGIC at follow-up only.
HEADACHE_BASELINE_INSTRUMENTS: Final = (MIDAS, HIT6)
HEADACHE_FOLLOWUP_INSTRUMENTS: Final = (MIDAS, HIT6, PGIC)
PAIN_FOLLOWUP_INSTRUMENTS: Final = (PGIC,)
QUESTIONNAIRE_BASELINE_DAYS: Final = 28  # first dose − 28 … first dose, both inclusive (§12.10)
MIDAS_FOLLOWUP_MIN_DAYS_AFTER_FIRST_DOSE: Final = 90  # its 3-month recall lies on LDN (§12.4)
QUESTIONNAIRE_REPEAT_WEEKS: Final = 12  # due again 12 weeks after the last one (§12.4)
CLINICIAN_BACKDATE_DAYS: Final = 14  # a clinician may date a response up to 14 days back (§12.10)

# --- flags (§7, §11.8–§11.13) -----------------------------------------------------------
CRITICAL: Final = "critical"
HIGH: Final = "high"
MEDIUM: Final = "medium"
LOW: Final = "low"

NO_ADEQUATE_RESPONSE: Final = "no_adequate_response"
INSUFFICIENT_DATA_FLAG: Final = "insufficient_data"
ADVERSE_EVENT: Final = "adverse_event"
OPIOID_INTERACTION: Final = "opioid_interaction"
MEDICATION_OVERUSE_RISK: Final = "medication_overuse_risk"
PROBABLE_MEDICATION_OVERUSE: Final = "probable_medication_overuse"
FREQUENT_ACUTE_MEDICATION: Final = "frequent_acute_medication"
LOW_ADHERENCE: Final = "low_adherence"
DOSE_OUT_OF_RANGE: Final = "dose_out_of_range"
WORSENING: Final = "worsening"

FLAG_SEVERITY: Final = {
    NO_ADEQUATE_RESPONSE: HIGH,
    INSUFFICIENT_DATA_FLAG: MEDIUM,
    ADVERSE_EVENT: HIGH,
    OPIOID_INTERACTION: CRITICAL,
    MEDICATION_OVERUSE_RISK: MEDIUM,
    PROBABLE_MEDICATION_OVERUSE: HIGH,
    FREQUENT_ACUTE_MEDICATION: LOW,
    LOW_ADHERENCE: MEDIUM,
    DOSE_OUT_OF_RANGE: LOW,
    WORSENING: MEDIUM,
}
# Event flags stay open until a clinician resolves them (§11.8); the rest are state flags.
EVENT_FLAGS: Final = frozenset({ADVERSE_EVENT, OPIOID_INTERACTION, DOSE_OUT_OF_RANGE})
SEVERITY_ORDER: Final = (CRITICAL, HIGH, MEDIUM, LOW)

ADVERSE_PAIR_MAX_GAP_DAYS: Final = 6  # "≥ 2 days within 7" = two dates at most 6 days apart
ADVERSE_CONSECUTIVE_DAYS: Final = 14
OPIOID_DAYS_BEFORE_FIRST_DOSE: Final = 10
# Medication overuse (ICHD-3 8.2), raw day counts in a 28-day window.
OVERUSE_NON_OPIOID_DAYS: Final = 15
OVERUSE_SPECIFIC_DAYS: Final = 10  # triptan, ergot, opioid, combination: each
OVERUSE_SPECIFIC_CLASSES: Final = (TRIPTAN, ERGOT, OPIOID, COMBINATION_ANALGESIC)
OVERUSE_SEVERAL_CLASSES_DAYS: Final = 10
OVERUSE_SEVERAL_CLASSES_MIN: Final = 2
PROBABLE_OVERUSE_WINDOWS: Final = 3
PROBABLE_OVERUSE_HEADACHE_DAYS: Final = 15
FREQUENT_ACUTE_DAYS_ABOVE: Final = 8  # AHS: more than 2 days a week
ADHERENCE_MIN_PCT: Final = 80  # below it: low_adherence (exactly 80% does not fire)
WORSENING_PCT: Final = 30

# --- suggestions (§7, §11.14) -----------------------------------------------------------
MORNING_DOSING: Final = "morning_dosing"
SLOWER_TITRATION: Final = "slower_titration"
SUGGESTION_LOOKBACK_DAYS: Final = 7
MORNING_DOSING_MIN_DAYS: Final = 3  # vivid dreams or insomnia on ≥ 3 of the last 7 days
SLOWER_TITRATION_MAX_DAYS_AFTER_STEP: Final = 7  # headache side effect starting 0–7 days after
SLEEP_SIDE_EFFECTS: Final = frozenset({SE_VIVID_DREAMS, SE_INSOMNIA})

# --- trends (§8) ------------------------------------------------------------------------
SETTLING_DAYS: Final = 7
TREND_WEEKS: Final = 8  # Theil–Sen / Mann–Kendall over the last 8 weeks
TREND_MIN_POINTS: Final = 10  # fewer logged days in those weeks: no slope
ROLLING_SHORT_DAYS: Final = 7
ROLLING_SHORT_MIN_DAYS: Final = 4  # a 7-day mean needs more than half the days
SERIES_MAX_DAYS: Final = 365
WEEKLY_SPARKLINE_WEEKS: Final = 12
WEEK_MIN_DAYS: Final = 4  # a weekly mean needs more than half the days
REGRESSION_HAC_MIN_POINTS: Final = 12  # Newey–West errors from 12 weekly points
REGRESSION_MIN_SEGMENT_POINTS: Final = 5  # no segment estimate from fewer points
CONFIDENCE_LEVEL: Final = 0.95
OVERUSE_PANEL_WINDOWS: Final = 3
FLOAT_DECIMALS: Final = 3

# --- texts ------------------------------------------------------------------------------
CAVEATS: Final = (
    "Regression to the mean: patients often start a treatment when symptoms are at their worst.",
    "Placebo response: one LDN fibromyalgia trial saw an 18% pain reduction on placebo.",
    "Natural month-to-month fluctuation in headache and pain.",
    "Concurrent medicine changes may explain part of any change.",
)
PLACEBO_PAIN_REDUCTION_PCT: Final = 18
UNSTABLE_PAIN_NOTE: Final = "Baseline mean pain is below 4: percentage changes are unstable; read the absolute points."
REPORTED_NOTE: Final = "Baseline reported by the clinician, not from the diary."
PRO_RATED_NOTE: Final = "Window with gaps: counts pro-rated to 28 days (count × 28 / days with entry)."
OLS_NOTE: Final = "Fewer than 12 weekly points: plain OLS, intervals are optimistic."

MORNING_DOSING_TEXT: Final = (
    "Vivid dreams or insomnia on {days} of the last 7 days with bedtime dosing: "
    "consider taking the dose in the morning."
)
MORNING_DOSING_PATIENT_TEXT: Final = (
    "You noted vivid dreams or poor sleep on {days} of the last 7 days. Taking your dose in the "
    "morning instead of at bedtime often helps; check with your clinician before you change it."
)
SLOWER_TITRATION_TEXT: Final = (
    "A headache side effect started {days_after} days after the step up to {mg} mg on {step_date}: "
    "consider a slower titration or the previous dose ({previous_mg} mg)."
)
