import { MEDICINE, OPIOID_NAME_MARKERS, SIDE_EFFECT } from "./rules.gen";

export interface SideEffect {
  kind: string;
  severity: number;
  limited_activities: boolean;
  other_text: string;
}

export interface Medicine {
  med_class: string;
  name: string;
  for_headache: boolean | null; // null: the server's default (yes for migraine patients, CLINICAL.md §11.1)
  contains_opioid: boolean | null;
}

/** One diary day as PUT /api/v1/me/entries/{date} takes it. */
export interface EntryData {
  pain_score: number;
  headache: number;
  migraine: boolean | null;
  sleep_quality: number | null;
  headache_hours: number | null;
  one_sided: boolean | null;
  pulsating: boolean | null;
  worse_with_activity: boolean | null;
  nausea_vomiting: boolean | null;
  light_sensitivity: boolean | null;
  sound_sensitivity: boolean | null;
  aura_minutes: number | null;
  note: string;
  side_effects: SideEffect[];
  acute_medications: Medicine[];
  client_id: string;
}

export interface LocalEntry {
  date: string;
  data: EntryData;
  serverVersion: number | null; // the server version this copy is based on
  synced: boolean;
}

export interface DoseData {
  client_id: string;
  date: string;
  taken: boolean;
  mg: number | null;
  time_of_day: string | null;
}

export interface LocalDose extends DoseData {
  id?: string; // the server's id, once it has the dose
  synced: boolean;
}

/** What the server answered to a change it refused (a 4xx): kept with the held item. */
export interface Refusal {
  status: number;
  detail: string;
  errors: Record<string, string[]>;
}

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
export interface QuestionnaireData {
  instrument: "midas" | "hit6" | "pgic";
  answers: Record<string, unknown>;
  completed_on: string;
  client_id: string;
}

/** GET me/questionnaires, kept on the phone for Today offline. */
export interface Questionnaires {
  due: { instrument: "midas" | "hit6" | "pgic"; kind: "baseline" | "followup"; since: string }[];
  responses: { id: string; client_id: string | null; instrument: string; completed_on: string; answers: any; total: number; band: string | null; entered_by: string }[];
  hit6_available: boolean;
  baseline_closed: boolean;
  forms: {
    midas: { items: string[]; a: string; b: string; max_days: number; max_pain: number };
    pgic: { question: string; answers: string[] };
    hit6: { items: string[]; answers: { value: string; label: string }[] } | null;
  };
}

export interface Conflict {
  date: string;
  mine: EntryData;
  theirs: any; // the server's entry (EntryOut)
}

export interface PlannedDose {
  date: string;
  mg: number;
  time_of_day: string;
}

export interface Plan {
  plan: { steps: { start_date: string; mg: number; time_of_day: string | null }[]; stopped_on: string | null } | null;
  today: PlannedDose | null;
}

export interface Profile {
  time_zone: string;
  day_boundary: string;
  preferred_dose_time: string | null;
  primary_condition?: string;
  condition_set?: { set_by: "patient" | "clinician"; name: string; at: string | null } | null;
}

export interface WhoAmI {
  email: string;
  display_name: string;
  role: "patient" | "clinician" | "none";
}

/** What the app hands the page of a signed-in role (patient or clinician). */
export interface PageProps {
  who: WhoAmI;
  startedOffline: boolean;
  onSignOut: () => void;
}

// The server's lists (generated from diary/choices.py: rules.gen.ts).
export const SIDE_EFFECT_KINDS: readonly string[] = SIDE_EFFECT.kind.choices;
export const MEDICINE_CLASSES: readonly string[] = MEDICINE.med_class.choices;

export function nameSuggestsOpioid(name: string): boolean {
  const lower = name.toLowerCase();
  return OPIOID_NAME_MARKERS.some((m) => lower.includes(m));
}

export function isOpioid(med: Medicine): boolean {
  return med.med_class === "opioid" || med.contains_opioid === true || (med.contains_opioid !== false && nameSuggestsOpioid(med.name));
}
