import { DOSE, MEDICINE, OPIOID_NAME_MARKERS, SIDE_EFFECT } from "./rules.gen";
import type { components } from "./schema.gen";

// What the app sends to the API and reads from it: aliases of the OpenAPI schema's
// components (schema.gen.ts, written by `manage.py schema_ts`), never shapes typed by hand.
type Schemas = components["schemas"];

/** An error answer (RFC 9457 problem details, api/errors.py). */
export type Problem = Schemas["Problem"];

// The app always sends every field of a side effect and a medicine (null: the server's
// default, CLINICAL.md §11.1), so it keeps them whole.
export type SideEffect = Required<Schemas["SideEffectInRequest"]>;
export type Medicine = Required<Schemas["AcuteMedicationInRequest"]>;

/** One diary day as PUT /api/v1/me/entries/{date} takes it (every field, and the device's id). */
export type EntryData = Required<Omit<Schemas["EntryInRequest"], "side_effects" | "acute_medications" | "client_id">> & {
  side_effects: SideEffect[];
  acute_medications: Medicine[];
  client_id: string;
};

/** A diary day as the server has it. */
export type ServerEntry = Schemas["EntryOut"];

export interface LocalEntry {
  date: string;
  data: EntryData;
  serverVersion: number | null; // the server version this copy is based on
  synced: boolean;
}

/** A dose as POST /api/v1/me/doses takes it (every field but the clock time). */
export type DoseData = Required<Omit<Schemas["DoseLogInRequest"], "taken_at">>;

/** A logged dose as the server has it. */
export type ServerDose = Schemas["DoseLogOut"];

export interface LocalDose extends DoseData {
  id?: string; // the server's id, once it has the dose
  synced: boolean;
}

/** What the server answered to a change it refused (a 4xx): kept with the held item. */
export type Refusal = Required<Pick<Problem, "status" | "detail" | "errors">>;

export type OutboxItem =
  | {
      key: string;
      kind: "entry";
      date: string;
      data: EntryData;
      baseVersion: number | null;
      seq: number;
      blocked?: string;
      refusal?: Refusal;
      // The day as the server last had it (null: a new day), to put back on Discard.
      before?: EntryData | null;
      // "Keep theirs" after a conflict: `data` (mine) is sent first so the server keeps it
      // in the day's revisions, then this version (theirs) is sent again on top of it.
      restore?: EntryData;
    }
  | {
      key: string;
      kind: "dose";
      date: string;
      data: DoseData;
      seq: number;
      blocked?: string;
      refusal?: Refusal;
      // A logged dose corrected (`id`: the server's) or deleted; absent: a new dose.
      change?: "patch" | "delete";
      id?: string;
      before?: LocalDose | null; // the dose as the server last had it, for Discard
    }
  | {
      key: string; // questionnaire:<client_id>
      kind: "questionnaire";
      date: string; // the diary day it was filled in (completed_on)
      data: QuestionnaireData;
      seq: number;
      blocked?: string;
      refusal?: Refusal;
    };

/** One questionnaire response as the app sends it (POST me/questionnaires). */
export type QuestionnaireData = Required<Schemas["QuestionnaireInRequest"]>;

/** GET me/questionnaires, kept on the phone for Today offline. */
export type Questionnaires = Schemas["QuestionnairesOut"];

export interface Conflict {
  date: string;
  mine: EntryData;
  theirs: ServerEntry;
}

export type PlannedDose = Schemas["PlannedDoseOut"];
export type Plan = Schemas["PlanWithTodayOut"];
export type Profile = Schemas["ProfileOut"];
export type WhoAmI = Schemas["WhoAmIOut"];

// Also kept on the phone: My trends (GET me/insights) and its parts.
export type MyInsights = Schemas["MyInsightsOut"];
export type SinceStart = Schemas["SinceStartOut"];
export type Notice = Schemas["NoticeOut"];
export type Reminder = Schemas["ReminderOut"];
export type ReminderDay = Schemas["DaysEnum"];
export type CareLink = Schemas["PatientLinkOut"];
export type InvitationPreview = Schemas["InvitationPreviewOut"];

/** What the app hands the page of a signed-in role (patient or clinician). */
export interface PageProps {
  who: WhoAmI;
  startedOffline: boolean;
  onSignOut: () => void;
}

export type SideEffectKind = Schemas["SideEffectKindEnum"];
export type MedicineClass = Schemas["MedClassEnum"];
export type TimeOfDay = Schemas["TimeOfDayEnum"];

// The server's lists (generated from diary/choices.py: rules.gen.ts); typed as the schema's
// enums, so the two generated files cannot disagree.
export const SIDE_EFFECT_KINDS: readonly SideEffectKind[] = SIDE_EFFECT.kind.choices;
export const MEDICINE_CLASSES: readonly MedicineClass[] = MEDICINE.med_class.choices;

/** A dose time picked in a form ("" or anything else: none). */
export function timeOfDay(value: string): TimeOfDay | null {
  return DOSE.time_of_day.choices.find((choice) => choice === value) ?? null;
}

/** A medicine class picked in a form (anything else: the one it was). */
export function medicineClass(value: string, was: MedicineClass): MedicineClass {
  return MEDICINE_CLASSES.find((choice) => choice === value) ?? was;
}

export function nameSuggestsOpioid(name: string): boolean {
  const lower = name.toLowerCase();
  return OPIOID_NAME_MARKERS.some((m) => lower.includes(m));
}

export function isOpioid(med: Medicine): boolean {
  return med.med_class === "opioid" || med.contains_opioid === true || (med.contains_opioid !== false && nameSuggestsOpioid(med.name));
}
