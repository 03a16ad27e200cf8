// What the dashboard reads from the API and sends to it: aliases of the OpenAPI schema's
// components (../schema.gen.ts, written by `manage.py schema_ts`), never shapes typed by
// hand, so a change on the server that the dashboard does not follow fails `tsc`.
import type { components } from "../schema.gen";

type Schemas = components["schemas"];

// People, plans and flags
export type PatientSummary = Schemas["PatientSummaryOut"];
export type PatientDetail = Schemas["PatientDetail"];
export type ConditionChange = Schemas["ConditionChangeOut"];
export type Plan = Schemas["PlanOut"];
export type PlanBody = Schemas["PlanInRequest"];
export type PlanCheck = Schemas["PlanCheckOut"];
export type PlanTemplate = Schemas["PlanTemplateOut"];
export type Step = Schemas["StepOut"];
export type TimeOfDay = Schemas["TimeOfDayEnum"];
export type Baseline = Schemas["BaselineOut"];
export type Warning = Schemas["Warning"];
export type Flag = Schemas["FlagOut"];
/** A flag as the triage row lists it, or in full as the patient page does. */
export type FlagLite = Schemas["TriageFlagBriefOut"] | Flag;
export type Presented = Schemas["PresentedOut"];
export type TriageRow = Schemas["TriageRowOut"];
export type Invitation = Schemas["InvitationOut"];
export type InvitationCreated = Schemas["InvitationCreatedOut"];
export type Hit6Wording = Schemas["Hit6WordingOut"];
export type Outcomes = Schemas["ClinicOutcomesOut"];
export type OutcomePatient = Schemas["OutcomePatientOut"];
export type OutcomePatientPage = Schemas["PaginatedOutcomePatientOutList"];
export type DoseLog = Schemas["DoseLogOut"];
export type TriagePage = Schemas["PaginatedTriageRowOutList"];
export type EntryPage = Schemas["PaginatedEntryOutList"];
export type DosePage = Schemas["PaginatedDoseLogOutList"];
export type InvitationPage = Schemas["PaginatedInvitationOutList"];

// GET patients/{id}/insights: the analysis (diary/analysis/engine.py's summary, typed by
// api/serializers/analysis.py) and the raw daily values the charts draw as dots.
export type Insights = Schemas["PatientInsightsOut"];
export type VerdictNow = Schemas["CurrentVerdictOut"];
export type Summary = Schemas["SummaryOut"];
export type Segment = Schemas["SegmentOut"];
export type Span = Schemas["SpanOut"];
export type Incidence = Schemas["IncidenceOut"];
export type OverusePanel = Schemas["OverusePanelOut"];
export type DailyValues = Schemas["DailyValuesOut"];

/** What every section of a patient's page gets: the patient it is for, loaded for the id in
 *  the URL (the page is keyed by that id, so a section never outlives its patient). */
export interface SectionProps {
  detail: PatientDetail;
  reloadDetail: () => void;
  month?: string;
}

// Questionnaires (GET patients/{id}/questionnaires; CLINICAL.md §12).
export type Instrument = Schemas["InstrumentEnum"];
export type Due = Schemas["DueOut"];
export type QuestionnaireResponse = Schemas["QuestionnaireOut"];
export type QuestionnaireBody = Schemas["ClinicianQuestionnaireInRequest"];
/** A response that counts today (§12.3, §12.4), and the instrument's: can it change the verdict? */
export type CountedResponse = Schemas["CountedResponseOut"];
export type Counted = Schemas["CountedOut"];
export type QuestionnaireForms = Schemas["FormsOut"];
export type Questionnaires = Schemas["QuestionnairesOut"];
/** An error answer (RFC 9457 problem details, api/errors.py). */
export type Problem = Schemas["Problem"];
