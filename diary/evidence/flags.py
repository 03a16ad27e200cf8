"""A flag's evidence in words: one presenter per flag kind, with its occurrences (CLINICAL.md §11.8)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from diary.analysis import flags as event
from diary.analysis import rules
from diary.choices import FlagKind
from diary.evidence.formatting import (
    FLAG_LABELS,
    MEDICINE_LABELS,
    Evidence,
    _block,
    _fact,
    day,
    day_list,
    days,
    mg,
    moment,
    number,
    percent,
    span,
    verdict_label,
)
from diary.evidence.verdict import _best_measure, _clock_facts, _window_fact, verdict_headline

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
