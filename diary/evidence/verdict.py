"""A verdict's evidence in words: the measures against baseline, the clock, the rule (CLINICAL.md §11)."""

from __future__ import annotations

from typing import Any

from diary.analysis import rules
from diary.evidence.formatting import (
    MONTH,
    STOP_REASONS,
    Evidence,
    _block,
    _fact,
    day,
    days,
    mg,
    number,
    percent,
    span,
    verdict_label,
)
from diary.evidence.questionnaires import (
    _questionnaire_attention,
    _questionnaire_facts,
    _questionnaire_headline,
    _questionnaire_notes,
    _questionnaire_rows,
)

HEADACHE_MEASURES = (  # (evidence name, label); the figures are "<name>_per_28", reductions "<name>_reduction_pct"
    ("headache_days", "Headache days per 28 days"),
    ("moderate_severe_days", "Moderate or severe headache days per 28 days"),
    ("migraine_days", "Migraine days per 28 days"),
)


def reduction_text(value: float | None) -> str:
    """'32%', or '-12% (worse)' for an increase (under a whole percent either way: '0%')."""
    if value is None:
        return "–"
    text = percent(value)
    return f"{text} (worse)" if text.startswith("-") else text


RULE_VERDICTS = frozenset({rules.RESPONDER, rules.STRONG_RESPONDER, rules.PARTIAL, rules.NON_RESPONDER})


def _headache_measures(ev: Evidence) -> list[dict[str, str]]:
    base, window = ev.get("baseline") or {}, ev.get("window") or {}
    modsev = ev.get("moderate_severe_criterion", "used")
    best = ev.get("best_reduction_pct")
    rows = []
    for key, label in HEADACHE_MEASURES:
        reduction, figure = ev.get(f"{key}_reduction_pct"), f"{key}_per_28"
        if key == "migraine_days":
            counts = "no: reported only"
        elif key == "moderate_severe_days" and modsev != "used":
            counts = "no: " + ("the baseline was reported" if "reported" in modsev else "none at baseline")
        else:
            counts = "yes, the better of the two" if reduction is not None and reduction == best else "yes"
        rows.append(
            {
                "label": label,
                "baseline": number(base.get(figure)),
                "now": number(window.get(figure)),
                "change": reduction_text(reduction),
                "counts": counts,
            }
        )
    return rows


def _pain_measures(ev: Evidence) -> list[dict[str, str]]:
    base, window = ev.get("baseline") or {}, ev.get("window") or {}
    points = ev.get("absolute_points")
    change = reduction_text(ev.get("mean_pain_reduction_pct"))
    if points is not None:
        change += f", {number(abs(points))} points {'less' if points >= 0 else 'more'}"
    return [
        {
            "label": "Mean daily pain (0–10)",
            "baseline": number(base.get("mean_pain")),
            "now": number(window.get("mean_pain")),
            "change": change,
            "counts": "yes",
        }
    ]


def _headache_rule(ev: Evidence) -> str:
    t = ev.get("thresholds_pct") or {}
    yes, part = t.get("responder", rules.HEADACHE_RESPONDER_PCT), t.get("partial", rules.HEADACHE_PARTIAL_PCT)
    return (
        f"Headache rule (AHS 2021): a responder has at least {yes}% fewer headache days, or moderate or "
        f"severe headache days (the better of the two counts); a partial response is {part}–{yes - 1}%; "
        f"below {part}% is no adequate response. Migraine days are reported, not used. "
        "Rates per 28 days are pro-rated over the days logged."
    )


def _pain_rule(ev: Evidence) -> str:
    t = ev.get("thresholds_pct") or {}
    strong = t.get("strong_responder", rules.PAIN_STRONG_RESPONDER_PCT)
    yes = t.get("responder", rules.PAIN_RESPONDER_PCT)
    part = t.get("partial", rules.PAIN_PARTIAL_PCT)
    return (
        f"Pain rule (IMMPACT 2008), on mean daily pain: a strong responder has at least {strong}% less pain, "
        f"a responder {yes}–{strong - 1}%, a partial response is {part}–{yes - 1}%; below {part}% is no "
        "adequate response."
    )


def _best_measure(ev: Evidence) -> tuple[float | None, str]:
    """The reduction the verdict rests on, and what it is of."""
    if ev.get("rule") == "pain":
        return ev.get("mean_pain_reduction_pct"), "pain"
    best, headache = ev.get("best_reduction_pct"), ev.get("headache_days_reduction_pct")
    if best is not None and headache is not None and best != headache:
        return best, "moderate or severe headache days"
    return best, "headache days"


def _change_phrase(value: float | None, what: str) -> str:
    """'16% less pain', '4% fewer headache days', '13% more headache days'."""
    if value is None:
        return ""
    if value < 0:
        return f"{percent(-value)} more {what}"
    return f"{percent(value)} {'less' if what == 'pain' else 'fewer'} {what}"


def _window_fact(window: Evidence, label: str = "Evaluation window") -> dict[str, str] | None:
    if not window:
        return None
    logged, length = window.get("days_logged", 0), window.get("days", MONTH)
    text = f"{span(window.get('start'), window.get('end'))}: {logged} of {days(length)} logged"
    if window.get("valid") is False:
        text += f" (not valid: {rules.WINDOW_VALID_DAYS} needed)"
    elif window.get("pro_rated"):
        text += ", rates pro-rated to 28 days"
    return _fact(label, text)


def _baseline_fact(base: Evidence) -> dict[str, str] | None:
    if not base:
        return None
    source = base.get("source")
    if source == "reported":
        return _fact("Baseline", "reported by the clinician (not from the diary)")
    if source == "none":
        return _fact("Baseline", "none: the diary baseline is not valid and none was reported")
    window = base.get("diary_window") or {}
    text = "the diary's 28 days before the first dose"
    if window:
        text += f" ({span(window.get('start'), window.get('end'))}), {window.get('days_logged', 0)} of 28 days logged"
        if window.get("pro_rated"):
            text += ", pro-rated"
    return _fact("Baseline", text)


def _clock_facts(clock: Evidence, *, earliest: bool = False) -> list[dict[str, str] | None]:
    if not clock:
        return []
    if not clock.get("start"):
        started = (
            f"not started: the target dose ({mg(clock.get('target_mg'))}) has not been taken, nor any dose "
            "held for 14 days"
        )
        return [_fact("Trial clock", started)]
    if clock.get("basis") == "target":
        how = f"the first day on the target dose ({mg(clock.get('mg'))})"
    else:
        how = f"the first day of the highest dose held for 14 days or more ({mg(clock.get('mg'))})"
    on_clock = clock.get("days_on_clock")
    text = f"started {day(clock['start'])}, {how}"
    if on_clock is not None:
        text += f"; {days(on_clock)} on the clock"
    facts: list[dict[str, str] | None] = [_fact("Trial clock", text)]
    if clock.get("decision_point"):
        weeks = clock.get("decision_weeks", rules.DEFAULT_DECISION_WEEKS)
        facts.append(_fact("Decision point", f"{day(clock['decision_point'])} ({weeks} weeks on the clock)"))
    if earliest and clock.get("earliest_evaluation"):
        facts.append(_fact("Earliest evaluation", f"{day(clock['earliest_evaluation'])} (8 weeks on the clock)"))
    return facts


def _stop_fact(clock: Evidence) -> dict[str, str] | None:
    if not clock or not clock.get("stopped_on"):
        return None
    reason = STOP_REASONS.get(clock.get("stop_reason") or "", "no reason given").lower()
    return _fact("Plan stopped", f"{day(clock['stopped_on'])} ({reason})")


def verdict_headline(kind: str | None, ev: Evidence) -> str:
    """'Partial response: 16% less pain (1.1 points)', 'In progress: decision point on …'."""
    label = verdict_label(kind)
    clock = ev.get("clock") or {}
    if kind == rules.IN_PROGRESS:
        if clock.get("decision_point"):
            return f"{label}: decision point on {day(clock['decision_point'])}"
        return f"{label}: the trial clock has not started"
    if kind == rules.DISCONTINUED:
        stopped = f" on {day(clock['stopped_on'])}" if clock.get("stopped_on") else ""
        reason = STOP_REASONS.get(clock.get("stop_reason") or "")
        why = f" ({reason.lower()})" if reason else ""
        return f"{label}: the plan was stopped{stopped}{why}, before the decision point"
    if kind == rules.INSUFFICIENT_DATA:
        return f"{label}: {_insufficient_reason(ev)}"
    value, what = _best_measure(ev)
    phrase = _change_phrase(value, what)
    points = ev.get("absolute_points")
    if phrase and what == "pain" and points is not None:
        phrase += f" ({number(abs(points))} points)"
    by_questionnaire = _questionnaire_headline(ev)
    if by_questionnaire:
        return f"{label} {by_questionnaire}" + (f"; {phrase}" if phrase else "")
    return f"{label}: {phrase}" if phrase else label


def _insufficient_reason(ev: Evidence) -> str:
    window = ev.get("window") or {}
    reason = str(ev.get("reason") or "")
    if window and window.get("valid") is False and reason.startswith("evaluation window"):
        return (
            f"{window.get('days_logged', 0)} of 28 days logged in {span(window.get('start'), window.get('end'))} "
            f"({rules.WINDOW_VALID_DAYS} needed)"
        )
    return reason or "the baseline or the last 28 days cannot be evaluated"


def verdict_presented(kind: str | None, ev: Evidence) -> dict[str, Any]:
    """A verdict's evidence in words (module docstring); the label alone for evidence of a
    shape this version does not know."""
    try:
        return _verdict_block(kind, ev)
    except (KeyError, TypeError, ValueError, AttributeError):
        return _block(verdict_label(kind))


def _verdict_block(kind: str | None, ev: Evidence) -> dict[str, Any]:
    headache = ev.get("rule") == "headache"
    measures = _headache_measures(ev) if headache else _pain_measures(ev) if ev.get("rule") == "pain" else []
    clock = ev.get("clock") or {}
    notes: list[str] = []
    if ev.get("chronic_migraine_at_baseline"):
        met = "met" if ev.get("continuation_threshold_met") else "not met"
        notes.append(
            f"Chronic migraine at baseline (15 or more headache days with 8 or more migraine days): many clinics "
            f"continue at a {ev.get('continuation_threshold_pct', rules.CHRONIC_MIGRAINE_CONTINUATION_PCT)}% "
            f"reduction; {met}."
        )
    if ev.get("unstable_baseline_note"):
        notes.append(str(ev["unstable_baseline_note"]))
    if ev.get("rule") == "pain" and ev.get("placebo_pain_reduction_pct") is not None:
        notes.append(f"Placebo reduced pain by {ev['placebo_pain_reduction_pct']}% in one LDN fibromyalgia trial.")
    if ev.get("interim"):
        notes.append("Interim numbers: the verdict is decided at the decision point.")
    notes.extend(str(n) for n in ev.get("notes") or [] if n != rules.PRO_RATED_NOTE)
    if kind not in RULE_VERDICTS:  # interim numbers: no rule has decided on them
        measures = [{**m, "counts": ""} for m in measures]
    facts = [
        _window_fact(ev.get("window") or {}),
        _baseline_fact(ev.get("baseline") or {}),
        *_clock_facts(clock, earliest=kind == rules.IN_PROGRESS),
        _stop_fact(clock),
    ]
    if kind == rules.INSUFFICIENT_DATA:
        facts.insert(0, _fact("Why", _insufficient_reason(ev)))
    facts += _questionnaire_facts(ev)
    notes += _questionnaire_notes(ev, headache)
    rule = _headache_rule(ev) if headache else _pain_rule(ev) if ev.get("rule") == "pain" else ""
    return _block(
        verdict_headline(kind, ev),
        measures=measures,
        facts=facts,
        rule=rule,
        notes=notes,
        attention=_questionnaire_attention(ev),
        questionnaires=_questionnaire_rows(ev),
    )
