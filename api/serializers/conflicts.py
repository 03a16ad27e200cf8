"""The stored object a 409/412 problem carries (api/errors.py), in its normal API shape.

Apart from ``common`` because it needs the entry and dosing serializers, which build on
``common``: kept there, it made a circle of imports.
"""

from __future__ import annotations

from typing import Any

from api.serializers.dosing import DoseLogOut, PlanOut
from api.serializers.entries import EntryOut
from diary.models import DiaryEntry, DoseLog, DosePlan


def represent_conflict(obj: Any, context: dict[str, Any]) -> Any:
    """The stored object a 409/412 problem carries, in its normal API shape."""
    if obj is None:
        return None
    if isinstance(obj, DiaryEntry):
        fresh = DiaryEntry.objects.prefetch_related("side_effects", "acute_medications").get(pk=obj.pk)
        return EntryOut(fresh).data
    if isinstance(obj, DoseLog):
        return DoseLogOut(obj).data
    if isinstance(obj, DosePlan):
        return PlanOut(obj).data
    return None
