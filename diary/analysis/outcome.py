"""What the clinic outcomes count of one analysis (CLINICAL.md §6), cut out of its summary.

Stored beside the insight as ``PatientOutcome`` (one row per patient), so the clinic's
outcomes read a few columns per patient instead of every summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _doses(segments: list[dict[str, Any]], clock: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(starting dose, stable dose): the first amount taken, and the amount held on the
    decision point, or the last amount held when the trial ended before it (a stop)."""
    if not segments:
        return None, None
    stable = segments[-1]["mg"]
    point = clock.get("decision_point")
    if point:
        for segment in segments:
            if segment["start"] <= point <= segment["end"]:
                stable = segment["mg"]
                break
    return segments[0]["mg"], stable


def outcome_fields(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The ``PatientOutcome`` columns of an insight's summary (engine.py's layout; a part an
    older rules version did not store counts as empty): the condition analysed ("" if none),
    the starting and stable dose, and the side effects with a non-zero incidence at any step."""
    starting, stable = _doses(summary.get("segments") or [], summary.get("clock") or {})
    steps = (summary.get("side_effects_by_step") or {}).values()
    kinds = {kind for step in steps for kind, share in step["incidence"].items() if share}
    return {
        "condition": summary.get("condition") or "",
        "starting_mg": starting,
        "stable_mg": stable,
        "side_effect_kinds": sorted(kinds),
    }
