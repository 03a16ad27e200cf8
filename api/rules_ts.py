"""The server's input rules as a TypeScript module for the app (`frontend/src/rules.gen.ts`).

The app checks a diary day and a dose before it queues them, so that a change the server
would refuse never waits in the outbox. It checks them against these rules, read from the
serializers and constants the server itself validates with, never a copy typed by hand:
`manage.py rules_ts` writes the module, and tests/api/test_rules_ts.py fails when the
committed module is not what it would write now.

Per field: `min`/`max` (numbers), `decimals` (digits after the point), `maxLength`
(text), `choices` (allowed values), `required` and `nullable`; lists carry `maxItems`
when the serializer caps them. The rules no field states (the day's date, a side effect
"other" needs its text, a dose taken without a plan needs its amount) are named
constants below the fields, with the server function that applies each.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from rest_framework import serializers

from api.serializers.dosing import DoseLogIn, DoseLogPatch
from api.serializers.entries import AcuteMedicationIn, EntryIn, SideEffectIn
from api.serializers.people import ConditionIn
from diary.analysis.rules import MIGRAINE_SPECIFIC_CLASSES
from diary.choices import HEADACHE_CONDITIONS, OPIOID_NAME_MARKERS, Condition
from diary.services.dosing import MAX_STEP_UP_MG, USUAL_MAX_MG

TARGET = Path(settings.BASE_DIR) / "frontend" / "src" / "rules.gen.ts"


def _number(value: Any) -> float | int:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def field_rules(field: serializers.Field) -> dict[str, Any]:
    """What one DRF field accepts, in the module's terms."""
    out: dict[str, Any] = {}
    if isinstance(field, serializers.ListSerializer):
        out["list"] = True
        most, least = getattr(field, "max_length", None), getattr(field, "min_length", None)
        if most is not None:
            out["maxItems"] = most
        if least is not None:
            out["minItems"] = least
    elif isinstance(field, serializers.ChoiceField):
        out["choices"] = [str(k) for k in field.choices]
    elif isinstance(field, serializers.BooleanField):
        out["boolean"] = True
    elif isinstance(field, serializers.DecimalField):
        if field.min_value is not None:
            out["min"] = _number(field.min_value)
        if field.max_value is not None:
            out["max"] = _number(field.max_value)
        out["decimals"] = field.decimal_places
    elif isinstance(field, serializers.IntegerField):
        out["integer"] = True
        if field.min_value is not None:
            out["min"] = field.min_value
        if field.max_value is not None:
            out["max"] = field.max_value
    elif isinstance(field, serializers.CharField):
        if field.max_length is not None:
            out["maxLength"] = field.max_length
        out["blank"] = field.allow_blank
    out["required"] = bool(field.required)
    out["nullable"] = bool(getattr(field, "allow_null", False))
    return out


def serializer_rules(serializer: type[serializers.Serializer]) -> dict[str, Any]:
    return {name: field_rules(field) for name, field in serializer().get_fields().items()}


def rules() -> dict[str, Any]:
    return {
        "ENTRY": serializer_rules(EntryIn),
        "SIDE_EFFECT": serializer_rules(SideEffectIn),
        "MEDICINE": serializer_rules(AcuteMedicationIn),
        "DOSE": serializer_rules(DoseLogIn),
        "DOSE_PATCH": serializer_rules(DoseLogPatch),
        "CONDITION": serializer_rules(ConditionIn),
        # diary.services.entries.diary_date_check: no future day, at most this many days back
        "BACKDATE_LIMIT_DAYS": settings.BACKDATE_LIMIT_DAYS,
        # diary.services.entries._validate_children: each kind once; "other" needs its text
        "SIDE_EFFECT_NEEDS_TEXT": "other",
        # diary.services.dosing._dose_values: taken without mg needs a planned dose that day
        "DOSE_TAKEN_NEEDS_MG_WITHOUT_PLAN": True,
        # diary.services.dosing.dose_warnings: accepted, with a warning (CLINICAL.md §5)
        "USUAL_MAX_MG": _number(USUAL_MAX_MG),
        "MAX_STEP_UP_MG": _number(MAX_STEP_UP_MG),
        # diary.services.entries.medicine_defaults (CLINICAL.md §11.1, §11.3)
        "HEADACHE_CONDITIONS": sorted(str(c) for c in HEADACHE_CONDITIONS),
        # always count for a headache day, whatever the patient says (§11.1)
        "MIGRAINE_SPECIFIC_CLASSES": sorted(MIGRAINE_SPECIFIC_CLASSES),
        "OPIOID_NAME_MARKERS": list(OPIOID_NAME_MARKERS),
        "CONDITIONS": [str(c) for c in Condition.values],
        # settings.ACCOUNT_RATE_LIMITS["confirm_email"]: one e-mailed code per address in this time
        "CODE_RESEND_SECONDS": settings.CODE_RESEND_SECONDS,
    }


def module() -> str:
    lines = [
        "// Generated by `manage.py rules_ts` from the server's serializers and constants",
        "// (api/rules_ts.py): do not edit. tests/api/test_rules_ts.py fails when it is out of date.",
        "",
    ]
    for name, value in rules().items():
        lines.append(f"export const {name} = {json.dumps(value, indent=2)} as const;")
        lines.append("")
    return "\n".join(lines)
