from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from api.views import account, clinician, dashboard, doses, entries, fhir, insights, me, reminders

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("whoami", me.WhoAmIView.as_view(), name="whoami"),
    # the patient
    path("me/profile", me.ProfileView.as_view(), name="me-profile"),
    path("me/today", me.TodayView.as_view(), name="me-today"),
    path("me/plan", me.MyPlanView.as_view(), name="me-plan"),
    path("me/changes", me.ChangesView.as_view(), name="me-changes"),
    path("me/entries", entries.MyEntriesView.as_view(), name="me-entries"),
    path("me/entries/<str:day>", entries.MyEntryView.as_view(), name="me-entry"),
    path("me/entries/<str:day>/revisions", entries.MyEntryRevisionsView.as_view(), name="me-entry-revisions"),
    path("me/doses", doses.MyDosesView.as_view(), name="me-doses"),
    path("me/doses/<str:dose_id>", doses.MyDoseView.as_view(), name="me-dose"),
    path("me/insights", insights.MyInsightsView.as_view(), name="me-insights"),
    path("me/care-links", me.CareLinksView.as_view(), name="me-care-links"),
    path("me/care-links/preview", me.InvitationPreviewView.as_view(), name="me-care-link-preview"),
    path("me/care-links/<str:link_id>/revoke", me.CareLinkRevokeView.as_view(), name="me-care-link-revoke"),
    path("me/reminders", reminders.RemindersView.as_view(), name="me-reminders"),
    path("me/reminders/<str:kind>", reminders.ReminderView.as_view(), name="me-reminder"),
    path("me/reminders/<str:kind>/snooze", reminders.ReminderSnoozeView.as_view(), name="me-reminder-snooze"),
    path("me/push-subscriptions", reminders.PushSubscriptionsView.as_view(), name="me-push-subscriptions"),
    path(
        "me/push-subscriptions/<str:subscription_id>",
        reminders.PushSubscriptionView.as_view(),
        name="me-push-subscription",
    ),
    path("me/export", account.MyExportView.as_view(), name="me-export"),
    path("me/export.fhir", fhir.MyFhirExportView.as_view(), name="me-export-fhir"),
    path("me/account/delete", account.MyAccountDeleteView.as_view(), name="me-account-delete"),
    path("me/vapid-public-key", reminders.VapidKeyView.as_view(), name="me-vapid-public-key"),
    path("reminders/unsubscribe/<str:token>", reminders.UnsubscribeView.as_view(), name="reminders-unsubscribe"),
    # the clinician
    path("patients", clinician.PatientsView.as_view(), name="patients"),
    path("patients/<str:patient_id>", clinician.PatientDetailView.as_view(), name="patient"),
    path("patients/<str:patient_id>/entries", entries.PatientEntriesView.as_view(), name="patient-entries"),
    path("patients/<str:patient_id>/entries/<str:day>", entries.PatientEntryView.as_view(), name="patient-entry"),
    path(
        "patients/<str:patient_id>/entries/<str:day>/revisions",
        entries.PatientEntryRevisionsView.as_view(),
        name="patient-entry-revisions",
    ),
    path("patients/<str:patient_id>/doses", doses.PatientDosesView.as_view(), name="patient-doses"),
    path("patients/<str:patient_id>/plan", clinician.PatientPlanView.as_view(), name="patient-plan"),
    path("patients/<str:patient_id>/plan/stop", clinician.PatientPlanStopView.as_view(), name="patient-plan-stop"),
    path("patients/<str:patient_id>/baseline", clinician.PatientBaselineView.as_view(), name="patient-baseline"),
    path("patients/<str:patient_id>/insights", insights.PatientInsightsView.as_view(), name="patient-insights"),
    path("flags", insights.FlagsView.as_view(), name="flags"),
    path("flags/<str:flag_id>/acknowledge", insights.FlagAcknowledgeView.as_view(), name="flag-acknowledge"),
    path("flags/<str:flag_id>/resolve", insights.FlagResolveView.as_view(), name="flag-resolve"),
    path("invitations", clinician.InvitationsView.as_view(), name="invitations"),
    path("invitations/<str:link_id>/revoke", clinician.InvitationRevokeView.as_view(), name="invitation-revoke"),
    # the clinician dashboard (issue 6)
    path("triage", dashboard.TriageView.as_view(), name="triage"),
    path("patients/<str:patient_id>/plan/check", dashboard.PlanCheckView.as_view(), name="patient-plan-check"),
    path("plan-templates", dashboard.PlanTemplatesView.as_view(), name="plan-templates"),
    path("clinic/outcomes", dashboard.ClinicOutcomesView.as_view(), name="clinic-outcomes"),
    path("patients/<str:patient_id>/report", dashboard.VisitReportView.as_view(), name="patient-report"),
    path("patients/<str:patient_id>/report.pdf", dashboard.VisitReportPdfView.as_view(), name="patient-report-pdf"),
    # FHIR R4 (issue 14)
    path("patients/<str:patient_id>/export.fhir", fhir.PatientFhirExportView.as_view(), name="patient-export-fhir"),
    path("fhir/CodeSystem/ldn-diary", fhir.CodeSystemView.as_view(), name="fhir-code-system"),
]
