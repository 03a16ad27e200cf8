"""Reads: the one read layer. Every function takes the patient (or clinician) it is scoped
to; ``histories_load`` reads the analysis' input for a batch of patients.

By entity: ``entries``, ``dosing`` (with the one "latest plan" rule), ``people`` (care
links, invitations), ``insights`` (flags, verdicts), ``questionnaires``, ``history``.
The names are re-exported here: callers write ``selectors.entry_on``, so a test can
replace one for the API.
"""

from diary.selectors.dosing import (
    PlannedDose,
    current_plan,
    dose_log_of,
    dose_logged_on,
    dose_logs_for,
    dose_revisions_of,
    first_dose_taken,
    latest_plan,
    latest_plans,
    plan_of,
    planned_dose_on,
    plans_for,
    reported_baseline_of,
)
from diary.selectors.entries import changes_since, entries_for, entry_on, entry_version_on
from diary.selectors.export import ExportData, export_gather
from diary.selectors.history import histories_load
from diary.selectors.insights import (
    flag_of,
    flag_of_patient,
    flags_filtered,
    flags_for,
    flags_of_patient,
    insight_of,
    opioid_alert_holds,
    verdicts_of_patient,
)
from diary.selectors.people import (
    active_link_id,
    care_link_of,
    care_links_for_patient,
    invitation_of,
    invitations_for,
    patients_for,
    push_subscriptions_of,
)
from diary.selectors.questionnaires import (
    QuestionnaireReads,
    clinic_hit6_wording,
    hit6_wording_of,
    patients_with_hit6_wording,
    questionnaire_reads,
    questionnaire_rows,
    questionnaire_standing,
    questionnaire_today,
    questionnaires_for,
    questionnaires_now,
)

__all__ = [
    "ExportData",
    "PlannedDose",
    "QuestionnaireReads",
    "active_link_id",
    "care_link_of",
    "care_links_for_patient",
    "changes_since",
    "clinic_hit6_wording",
    "current_plan",
    "dose_log_of",
    "dose_logged_on",
    "dose_logs_for",
    "dose_revisions_of",
    "entries_for",
    "entry_on",
    "entry_version_on",
    "export_gather",
    "first_dose_taken",
    "flag_of",
    "flag_of_patient",
    "flags_filtered",
    "flags_for",
    "flags_of_patient",
    "histories_load",
    "hit6_wording_of",
    "insight_of",
    "invitation_of",
    "invitations_for",
    "latest_plan",
    "latest_plans",
    "opioid_alert_holds",
    "patients_for",
    "patients_with_hit6_wording",
    "plan_of",
    "planned_dose_on",
    "plans_for",
    "push_subscriptions_of",
    "questionnaire_reads",
    "questionnaire_rows",
    "questionnaire_standing",
    "questionnaire_today",
    "questionnaires_for",
    "questionnaires_now",
    "reported_baseline_of",
    "verdicts_of_patient",
]
