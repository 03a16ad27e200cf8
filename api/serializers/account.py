"""My data: the export's shape, and the account deletion request."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers.common import StrictSerializer
from api.serializers.dosing import BaselineOut, DoseLogOut, DoseRevisionOut, PlanOut
from api.serializers.entries import EntryOut, RevisionOut
from api.serializers.people import PatientLinkOut, ProfileOut
from api.serializers.questionnaires import QuestionnaireOut
from api.serializers.reminders import ReminderOut
from diary.models import CareLink, PushSubscription


class AccountOut(serializers.Serializer):
    email = serializers.EmailField()
    display_name = serializers.CharField()
    date_joined = serializers.DateTimeField()


class ExportEntryOut(EntryOut):
    revisions = RevisionOut(many=True, help_text="Earlier versions of this day, newest first.")


class ExportLinkOut(PatientLinkOut):
    class Meta(PatientLinkOut.Meta):
        model = CareLink
        fields = ("id", "clinic", "clinician", "status", "invited_at", "consented_at", "revoked_at", "revoked_by")
        read_only_fields = fields


class ExportDeviceOut(serializers.ModelSerializer):
    """A device that gets push reminders (its push address is left out: it is a credential)."""

    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = PushSubscription
        fields = ("id", "user_agent", "created_at", "last_success_at")
        read_only_fields = fields


class ExportOut(serializers.Serializer):
    format = serializers.CharField(help_text="Always 'ldn-diary-export'.")
    format_version = serializers.IntegerField()
    exported_at = serializers.DateTimeField()
    account = AccountOut()
    profile = ProfileOut()
    entries = ExportEntryOut(many=True)
    dose_logs = DoseLogOut(many=True)
    dose_revisions = DoseRevisionOut(many=True, help_text="Earlier values of corrected and deleted doses.")
    plans = PlanOut(many=True)
    reported_baseline = BaselineOut(allow_null=True)
    care_links = ExportLinkOut(many=True)
    reminders = ReminderOut(many=True)
    push_devices = ExportDeviceOut(many=True)
    questionnaires = QuestionnaireOut(many=True)


class AccountDeleteIn(StrictSerializer):
    password = serializers.CharField(max_length=4096, trim_whitespace=False, help_text="My current password.")
    confirmation = serializers.CharField(max_length=254, help_text="My e-mail address, typed again.")
