"""The clinician's words for a verdict's and a flag's evidence (issue 16).

One presenter for the patient page (through the API) and the visit report (HTML and
PDF): the analysis stores its evidence as numbers and codes (``diary/analysis``), and
only this module turns them into what a clinician reads. A presented block is::

    {headline: one line that says what it is about (agrees with the verdict),
     measures: [{label, baseline, now, change, counts}]  (verdicts, worsening),
     facts:    [{label, value}]  in a fixed, meaningful order,
     changes:  [sentence]  event flags: each occurrence whose value changed since it
               raised the flag (CLINICAL.md §11.8),
     occurrences: [{when, what, raised, now, changed}]  event flags, date order,
     rule:     the rule and its thresholds, stated once,
     notes:    [sentence]}

Numbers are rounded for reading: per-28 figures and pain to one decimal, percentages
whole. A percentage is cut towards zero, never rounded up across a threshold: the bands
are half-open (≥ 30 %), so 29.6 % reads "29%" beside "no adequate response (below 30%)".
No internal code (``non_responder``, ``pro_rated``) ever reaches the text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from diary.analysis import flags as event
from diary.analysis import rules
from diary.choices import EnteredBy, FlagKind, Instrument, MedicineClass, StopReason, VerdictKind
from diary.questionnaire_forms import PGIC_ANSWERS

Evidence = Mapping[str, Any]

VERDICT_LABELS = dict(VerdictKind.choices)
FLAG_LABELS = dict(FlagKind.choices)
MEDICINE_LABELS = dict(MedicineClass.choices)
STOP_REASONS = dict(StopReason.choices)
INSTRUMENT_LABELS = dict(Instrument.choices)
HIT6_IMPACT_WORDS = {
    "little_or_none": "little or no impact",
    "some": "some impact",
    "substantial": "substantial impact",
    "severe": "severe impact",
}
MONTH = rules.MONTH_DAYS


# --- numbers, dates, words ---------------------------------------------------------------


def number(value: float | None, decimals: int = 1) -> str:
    """A figure to ``decimals`` places ("–" when there is none)."""
    if value is None:
        return "–"
    return f"{float(value):.{decimals}f}"


def percent(value: float | None) -> str:
    """A whole percentage, cut towards zero (the module docstring says why)."""
    if value is None:
        return "–"
    # rounded to 6 places first: a stored 29.9999999 (a float's error) is 30
    return f"{math.trunc(round(float(value), 6))}%"


def mg(value: float | str | Decimal | None) -> str:
    """A dose as prescribed: one decimal, two when the dose has them (0.75 mg)."""
    if value is None:
        return "–"
    amount = Decimal(str(value))
    text = f"{amount:.2f}"
    return (text[:-1] if text.endswith("0") else text) + " mg"


def days(n: int) -> str:
    return "1 day" if n == 1 else f"{n} days"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def day(value: date | str | None) -> str:
    """21 Nov 2026."""
    if not value:
        return "–"
    d = _as_date(value)
    return f"{d.day} {d:%b %Y}"


def span(start: date | str | None, end: date | str | None) -> str:
    """7 Nov – 4 Dec 2026 (the year once when both days share it)."""
    if not start or not end:
        return "–"
    a, b = _as_date(start), _as_date(end)
    first = f"{a.day} {a:%b}" if a.year == b.year else day(a)
    return f"{first} – {day(b)}"


def moment(value: str | None, zone: str) -> str:
    """21 Nov 2026, 10:04 in the patient's time zone."""
    if not value:
        return "–"
    local = datetime.fromisoformat(value).astimezone(ZoneInfo(zone))
    return f"{day(local.date())}, {local:%H:%M}"


def day_list(values: Sequence[str], limit: int = 6) -> str:
    """Dates as one phrase; a long list shows its first and last few."""
    if len(values) <= limit:
        return ", ".join(day(v) for v in values)
    head = ", ".join(day(v) for v in values[:3])
    tail = ", ".join(day(v) for v in values[-2:])
    return f"{head}, … {len(values) - 5} more …, {tail}"


def verdict_label(kind: str | None) -> str:
    return VERDICT_LABELS.get(kind or "", "Not analysed yet")


def _fact(label: str, value: str) -> dict[str, str]:
    return {"label": label, "value": value}


def _block(
    headline: str,
    *,
    measures: Iterable[dict[str, str]] = (),
    facts: Iterable[dict[str, str] | None] = (),
    rule: str = "",
    notes: Iterable[str] = (),
    changes: Iterable[str] = (),
    occurrences: Iterable[dict[str, str]] = (),
) -> dict[str, Any]:
    return {
        "headline": headline,
        "measures": list(measures),
        "facts": [f for f in facts if f is not None],
        "changes": list(changes),
        "occurrences": list(occurrences),
        "rule": rule,
        "notes": list(dict.fromkeys(notes)),
    }


# --- verdicts ------------------------------------------------------------------------------

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
    return _block(verdict_headline(kind, ev), measures=measures, facts=facts, rule=rule, notes=notes)


# --- questionnaires (CLINICAL.md §12) --------------------------------------------------------

ENTERED_BY_WORDS: dict[str, str] = {
    EnteredBy.CLINICIAN.value: ", entered by a clinician",
    EnteredBy.REPORTED.value: ", a reported baseline",
}
CRITERION_WORDS = {
    "met": "criterion met",
    "not_met": "criterion not met",
    "not_available": "criterion not available",
    "met_but_diary_worse": "criterion met, but the diary shows worsening",
}
CRITERION_RULES = {
    "midas_points": "baseline 11 to 20: at most baseline − 5",
    "midas_percent": "baseline 21 or more: at most 0.7 × baseline",
    "hit6_points": "at most baseline − 5",
}


def response_text(instrument: str, response: Evidence | None) -> str:
    """'24 (grade IV) on 3 Aug 2026', 'much improved (2) on …', with who entered it if not the patient."""
    if not response:
        return ""
    total = response.get("total")
    if instrument == Instrument.PGIC:
        index = int(total or 0) - rules.PGIC_MIN
        value = f"{PGIC_ANSWERS[index].lower()} ({total})" if 0 <= index < len(PGIC_ANSWERS) else str(total)
    elif instrument == Instrument.MIDAS:
        value = f"{total} (grade {response.get('band')})" if response.get("band") else str(total)
    else:
        impact = HIT6_IMPACT_WORDS.get(str(response.get("band")), "")
        value = f"{total} ({impact})" if impact else str(total)
    who = ENTERED_BY_WORDS.get(str(response.get("entered_by")), "")
    on = f" on {day(response['completed_on'])}" if response.get("completed_on") else ""
    return f"{value}{on}{who}"


def _questionnaire_facts(ev: Evidence) -> list[dict[str, str]]:
    """One fact per instrument the condition lists: baseline → follow-up, and the criterion."""
    block = ev.get("questionnaire") or {}
    facts = []
    for instrument in Instrument.values:
        item = (block.get("instruments") or {}).get(instrument)
        if item is None:
            continue
        base = response_text(instrument, item.get("baseline"))
        follow = response_text(instrument, item.get("followup"))
        if instrument == Instrument.PGIC:
            value = follow or "not answered since the earliest evaluation date"
        else:
            value = f"{base or 'no baseline response'} → {follow or 'no follow-up response'}"
            status = item.get("criterion")
            if status:
                words = CRITERION_WORDS.get(status, "")
                rule = CRITERION_RULES.get(item.get("criterion_rule") or "")
                if status in ("not_met", "not_available") and not rule:
                    words = f"{words} ({item.get('criterion_reason', '')})".replace(" ()", "")
                value += f": {words}" + (f" ({rule})" if rule else "")
        facts.append(_fact(INSTRUMENT_LABELS[instrument], value))
    return facts


def _questionnaire_notes(ev: Evidence, headache: bool) -> list[str]:
    block = ev.get("questionnaire") or {}
    notes = []
    effect = block.get("effect")
    if effect == "met_but_diary_worse":
        notes.append(
            "A questionnaire criterion is met, but the diary shows worsening: the verdict follows the day counts."
        )
    if effect == "made_partial":
        notes.append(
            "PGIC much or very much improved: partial response, as the case series counted patients who "
            "continued for a perceived benefit."
        )
    if headache and (block.get("instruments") or {}).get(Instrument.PGIC, {}).get("followup"):
        notes.append("PGIC is reported for headache conditions; it does not change the verdict.")
    if block.get("pgic_missing_at_decision_point"):
        notes.append("No follow-up PGIC yet: ask how the patient's condition has changed overall since starting LDN.")
    return notes


def _questionnaire_headline(ev: Evidence) -> str:
    """'by MIDAS: 24 → 16', 'by PGIC: much improved' when a questionnaire decided the verdict."""
    block = ev.get("questionnaire") or {}
    effect = block.get("effect")
    instruments = block.get("instruments") or {}
    if effect == "made_responder":
        parts = []
        for instrument in block.get("criterion_met") or []:
            item = instruments.get(instrument) or {}
            base, follow = item.get("baseline") or {}, item.get("followup") or {}
            parts.append(f"{INSTRUMENT_LABELS[instrument]} {base.get('total')} → {follow.get('total')}")
        return f"by {' and '.join(parts)}" if parts else ""
    if effect == "made_partial":
        follow = (instruments.get(Instrument.PGIC) or {}).get("followup") or {}
        index = int(follow.get("total") or 0) - rules.PGIC_MIN
        answer = PGIC_ANSWERS[index].lower() if 0 <= index < len(PGIC_ANSWERS) else ""
        return f"by PGIC ({answer})" if answer else "by PGIC"
    return ""


# --- flags -----------------------------------------------------------------------------------

OCCURRENCE_WORDS = {
    event.DOSE_TAKEN: "dose taken",
    event.PLAN_STEP: "plan step",
    event.STEP_UP: "plan step up",
    event.OPIOID_LOGGED: "opioid logged",
    event.SERIOUS_SIDE_EFFECT: "severe or activity-limiting side effect",
    event.SIDE_EFFECT_RUN: "side effects every day for 14 days or more, from this day",
}


def _occurrence_value(what: str, value: Any) -> str:
    if what in (event.DOSE_TAKEN, event.PLAN_STEP, event.STEP_UP):
        return mg(value) if value is not None else ("no dose logged" if what == event.DOSE_TAKEN else "no such step")
    if what == event.OPIOID_LOGGED:
        return "logged" if value else "not logged"
    if what == event.SERIOUS_SIDE_EFFECT:
        return "logged" if value else "not logged"
    if what == event.SIDE_EFFECT_RUN:
        return "14 days or more" if value else "fewer than 14 days"
    return "–" if value is None else str(value)


def _occurrences(ev: Evidence, zone: str) -> tuple[list[dict[str, str]], list[str]]:
    """Rows for the occurrence table and a sentence per changed occurrence."""
    rows, changes = [], []
    for o in ev.get("occurrences") or []:
        what = OCCURRENCE_WORDS.get(o.get("what", ""), "occurrence")
        raised = o.get("raised", o.get("value"))
        now = o.get("now", raised)
        changed = o.get("changed_at")
        rows.append(
            {
                "when": day(o.get("date")),
                "what": what[0].upper() + what[1:],
                "raised": _occurrence_value(o.get("what", ""), raised),
                "now": _occurrence_value(o.get("what", ""), now) if changed else "unchanged",
                "changed": moment(changed, zone) if changed else "",
            }
        )
        if changed:
            changes.append(
                f"{day(o.get('date'))}, {what}: {_occurrence_value(o.get('what', ''), raised)} when the flag was "
                f"raised, {_occurrence_value(o.get('what', ''), now)} now (changed {moment(changed, zone)})."
            )
    return rows, changes


def _changed_note(changes: Sequence[str]) -> list[str]:
    if not changes:
        return []
    return ["The patient's data changed after this flag was raised; it stays open until a clinician resolves it."]


def _no_adequate_response(ev: Evidence) -> dict[str, Any]:
    verdict = ev.get("verdict")
    value = _best_measure(ev)[0]
    label = verdict_label(verdict).lower()
    figure = f" ({percent(value)})" if value is not None else ""
    headline = f"Decision point reached: {label}{figure} — decide on continuation"
    facts = [
        _fact("Verdict", verdict_headline(verdict, ev)),
        *_clock_facts(ev.get("clock") or {})[1:],
    ]
    rule = (
        "Raised at the decision point when the verdict is a partial response or no adequate response; "
        "it resolves itself when the verdict changes."
    )
    return _block(headline, facts=facts, rule=rule)


def _insufficient_data(ev: Evidence) -> dict[str, Any]:
    window = ev.get("window") or {}
    problem = ev.get("baseline_problem")
    if problem:
        why = str(problem)
    else:
        why = f"{window.get('days_logged', 0)} of 28 days logged ({ev.get('valid_days_needed', 23)} needed)"
    facts = [_window_fact(window, "Last 28 days"), _fact("Baseline", str(problem) if problem else "valid")]
    rule = (
        "Raised from 8 weeks on the trial clock when the baseline or the last 28 days cannot be evaluated: "
        f"a 28-day window needs {ev.get('valid_days_needed', rules.WINDOW_VALID_DAYS)} days logged."
    )
    return _block(f"Not enough data to evaluate: {why}", facts=facts, rule=rule)


def _adverse_event(ev: Evidence, zone: str) -> dict[str, Any]:
    serious = list(ev.get("serious_days") or [])
    runs = list(ev.get("consecutive_runs") or [])
    within = ev.get("serious_within_days", rules.ADVERSE_PAIR_MAX_GAP_DAYS + 1)
    needed = ev.get("consecutive_days_needed", rules.ADVERSE_CONSECUTIVE_DAYS)
    parts = []
    if len(serious) >= 2:
        parts.append(f"severe or limiting side effects on {len(serious)} days")
    if runs:
        longest = max(runs, key=lambda r: r["days"])
        parts.append(f"side effects on {longest['days']} consecutive days from {day(longest['start'])}")
    headline = "Adverse event: " + ("; ".join(parts) if parts else "see the occurrences")
    rows, changes = _occurrences(ev, zone)
    facts = [
        _fact("Severe or limiting side-effect days", day_list(serious)) if serious else None,
        *[_fact("Consecutive side-effect days", f"{span(r['start'], r['end'])} ({days(r['days'])})") for r in runs],
    ]
    rule = (
        f"Raised when a side effect rated severe, or limiting activities, is logged on 2 days within {within}, "
        f"or any side effect on {needed} consecutive days; it stays open until a clinician resolves it."
    )
    return _block(headline, facts=facts, rule=rule, changes=changes, occurrences=rows, notes=_changed_note(changes))


def _opioid(ev: Evidence, zone: str) -> dict[str, Any]:
    dates = list(ev.get("dates") or [])
    rows, changes = _occurrences(ev, zone)
    still = [o for o in ev.get("occurrences") or [] if o.get("now", True)]
    headline = FLAG_LABELS[FlagKind.OPIOID_INTERACTION]
    if dates:
        headline += f": {days(len(dates))}, the last on {day(dates[-1])}"
    if ev.get("occurrences") and not still:
        headline += " (all since removed by the patient)"
    facts = [
        _fact("Days with an opioid", day_list(dates)) if dates else None,
        _fact("On LDN", f"{span(ev.get('on_ldn_from'), ev.get('on_ldn_to'))}, from 10 days before the first dose")
        if ev.get("on_ldn_from")
        else None,
    ]
    rule = (
        "Raised when an opioid, or a combination analgesic that contains one, is logged from 10 days before the "
        "first dose while on LDN: opioids and naltrexone work against each other. The patient is shown an alert "
        "while the diary still holds it; the flag stays open until a clinician resolves it."
    )
    return _block(headline, facts=facts, rule=rule, changes=changes, occurrences=rows, notes=_changed_note(changes))


OVERUSE_REASON_WORDS = {
    rules.NON_OPIOID_ANALGESIC: "paracetamol, aspirin or NSAID",
    rules.TRIPTAN: "triptan",
    rules.ERGOT: "ergot",
    rules.OPIOID: "opioid",
    rules.COMBINATION_ANALGESIC: "combination analgesic",
    "several_classes": "several classes together",
}


def _overuse_reason(window: Evidence, thresholds: Evidence, reason: str) -> str:
    if reason == "several_classes":
        count = window.get("several_classes_union_days") or 0
    else:
        count = (window.get("days_per_class") or {}).get(reason, 0)
    limit = thresholds.get(reason, "")
    return f"{OVERUSE_REASON_WORDS.get(reason, 'acute medicines')} on {days(count)} (threshold {limit})"


def _overuse_facts(window: Evidence, thresholds: Evidence) -> list[dict[str, str] | None]:
    per_class = window.get("days_per_class") or {}
    facts: list[dict[str, str] | None] = []
    for cls in rules.MEDICINE_CLASSES:
        count = per_class.get(cls, 0)
        if count:
            limit = thresholds.get(cls)
            facts.append(
                _fact(
                    MEDICINE_LABELS.get(cls, "Other"),
                    days(count) + (f" (threshold {limit})" if limit else " (no threshold of its own)"),
                )
            )
    if window.get("several_classes_union_days") is not None:
        facts.append(
            _fact(
                "Several classes together",
                f"{days(window['several_classes_union_days'])} (threshold {thresholds.get('several_classes', 10)})",
            )
        )
    logged = window.get("days_logged")
    if window.get("headache_days") is not None:
        facts.append(_fact("Headache days", f"{window['headache_days']} of {days(logged or 0)} logged"))
    return facts


OVERUSE_RULE = (
    "paracetamol, aspirin or NSAID on 15 days or more; triptan, ergot, opioid or combination analgesic on 10 days "
    "or more each; or acute medicines of several classes together on 10 days or more (ICHD-3 8.2, days counted "
    "as logged, not pro-rated)."
)
THRESHOLDS_DEFAULT = {
    rules.NON_OPIOID_ANALGESIC: rules.OVERUSE_NON_OPIOID_DAYS,
    **dict.fromkeys(rules.OVERUSE_SPECIFIC_CLASSES, rules.OVERUSE_SPECIFIC_DAYS),
    "several_classes": rules.OVERUSE_SEVERAL_CLASSES_DAYS,
}


def _overuse_risk(ev: Evidence) -> dict[str, Any]:
    window = ev.get("window") or {}
    thresholds = ev.get("thresholds") or THRESHOLDS_DEFAULT
    reasons = [_overuse_reason(window, thresholds, r) for r in window.get("reasons") or []]
    # the headline names the first threshold reached (a line of a worklist); the facts give all
    headline = FLAG_LABELS[FlagKind.MEDICATION_OVERUSE_RISK]
    if reasons:
        headline += f": {reasons[0]}" + (f", and {len(reasons) - 1} more" if len(reasons) > 1 else "")
    facts = [
        _fact("Window", span(window.get("start"), window.get("end"))),
        _fact("Thresholds reached", "; ".join(reasons)) if len(reasons) > 1 else None,
        *_overuse_facts(window, thresholds),
    ]
    return _block(headline, facts=facts, rule="Raised when, in the last 28 days: " + OVERUSE_RULE)


def _probable_overuse(ev: Evidence) -> dict[str, Any]:
    windows = list(ev.get("windows") or [])
    needed = ev.get("headache_days_needed", rules.PROBABLE_OVERUSE_HEADACHE_DAYS)
    name = FLAG_LABELS[FlagKind.PROBABLE_MEDICATION_OVERUSE]
    headline = f"{name}: overuse in {len(windows)} consecutive 28-day windows"
    facts = []
    for w in windows:
        reasons = [_overuse_reason(w, THRESHOLDS_DEFAULT, r) for r in w.get("reasons") or []]
        facts.append(
            _fact(
                span(w.get("start"), w.get("end")),
                "; ".join([*reasons, f"{w.get('headache_days', 0)} headache days"]),
            )
        )
    rule = (
        f"Raised when the risk of overuse holds in 3 back-to-back 28-day windows with {needed} or more headache "
        "days in each. The risk: " + OVERUSE_RULE
    )
    return _block(headline, facts=facts, rule=rule)


def _frequent_acute(ev: Evidence) -> dict[str, Any]:
    count = ev.get("days", 0)
    above = ev.get("more_than", rules.FREQUENT_ACUTE_DAYS_ABOVE)
    headline = f"{FLAG_LABELS[FlagKind.FREQUENT_ACUTE_MEDICATION]}: acute medicines on {count} of the last 28 days"
    rule = f"Raised when acute medicines are taken on more than {above} days in 28 (more than 2 days a week, AHS)."
    return _block(headline, facts=[_fact("Window", span(ev.get("start"), ev.get("end")))], rule=rule)


def _low_adherence(ev: Evidence) -> dict[str, Any]:
    taken, planned = ev.get("taken_days", 0), ev.get("planned_days", 0)
    headline = (
        f"{FLAG_LABELS[FlagKind.LOW_ADHERENCE]}: {percent(ev.get('adherence_pct'))} of planned doses taken "
        f"({taken} of {days(planned)})"
    )
    facts = [_fact("Window", span(ev.get("start"), ev.get("end")))]
    rule = (
        f"Raised when doses are taken on fewer than {ev.get('threshold_pct', rules.ADHERENCE_MIN_PCT)}% of the "
        "planned days in the last 28 (a planned day without a dose record counts as not taken)."
    )
    return _block(headline, facts=facts, rule=rule)


def _dose_out_of_range(ev: Evidence, zone: str) -> dict[str, Any]:
    occurrences = list(ev.get("occurrences") or [])
    rows, changes = _occurrences(ev, zone)
    headline = FLAG_LABELS[FlagKind.DOSE_OUT_OF_RANGE]
    if occurrences:
        latest = occurrences[-1]
        what = OCCURRENCE_WORDS.get(latest["what"], "dose")
        raised = latest.get("raised", latest.get("value"))
        headline += f": {what} of {mg(raised)} on {day(latest['date'])}"
        if latest.get("changed_at"):
            headline += f" (now {_occurrence_value(latest['what'], latest.get('now'))})"
        if len(occurrences) > 1:
            headline += f", and {len(occurrences) - 1} more"
    elif ev.get("events"):
        latest = ev["events"][-1]
        headline += f": {mg(latest.get('mg'))} on {day(latest.get('date'))}"
    usual = ev.get("usual_max_mg", rules.USUAL_MAX_MG)
    step = ev.get("max_step_up_mg", rules.MAX_STEP_UP_MG)
    rule = (
        f"Raised when a plan step or a dose taken is above {mg(usual)}, or a step up is more than {mg(step)}; "
        "it stays open until a clinician resolves it."
    )
    return _block(headline, rule=rule, changes=changes, occurrences=rows, notes=_changed_note(changes))


def _worsening(ev: Evidence) -> dict[str, Any]:
    window = ev.get("window") or {}
    pain = ev.get("measure") == "mean_pain"
    figure = "mean_pain" if pain else "headache_days_per_28"
    what = "pain" if pain else "headache days"
    label = "Mean daily pain (0–10)" if pain else "Headache days per 28 days"
    headline = (
        f"{FLAG_LABELS[FlagKind.WORSENING]}: {percent(ev.get('increase_pct'))} more {what} than at baseline "
        f"({number(ev.get('baseline'))} → {number(window.get(figure))})"
    )
    measures = [
        {
            "label": label,
            "baseline": number(ev.get("baseline")),
            "now": number(window.get(figure)),
            "change": f"{percent(ev.get('increase_pct'))} more",
            "counts": "yes",
        }
    ]
    rule = (
        f"Raised when the last 28 days (valid, all on LDN) are {ev.get('threshold_pct', rules.WORSENING_PCT)}% "
        "or more worse than the baseline: headache days for headache conditions, mean pain otherwise."
    )
    return _block(headline, measures=measures, facts=[_window_fact(window, "Last 28 days")], rule=rule)


PRESENTERS: dict[str, Callable[[Evidence], dict[str, Any]]] = {
    FlagKind.NO_ADEQUATE_RESPONSE: _no_adequate_response,
    FlagKind.INSUFFICIENT_DATA: _insufficient_data,
    FlagKind.MEDICATION_OVERUSE_RISK: _overuse_risk,
    FlagKind.PROBABLE_MEDICATION_OVERUSE: _probable_overuse,
    FlagKind.FREQUENT_ACUTE_MEDICATION: _frequent_acute,
    FlagKind.LOW_ADHERENCE: _low_adherence,
    FlagKind.WORSENING: _worsening,
}
# Event flags: their occurrences changed at a time, told in the patient's zone.
ZONED_PRESENTERS: dict[str, Callable[[Evidence, str], dict[str, Any]]] = {
    FlagKind.ADVERSE_EVENT: _adverse_event,
    FlagKind.OPIOID_INTERACTION: _opioid,
    FlagKind.DOSE_OUT_OF_RANGE: _dose_out_of_range,
}


def flag_presented(kind: str, ev: Evidence, zone: str = "UTC") -> dict[str, Any]:
    """A flag's evidence in words; ``zone``: the patient's, for when an occurrence changed.
    Evidence of a shape this version does not know (an older rules version, a flag written
    by hand) gives the flag's name alone rather than an error."""
    try:
        return _flag_block(kind, ev, zone)
    except (KeyError, TypeError, ValueError, AttributeError):
        return _block(FLAG_LABELS.get(kind, "Flag"))


def _flag_block(kind: str, ev: Evidence, zone: str) -> dict[str, Any]:
    if kind in ZONED_PRESENTERS:
        return ZONED_PRESENTERS[kind](ev, zone)
    if kind in PRESENTERS:
        return PRESENTERS[kind](ev)
    return _block(FLAG_LABELS.get(kind, "Flag"))


def flag_headline(kind: str, ev: Evidence) -> str:
    return str(flag_presented(kind, ev)["headline"])


# --- suggestions -----------------------------------------------------------------------------


def suggestion_text(kind: str, ev: Evidence, fallback: str) -> str:
    """A suggestion for the clinician, from its evidence ('1 day', readable dates and doses)."""
    try:
        if kind == rules.MORNING_DOSING:
            return (
                f"Vivid dreams or insomnia on {ev['sleep_side_effect_days']} of the last {ev['of_last_days']} days "
                f"with bedtime dosing (the last dose on {day(ev['last_dose'])}): consider taking the dose in the "
                "morning."
            )
        if kind == rules.SLOWER_TITRATION:
            after = ev["days_after_step_up"]
            when = "on the day of" if after == 0 else f"{days(after)} after"
            return (
                f"A headache side effect (different from the usual headaches) started {when} the step up to "
                f"{mg(ev['mg'])} on {day(ev['step_up'])}: consider a slower titration or the previous dose "
                f"({mg(ev['previous_mg'])})."
            )
    except (KeyError, TypeError, ValueError):
        pass
    return fallback
