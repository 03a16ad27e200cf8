// The shapes the patient page reads (GET patients/{id}/insights and the section props).
import type { Flag, PatientDetail, Presented } from "./common";

// The engine's summary (see diary/analysis/engine.py): read by the charts and tables.
export type Summary = Record<string, any>;

export interface VerdictNow {
  kind: string;
  kind_label: string;
  presented: Presented;
  evidence: Record<string, unknown>;
  rules_version: string;
  as_of: string;
}

export interface Insights {
  status: "pending" | "current" | "stale";
  as_of: string | null;
  rules_version: string | null;
  verdict: VerdictNow | null;
  verdict_history: { kind: string; kind_label: string; as_of: string; rules_version: string }[];
  flags: Flag[];
  suggestions: { kind: string; text: string }[];
  summary: Summary;
}

export interface Entry {
  date: string;
  pain_score: number;
  sleep_quality: number | null;
}

/** What every section of a patient's page gets: the patient it is for, loaded for the id in
 *  the URL (the page is keyed by that id, so a section never outlives its patient). */
export interface SectionProps {
  detail: PatientDetail;
  reloadDetail: () => void;
  month?: string;
}

// Questionnaires (GET patients/{id}/questionnaires; CLINICAL.md §12).
export type Instrument = "midas" | "hit6" | "pgic";

export interface Due {
  instrument: Instrument;
  kind: "baseline" | "followup";
  since: string;
}

export interface QuestionnaireResponse {
  id: string;
  instrument: Instrument;
  completed_on: string;
  answers: { items?: (number | null)[]; a?: number | null; b?: number | null; answer?: number; answers?: string[] };
  total: number;
  band: string | null;
  words: string;
  entered_by: "patient" | "clinician" | "reported";
  entered_by_name: string;
  created_at: string;
}

/** A response that counts today (§12.3, §12.4), and the instrument's: can it change the verdict? */
export interface CountedResponse {
  total: number;
  completed_on: string;
  entered_by: string;
  band: string | null;
  words: string;
}

export interface Counted {
  instrument: Instrument;
  baseline: CountedResponse | null;
  followup: CountedResponse | null;
  decides: boolean;
}

export interface QuestionnaireForms {
  midas: { items: string[]; a: string; b: string; max_days: number; max_pain: number };
  pgic: { question: string; answers: string[] };
  hit6: { items: string[]; answers: { value: string; label: string }[] } | null;
}

export interface Questionnaires {
  due: Due[];
  counted: Counted[];
  responses: QuestionnaireResponse[];
  hit6_available: boolean;
  baseline_closed: boolean;
  first_dose: string | null;
  instruments: { baseline: Instrument[]; followup: Instrument[] };
  forms: QuestionnaireForms;
  completed_on_range: { earliest: string; latest: string };
}
