from diary.models.audit import AuditEvent
from diary.models.dosing import DoseLog, DoseLogRevision, DosePlan, DoseStep, ReportedBaseline
from diary.models.entries import AcuteMedication, DiaryEntry, EntryRevision, SideEffect
from diary.models.insights import Flag, PatientInsight, PatientOutcome, Verdict
from diary.models.people import CareLink, Clinic, Clinician, ConditionChange, Patient, User
from diary.models.questionnaires import Hit6Wording, QuestionnaireResponse
from diary.models.reminders import PushSubscription, Reminder, ReminderDelivery, VapidKey

__all__ = [
    "AcuteMedication",
    "AuditEvent",
    "CareLink",
    "Clinic",
    "Clinician",
    "ConditionChange",
    "DiaryEntry",
    "DoseLog",
    "DoseLogRevision",
    "DosePlan",
    "DoseStep",
    "EntryRevision",
    "Flag",
    "Hit6Wording",
    "Patient",
    "PatientInsight",
    "PatientOutcome",
    "PushSubscription",
    "QuestionnaireResponse",
    "Reminder",
    "ReminderDelivery",
    "ReportedBaseline",
    "SideEffect",
    "User",
    "VapidKey",
    "Verdict",
]
