"""What My trends tells the patient, read from the stored analysis (``PatientInsight.data``):
never a verdict name or a flag kind, only their own numbers.

``since_start``: "is LDN working for me?", the baseline (the 28 days before the first dose,
or the clinician's reported month) against the evaluation window, with the very numbers
the verdict's evidence holds, so the patient and the clinician read the same figures.

``patient_notices``: the safety notices of CLINICAL.md §7 that concern what the patient
does (medicine overuse, frequent acute medicines, missed doses, a dose logged above the
usual range), from the analysis's current findings, as structured numbers the app puts
into words. The opioid alert stays in ``alerts`` (shown at once, §7).
"""

from __future__ import annotations

from typing import Any

from diary.analysis import rules

# Which flag findings become which notice (the key the app words; never shown itself).
OVERUSE_FLAGS = (rules.PROBABLE_MEDICATION_OVERUSE, rules.MEDICATION_OVERUSE_RISK)


def _stage(clock: dict[str, Any], interim: bool) -> str:
    if not clock.get("first_dose"):
        return "before_first_dose"
    if not clock.get("start"):
        return "titrating"  # not yet at the target dose (or the fallback's 14 days)
    if interim:
        return "early"  # on the clock, before the decision point
    return "decision"


def since_start(data: dict[str, Any]) -> dict[str, Any] | None:
    """The verdict evidence's baseline and window, reduced to the one measure the patient's
    condition is judged on (headache days per 28 for headache conditions, mean pain
    otherwise; none while the condition is not set)."""
    evidence = (data.get("verdict") or {}).get("evidence")
    if not evidence:
        return None
    rule = evidence.get("rule")
    baseline = evidence.get("baseline") or {}
    window = evidence.get("window") or {}
    clock = evidence.get("clock") or {}
    if rule == "headache":
        measure, key, change = "headache_days", "headache_days_per_28", evidence.get("headache_days_reduction_pct")
    elif rule == "pain":
        measure, key, change = "pain", "mean_pain", evidence.get("mean_pain_reduction_pct")
    else:
        measure, key, change = None, None, None
    diary_window = baseline.get("diary_window") or {}
    return {
        "measure": measure,
        "stage": _stage(clock, bool(evidence.get("interim"))),
        "first_dose": clock.get("first_dose"),
        "target_mg": clock.get("target_mg"),
        "clock_start": clock.get("start"),
        "earliest_evaluation": clock.get("earliest_evaluation"),
        "decision_point": clock.get("decision_point"),
        "stopped_on": clock.get("stopped_on"),
        "baseline": {
            "source": baseline.get("source"),
            "value": baseline.get(key) if key else None,
            "start": diary_window.get("start"),
            "end": diary_window.get("end"),
            "days_logged": diary_window.get("days_logged"),
        },
        "latest": {
            "value": window.get(key) if key else None,
            "start": window.get("start"),
            "end": window.get("end"),
            "days": window.get("days"),
            "days_logged": window.get("days_logged"),
            "valid": window.get("valid"),
        },
        # (baseline − latest) / baseline, in %: positive is better (fewer days, less pain)
        "change_pct": change,
        "change_points": evidence.get("absolute_points") if rule == "pain" else None,
        # headache conditions: the verdict also weighs moderate or severe days (the better
        # of the two reductions decides, §11.7); absent without a figure at baseline
        "moderate_severe": _moderate_severe(evidence, baseline, window) if rule == "headache" else None,
        "days_needed": rules.WINDOW_VALID_DAYS,
    }


def _moderate_severe(
    evidence: dict[str, Any], baseline: dict[str, Any], window: dict[str, Any]
) -> dict[str, Any] | None:
    before = baseline.get("moderate_severe_days_per_28")
    if before is None:
        return None
    return {
        "baseline": before,
        "latest": window.get("moderate_severe_days_per_28"),
        "change_pct": evidence.get("moderate_severe_days_reduction_pct"),
    }


def _overuse_notice(finding: dict[str, Any]) -> dict[str, Any]:
    evidence = finding["evidence"]
    window = evidence.get("window") or (evidence.get("windows") or [{}])[-1]
    days = window.get("days_per_class", {})
    reasons = window.get("reasons", [])
    counts = [{"med_class": c, "days": days.get(c, 0)} for c in reasons if c != "several_classes" and c in days]
    if "several_classes" in reasons:
        counts.append({"med_class": None, "days": window.get("several_classes_union_days")})
    return {
        "kind": "medicine_overuse",
        "probable": finding["kind"] == rules.PROBABLE_MEDICATION_OVERUSE,
        "counts": counts,
        "start": window.get("start"),
        "end": window.get("end"),
        "headache_days_needed": evidence.get("headache_days_needed"),
    }


def patient_notices(data: dict[str, Any]) -> list[dict[str, Any]]:
    """At most one notice per subject, the most serious first."""
    findings = {f["kind"]: f for f in data.get("flags", [])}
    notices: list[dict[str, Any]] = []
    overuse = next((findings[k] for k in OVERUSE_FLAGS if k in findings), None)
    if overuse is not None:
        notices.append(_overuse_notice(overuse))
    elif rules.FREQUENT_ACUTE_MEDICATION in findings:
        e = findings[rules.FREQUENT_ACUTE_MEDICATION]["evidence"]
        notices.append({"kind": "frequent_medicines", **{k: e[k] for k in ("days", "start", "end", "more_than")}})
    high = [
        event
        for event in (findings.get(rules.DOSE_OUT_OF_RANGE) or {}).get("evidence", {}).get("events", [])
        if event.get("kind") == "dose_above_usual"
    ]
    if high:
        notices.append({"kind": "dose_above_usual", "doses": high, "usual_max_mg": rules.USUAL_MAX_MG})
    if rules.LOW_ADHERENCE in findings:
        e = findings[rules.LOW_ADHERENCE]["evidence"]
        notices.append({"kind": "missed_doses", **{k: e[k] for k in ("taken_days", "planned_days", "start", "end")}})
    return notices
