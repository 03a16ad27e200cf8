export interface SideEffect {
  kind: string;
  severity: number;
  limited_activities: boolean;
  other_text: string;
}

export interface Medicine {
  med_class: string;
  name: string;
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
  synced: boolean;
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
      // "Keep theirs" after a conflict: `data` (mine) is sent first so the server keeps it
      // in the day's revisions, then this version (theirs) is sent again on top of it.
      restore?: EntryData;
    }
  | { key: string; kind: "dose"; date: string; data: DoseData; seq: number; blocked?: string };

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

export const SIDE_EFFECT_KINDS = [
  "vivid_dreams",
  "insomnia",
  "headache",
  "nausea",
  "diarrhea",
  "abdominal_discomfort",
  "dizziness",
  "fatigue",
  "jitteriness",
  "hot_flashes",
  "irritability",
  "anxiety",
  "other",
];

export const MEDICINE_CLASSES = [
  "non_opioid_analgesic",
  "triptan",
  "ergot",
  "gepant_ditan",
  "opioid",
  "combination_analgesic",
  "antiemetic",
  "other",
];

// As diary/choices.py OPIOID_NAME_MARKERS (CLINICAL.md §11.3): names that pre-tick "contains an opioid".
export const OPIOID_NAME_MARKERS = [
  "codeine",
  "tramadol",
  "oxycodone",
  "hydrocodone",
  "morphine",
  "dihydrocodeine",
  "tapentadol",
  "codamol",
  "dydramol",
  "tylenol 3",
  "tylenol #3",
  "percocet",
  "vicodin",
  "norco",
  "tramacet",
  "ultracet",
  "solpadeine",
  "nurofen plus",
  "zapain",
  "migraleve",
];

export function nameSuggestsOpioid(name: string): boolean {
  const lower = name.toLowerCase();
  return OPIOID_NAME_MARKERS.some((m) => lower.includes(m));
}

export function isOpioid(med: Medicine): boolean {
  return med.med_class === "opioid" || med.contains_opioid === true || (med.contains_opioid !== false && nameSuggestsOpioid(med.name));
}
