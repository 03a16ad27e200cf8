"""The output of the analysis. ``to_json()`` results hold only JSON types (no numpy
scalars, no dates: ISO strings), and floats are rounded so a recompute of the same
history gives byte-identical rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True, slots=True)
class VerdictResult:
    kind: str  # in_progress | responder | strong_responder | partial | non_responder | insufficient_data | discontinued
    evidence: dict[str, Any]  # the numbers that produced it (JSON types), incl. caveats and labels


@dataclass(frozen=True, slots=True)
class FlagFinding:
    kind: str  # a §7 flag kind
    severity: str  # critical | high | medium | low
    evidence: dict[str, Any]
    # Event flags (adverse_event, opioid_interaction, dose_out_of_range, §11.8): every date on
    # which the condition occurred, ascending, so the caller can open a new flag only for an
    # occurrence dated after the last resolution. Empty for state flags.
    occurrences: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    kind: str  # morning_dosing | slower_titration
    text: str  # clinician wording
    patient_text: str | None  # plain words for the patient, or None when clinician-only
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Insight:
    rules_version: str
    as_of: date
    verdict: VerdictResult
    flags: tuple[FlagFinding, ...]
    suggestions: tuple[Suggestion, ...]
    # everything for the charts and tables (JSON types): baseline, clock, window, segments,
    # rolling series, trends, regression, side-effect incidence by step and by dose time
    summary: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "rules_version": self.rules_version,
            "as_of": self.as_of.isoformat(),
            "verdict": {"kind": self.verdict.kind, "evidence": self.verdict.evidence},
            "flags": [
                {
                    "kind": f.kind,
                    "severity": f.severity,
                    "evidence": f.evidence,
                    "occurrences": [d.isoformat() for d in f.occurrences],
                }
                for f in self.flags
            ],
            "suggestions": [
                {"kind": s.kind, "text": s.text, "patient_text": s.patient_text, "evidence": s.evidence}
                for s in self.suggestions
            ],
            "summary": self.summary,
        }
