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
