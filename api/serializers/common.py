from __future__ import annotations

from typing import Any, TypeVar, cast

from django.core.validators import MaxLengthValidator
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

# The one measure a patient's condition is judged on: headache days for headache
# conditions, pain otherwise (the triage sparkline and My trends say which).
MEASURES = ["headache_days", "pain"]


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a typo is an error rather than silently lost."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


Input = TypeVar("Input")


def service_input(serializer: serializers.Serializer, kind: type[Input]) -> Input:
    """A valid input serializer's data as the service's typed input (`diary/services/inputs.py`).
    Its fields are the TypedDict's keys, and every key the TypedDict requires is one the
    serializer always gives (tests/api/test_service_inputs.py checks each pair)."""
    return cast(Input, dict(serializer.validated_data))


def bounded_list(child: serializers.Serializer, limit: int, **kwargs: Any) -> serializers.ListSerializer[Any]:
    """``child`` with many=True, at most ``limit`` items: refused before any item is
    validated (ListSerializer's max_length) and documented as maxItems (drf-spectacular
    reads the validator, not max_length)."""
    return serializers.ListSerializer(child=child, max_length=limit, validators=[MaxLengthValidator(limit)], **kwargs)


# RFC 9457 problem details: every error answer of the API (api/errors.py). Inline: one of
# its fields is called `errors`, which a Serializer class cannot declare as an attribute.
ProblemOut = inline_serializer(
    "Problem",
    {
        "type": serializers.CharField(help_text="e.g. /api/v1/problems/invalid-input"),
        "title": serializers.CharField(),
        "status": serializers.IntegerField(),
        "detail": serializers.CharField(),
        "errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text="Messages per field; nested items as dotted paths (side_effects.0.kind).",
        ),
        "current": serializers.JSONField(
            required=False, allow_null=True, help_text="409 and 412: the stored object, in its usual shape."
        ),
    },
)


class WarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    message = serializers.CharField()


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "21:30"})
class LocalTimeField(serializers.TimeField):
    """A wall-clock time in the patient's zone, "HH:MM" (no offset: it is local by design)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        kwargs.setdefault("input_formats", ["%H:%M", "%H:%M:%S"])
        super().__init__(**kwargs)
