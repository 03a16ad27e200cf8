from __future__ import annotations

from datetime import date

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from api.serializers.common import LocalTimeField, StrictSerializer
from diary.choices import Condition, ConditionSetBy, DoseTime, LinkStatus
from diary.models import CareLink, ConditionChange, Patient


class ConditionChangeOut(serializers.ModelSerializer):
    set_by = serializers.ChoiceField(choices=ConditionSetBy.choices)

    class Meta:
        model = ConditionChange
        fields = ("condition_from", "condition_to", "set_by", "set_by_name", "at")
        read_only_fields = fields


class ProfileOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    day_boundary = LocalTimeField(read_only=True)
    condition_set = serializers.SerializerMethodField(help_text="The last change of the condition, if any.")

    class Meta:
        model = Patient
        fields = (
            "id",
            "email",
            "display_name",
            "time_zone",
            "day_boundary",
            "primary_condition",
            "condition_set",
            "preferred_dose_time",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field(
        inline_serializer(
            "ConditionSet",
            {
                "set_by": serializers.ChoiceField(choices=ConditionSetBy.choices),
                "name": serializers.CharField(),
                "at": serializers.DateTimeField(),
            },
            allow_null=True,
        )
    )
    def get_condition_set(self, obj: Patient) -> dict[str, object] | None:
        if not obj.condition_set_by:
            return None
        at = serializers.DateTimeField().to_representation(obj.condition_set_at) if obj.condition_set_at else None
        return {"set_by": obj.condition_set_by, "name": obj.condition_set_by_name, "at": at}


class ConditionIn(StrictSerializer):
    primary_condition = serializers.ChoiceField(choices=Condition.choices)


class ProfileIn(StrictSerializer):
    display_name = serializers.CharField(max_length=120, allow_blank=True, required=False)
    time_zone = serializers.CharField(max_length=64, required=False, help_text="IANA name, e.g. Europe/Berlin.")
    day_boundary = LocalTimeField(required=False, help_text="Before this local time, 'today' is yesterday.")
    primary_condition = serializers.ChoiceField(choices=Condition.choices, required=False)
    preferred_dose_time = serializers.ChoiceField(choices=DoseTime.choices, required=False)


class WhoAmIOut(serializers.Serializer):
    email = serializers.EmailField()
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=["patient", "clinician", "none"])
    patient_id = serializers.UUIDField(allow_null=True)
    clinic = serializers.CharField(allow_null=True)


class TodayOut(serializers.Serializer):
    date = serializers.DateField(help_text="The diary day to propose (day boundary applied).")
    calendar_date = serializers.DateField(help_text="The local calendar date; later dates are rejected.")
    time_zone = serializers.CharField()
    entry_version = serializers.IntegerField(allow_null=True)
    dose_logged = serializers.BooleanField()


class PatientLinkOut(serializers.ModelSerializer):
    """A care link as the patient sees it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    clinic = serializers.CharField(source="clinic.name", read_only=True)
    clinician = serializers.SerializerMethodField()

    class Meta:
        model = CareLink
        fields: tuple[str, ...] = ("id", "clinic", "clinician", "status", "consented_at", "revoked_at", "revoked_by")
        read_only_fields: tuple[str, ...] = fields

    def get_clinician(self, obj: CareLink) -> str:
        user = obj.clinician.user
        return user.display_name or user.email


class InvitationPreviewOut(PatientLinkOut):
    class Meta(PatientLinkOut.Meta):
        fields = ("clinic", "clinician", "expires_at")
        read_only_fields = fields


class CodeIn(StrictSerializer):
    code = serializers.CharField(max_length=32)


class RedeemIn(StrictSerializer):
    code = serializers.CharField(max_length=32)
    consent = serializers.BooleanField(help_text="Must be true: I agree to share my diary with this clinic.")


class InvitationIn(StrictSerializer):
    note = serializers.CharField(
        max_length=200,
        allow_blank=True,
        required=False,
        default="",
        help_text="For the clinic's own reference, e.g. the patient's initials.",
    )


class InvitationOut(serializers.ModelSerializer):
    """A care link as the clinic sees it. The patient is named only while the link is active."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    status = serializers.SerializerMethodField()
    clinician = serializers.SerializerMethodField()
    patient = serializers.SerializerMethodField()
    code = serializers.SerializerMethodField()

    class Meta:
        model = CareLink
        fields: tuple[str, ...] = (
            "id",
            "status",
            "clinician",
            "patient",
            "invitee_note",
            "invited_at",
            "expires_at",
            "consented_at",
            "revoked_at",
            "revoked_by",
            "code",
        )
        read_only_fields = fields

    def get_clinician(self, obj: CareLink) -> str:
        user = obj.clinician.user
        return user.display_name or user.email

    @extend_schema_field(serializers.ChoiceField(choices=LinkStatus.choices))
    def get_status(self, obj: CareLink) -> str:
        """An invitation past its expiry is `expired` at once (the hourly task stores it later)."""
        if obj.status == LinkStatus.INVITED and obj.expires_at <= timezone.now():
            return LinkStatus.EXPIRED
        return obj.status

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_patient(self, obj: CareLink) -> str | None:
        if obj.status == "active" and obj.patient is not None:
            return str(obj.patient.public_id)
        return None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_code(self, obj: CareLink) -> str | None:
        """The plain code, only in the response that created it."""
        return self.context.get("codes", {}).get(obj.pk)


class InvitationCreatedOut(InvitationOut):
    """The answer to creating an invitation: the code once, as a link and as a QR code."""

    invite_url = serializers.SerializerMethodField(help_text="<origin>/?invite=<code>: the app pre-fills the code.")
    qr_svg = serializers.SerializerMethodField(help_text="An inline SVG QR code of invite_url, with a <title>.")

    class Meta(InvitationOut.Meta):
        fields = (*InvitationOut.Meta.fields, "invite_url", "qr_svg")
        read_only_fields = fields

    def get_invite_url(self, obj: CareLink) -> str:
        return str(self.context["invite_url"])

    def get_qr_svg(self, obj: CareLink) -> str:
        from api.qr import qr_svg

        return qr_svg(self.context["invite_url"], "QR code of the invitation link")


class PatientSummaryOut(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)
    linked_since = serializers.DateTimeField(read_only=True)
    last_entry_date = serializers.SerializerMethodField()

    class Meta:
        model = Patient
        fields = (
            "id",
            "display_name",
            "email",
            "primary_condition",
            "time_zone",
            "preferred_dose_time",
            "linked_since",
            "last_entry_date",
        )
        read_only_fields = fields

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_entry_date(self, obj: Patient) -> date | None:
        return getattr(obj, "last_entry_date", None)
