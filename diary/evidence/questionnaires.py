"""The questionnaires' part of a verdict's evidence: totals, criteria, PGIC (CLINICAL.md §12)."""

from __future__ import annotations

from diary.analysis import rules
from diary.choices import EnteredBy, Instrument
from diary.evidence.formatting import HIT6_IMPACT_WORDS, INSTRUMENT_LABELS, Evidence, _fact, day
from diary.questionnaire_forms import PGIC_ANSWERS

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


def total_words(instrument: str, total: int | None, band: str | None = None) -> str:
    """What a total means: 'grade IV' (MIDAS), 'severe impact' (HIT-6), 'much improved' (PGIC)."""
    if total is None:
        return ""
    if instrument == Instrument.PGIC:
        index = int(total) - rules.PGIC_MIN
        return PGIC_ANSWERS[index].lower() if 0 <= index < len(PGIC_ANSWERS) else ""
    if instrument == Instrument.MIDAS:
        return f"grade {band}" if band else ""
    return HIT6_IMPACT_WORDS.get(str(band), "")


def response_text(instrument: str, response: Evidence | None) -> str:
    """'24 (grade IV) on 3 Aug 2026', 'much improved (2) on …', with who entered it if not the patient."""
    if not response:
        return ""
    total = response.get("total")
    words = total_words(instrument, total, response.get("band"))
    if instrument == Instrument.PGIC:
        value = f"{words} ({total})" if words else str(total)
    else:
        value = f"{total} ({words})" if words else str(total)
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
        notes.append(PGIC_MISSING)
    return notes


PGIC_MISSING = "No follow-up PGIC yet: ask how the patient's condition has changed overall since starting LDN."
CRITERION_SHORT = {
    "met": "met",
    "not_met": "not met",
    "not_available": "not available",
    "met_but_diary_worse": "met, but the diary shows worsening",
}


def _questionnaire_attention(ev: Evidence) -> list[str]:
    block = ev.get("questionnaire") or {}
    return [PGIC_MISSING] if block.get("pgic_missing_at_decision_point") else []


def _pgic_criterion(item: Evidence, headache: bool, effect: str | None) -> str:
    """§12.6 in a table cell: for headache conditions PGIC is reported only."""
    if headache:
        return "reported only: it does not change the verdict"
    follow = item.get("followup") or {}
    if not follow:
        return "not available (no follow-up PGIC)"
    if int(follow.get("total") or rules.PGIC_MAX) > rules.PGIC_IMPROVED_MAX:
        return "not met (much or very much improved needed)"
    if effect == "made_partial":
        return "met: no adequate response becomes a partial response"
    return "met (it changes only a verdict of no adequate response)"


def _questionnaire_rows(ev: Evidence) -> list[dict[str, str]]:
    """The instrument facts as table rows: instrument, baseline, follow-up, criterion."""
    block = ev.get("questionnaire") or {}
    instruments = block.get("instruments") or {}
    headache = Instrument.MIDAS in instruments or Instrument.HIT6 in instruments
    rows = []
    for instrument in Instrument.values:
        item = instruments.get(instrument)
        if item is None:
            continue
        follow = response_text(instrument, item.get("followup"))
        if not follow:
            start = item.get("followup_from")
            follow = f"none (counts from {day(start)})" if start else "none"
        if instrument == Instrument.PGIC:
            base = "–"  # PGIC asks about the change: it has no baseline
            criterion = _pgic_criterion(item, headache, block.get("effect"))
        else:
            base = response_text(instrument, item.get("baseline")) or "none"
            status = str(item.get("criterion") or "")
            rule = CRITERION_RULES.get(item.get("criterion_rule") or "")
            why = rule or (item.get("criterion_reason") if status in ("not_met", "not_available") else "")
            criterion = CRITERION_SHORT.get(status, "") + (f" ({why})" if why else "")
        rows.append(
            {"instrument": INSTRUMENT_LABELS[instrument], "baseline": base, "followup": follow, "criterion": criterion}
        )
    return rows


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
