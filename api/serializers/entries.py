from __future__ import annotations

from decimal import Decimal
from typing import Any

from rest_framework import serializers

from api.fastpath import FieldsBuiltOnce, entry_representation
from api.serializers.common import StrictSerializer, bounded_list
from diary.choices import MedicineClass, SideEffectKind
from diary.fastpath import on
from diary.models import DiaryEntry, EntryRevision
from diary.models.entries import MEDICINES_PER_DAY_MAX, NOTE_MAX_LENGTH, SIDE_EFFECTS_PER_DAY_MAX


class SideEffectIn(StrictSerializer):
    kind = serializers.ChoiceField(choices=SideEffectKind.choices)
    severity = serializers.IntegerField(min_value=1, max_value=3, help_text="1 mild, 2 moderate, 3 severe")
    limited_activities = serializers.BooleanField(default=False)
    other_text = serializers.CharField(max_length=200, allow_blank=True, default="")


class AcuteMedicationIn(StrictSerializer):
    med_class = serializers.ChoiceField(choices=MedicineClass.choices)
    name = serializers.CharField(max_length=100, allow_blank=True, default="")
    for_headache = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Default: yes for migraine patients, no for others."
    )
    contains_opioid = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: yes for class opioid, or when the name names an opioid (codeine, tramadol, ...).",
    )


class EntryIn(FieldsBuiltOnce, StrictSerializer):
    """A whole diary day (PUT replaces the day)."""

    pain_score = serializers.IntegerField(min_value=0, max_value=10, help_text="Average pain today, 0–10.")
    headache = serializers.IntegerField(min_value=0, max_value=3, help_text="0 none, 1 mild, 2 moderate, 3 severe.")
    migraine = serializers.BooleanField(required=False, allow_null=True, default=None)
    sleep_quality = serializers.IntegerField(min_value=0, max_value=10, required=False, allow_null=True, default=None)
    headache_hours = serializers.DecimalField(
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("24"),
        required=False,
        allow_null=True,
        default=None,
    )
    one_sided = serializers.BooleanField(required=False, allow_null=True, default=None)
    pulsating = serializers.BooleanField(required=False, allow_null=True, default=None)
    worse_with_activity = serializers.BooleanField(required=False, allow_null=True, default=None)
    nausea_vomiting = serializers.BooleanField(required=False, allow_null=True, default=None)
    light_sensitivity = serializers.BooleanField(required=False, allow_null=True, default=None)
    sound_sensitivity = serializers.BooleanField(required=False, allow_null=True, default=None)
    aura_minutes = serializers.IntegerField(min_value=0, max_value=1440, required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, required=False, default="")
    client_id = serializers.UUIDField(required=False, allow_null=True, default=None)
    side_effects = bounded_list(SideEffectIn(), SIDE_EFFECTS_PER_DAY_MAX, required=False, default=list)
    acute_medications = bounded_list(AcuteMedicationIn(), MEDICINES_PER_DAY_MAX, required=False, default=list)


# The output serializers are plain Serializers: ModelSerializer rebuilds its fields from
# the model on every use, and these are on the write path of every diary save.
class SideEffectOut(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SideEffectKind.choices)
    severity = serializers.IntegerField()
    limited_activities = serializers.BooleanField()
    other_text = serializers.CharField()


class AcuteMedicationOut(serializers.Serializer):
    med_class = serializers.ChoiceField(choices=MedicineClass.choices)
    name = serializers.CharField()
    for_headache = serializers.BooleanField()
    contains_opioid = serializers.BooleanField()


class EntryOut(serializers.Serializer):
    date = serializers.DateField()
    pain_score = serializers.IntegerField()
    headache = serializers.IntegerField()
    migraine = serializers.BooleanField(allow_null=True)
    sleep_quality = serializers.IntegerField(allow_null=True)
    headache_hours = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    one_sided = serializers.BooleanField(allow_null=True)
    pulsating = serializers.BooleanField(allow_null=True)
    worse_with_activity = serializers.BooleanField(allow_null=True)
    nausea_vomiting = serializers.BooleanField(allow_null=True)
    light_sensitivity = serializers.BooleanField(allow_null=True)
    sound_sensitivity = serializers.BooleanField(allow_null=True)
    aura_minutes = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()
    side_effects = SideEffectOut(many=True)
    acute_medications = AcuteMedicationOut(many=True)
    client_id = serializers.UUIDField(allow_null=True)
    version = serializers.IntegerField()
    late = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance: DiaryEntry) -> dict[str, Any]:
        """What the fields above give, built directly (a fast path, api/fastpath.py): a
        Serializer deep-copies its fields for every use, and this runs on every diary save
        and for every day of a list. A subclass with more fields (the export's) uses them."""
        if type(self) is EntryOut and on():
            return entry_representation(instance)
        return super().to_representation(instance)


class RevisionOut(serializers.ModelSerializer):
    class Meta:
        model = EntryRevision
        fields = ("version", "replaced_at", "snapshot")
        read_only_fields = fields
