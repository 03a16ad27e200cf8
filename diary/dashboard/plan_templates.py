"""The plan templates a clinician starts a titration plan from (CLINICAL.md §5)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def _template_steps(doses: list[str], days_each: int) -> list[dict[str, Any]]:
    return [
        {
            "start_day": k * days_each,
            "days": days_each if k < len(doses) - 1 else None,  # the last step (the target) goes on
            "mg": mg,
        }
        for k, mg in enumerate(doses)
    ]


# CLINICAL.md §5: typical starts 0.5–1.5 mg, +0.5–1.5 mg every 1–2 weeks, slower for sensitive patients.
PLAN_TEMPLATES: tuple[dict[str, Any], ...] = (
    {
        "key": "standard",
        "label": "1.5 → 3 → 4.5 mg weekly",
        "target_mg": "4.50",
        "decision_weeks": 12,
        "steps": _template_steps(["1.50", "3.00", "4.50"], 7),
    },
    {
        "key": "sensitive",
        "label": "0.5 mg steps every 2 weeks",
        "target_mg": "4.50",
        "decision_weeks": 12,
        "steps": _template_steps([f"{Decimal(k) / 2:.2f}" for k in range(1, 10)], 14),
    },
)
