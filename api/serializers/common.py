from __future__ import annotations

from typing import Any

from rest_framework import serializers


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo is an error rather than silently lost."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


def represent_conflict(obj: Any, context: dict[str, Any]) -> Any:
    """The stored object a 409/412 problem carries, in its normal API shape."""
    from api.serializers.dosing import DoseLogOut, PlanOut
    from api.serializers.entries import EntryOut
    from diary.models import DiaryEntry, DoseLog, DosePlan

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
