"""The API side of the fence (diary/fastpath/README.md): the diary save's serializers
without DRF's per-instance copy of their fields. Here and not in diary/fastpath/ because
they build on DRF, which the domain does not import; the README lists them with the rest.

- `FieldsBuiltOnce`: an input serializer's fields built once per class.
- `entry_representation`: `EntryOut`'s answer written directly.

Both give what DRF's own way gives (tests/api/test_fastpath.py, tests/api/test_entry_out.py);
with the fast paths off (settings.FASTPATH false) the serializers take DRF's way.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone
from rest_framework import serializers
from rest_framework.utils.serializer_helpers import BindingDict

from diary.fastpath import on
from diary.models import AcuteMedication, DiaryEntry, SideEffect
from diary.services.entries import ENTRY_FIELDS


class FieldsBuiltOnce(serializers.Serializer):
    """Builds its fields once per class: DRF deep-copies every declared field (nested
    serializers included) for each instance, which is most of the cost of validating a
    small body. Only for input serializers used as `X(data=...)`, without `partial`,
    `instance` or context: the fields are bound to a prototype and keep no state between
    validations (a list field already validates all its items with one child the same way)."""

    @property
    def fields(self) -> BindingDict:
        if not on():
            # DRF's own: a copy per instance, kept in the instance as its cached_property does
            return self.__dict__["fields"] if "fields" in self.__dict__ else super().fields
        cls = type(self)
        fields: BindingDict | None = cls.__dict__.get("_fields_built_once")
        if fields is None:
            prototype = cls()
            fields = BindingDict(prototype)
            for name, field in prototype.get_fields().items():
                fields[name] = field
            cls._fields_built_once = fields  # type: ignore[attr-defined]
        return fields


_HUNDREDTHS = Decimal("0.01")


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _optional_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def _datetime(value: Any) -> str:
    """DRF's ISO 8601 output: in the current time zone, UTC written as Z."""
    text: str = value.astimezone(timezone.get_current_timezone()).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _side_effect(se: SideEffect) -> dict[str, Any]:
    return {
        "kind": str(se.kind),
        "severity": int(se.severity),
        "limited_activities": bool(se.limited_activities),
        "other_text": str(se.other_text),
    }


def _medicine(med: AcuteMedication) -> dict[str, Any]:
    return {
        "med_class": str(med.med_class),
        "name": str(med.name),
        "for_headache": bool(med.for_headache),
        "contains_opioid": bool(med.contains_opioid),
    }


def _hours(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(_HUNDREDTHS)


# How each of the patient's fields (ENTRY_FIELDS, in EntryOut's order) is written; the
# rest are yes / no / not answered.
_WRITE: dict[str, Callable[[Any], Any]] = {
    "pain_score": int,
    "headache": int,
    "sleep_quality": _optional_int,
    "headache_hours": _hours,
    "aura_minutes": _optional_int,
    "note": str,
}


def entry_representation(entry: DiaryEntry) -> dict[str, Any]:
    """What `EntryOut`'s declared fields give for `entry`, built directly."""
    out: dict[str, Any] = {"date": entry.date.isoformat()}
    for name in ENTRY_FIELDS:
        out[name] = _WRITE.get(name, _optional_bool)(getattr(entry, name))
    out["side_effects"] = [_side_effect(se) for se in entry.side_effects.all()]
    out["acute_medications"] = [_medicine(med) for med in entry.acute_medications.all()]
    out["client_id"] = None if entry.client_id is None else str(entry.client_id)
    out["version"] = int(entry.version)
    out["late"] = bool(entry.late)
    out["created_at"] = _datetime(entry.created_at)
    out["updated_at"] = _datetime(entry.updated_at)
    return out
