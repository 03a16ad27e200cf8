// The Today form's model: the form's shape, the planned dose of a day, how the questions
// name the day, and what the server refused, in words. No components here.
import { addDays, formatDay } from "../dates";
import { MIGRAINE_SPECIFIC_CLASSES } from "../rules.gen";
import { t } from "../strings";
import type { EntryData, LocalEntry, OutboxItem, Plan } from "../types";
import { fieldWords } from "../validate";
export const FEATURES = ["one_sided", "pulsating", "worse_with_activity", "nausea_vomiting", "light_sensitivity", "sound_sensitivity"] as const;
export type Feature = (typeof FEATURES)[number];

export interface Form extends Omit<EntryData, "pain_score" | "headache" | "client_id"> {
  pain_score: number | null;
  headache: number | null;
}

export function emptyForm(): Form {
  return {
    pain_score: null,
    headache: null,
    migraine: null,
    sleep_quality: null,
    headache_hours: null,
    one_sided: null,
    pulsating: null,
    worse_with_activity: null,
    nausea_vomiting: null,
    light_sensitivity: null,
    sound_sensitivity: null,
    aura_minutes: null,
    note: "",
    side_effects: [],
    acute_medications: [],
  };
}

/** The planned dose of a date: today's answer from the API, else the plan's step then. */
export function plannedOn(plan: Plan | null, date: string): { mg: number; time_of_day: string | null } | null {
  if (!plan) return null;
  if (plan.today && plan.today.date === date) return { mg: Number(plan.today.mg), time_of_day: plan.today.time_of_day };
  const p = plan.plan;
  if (!p || (p.stopped_on && p.stopped_on <= date)) return null;
  const steps = p.steps.filter((s) => s.start_date <= date).sort((a, b) => (a.start_date < b.start_date ? -1 : 1));
  const step = steps[steps.length - 1];
  return step ? { mg: Number(step.mg), time_of_day: step.time_of_day } : null;
}

/** "today", "yesterday" or "on Tuesday 1 December": how the questions name the day. */
export function dayWords(date: string, today: string): { kind: "today" | "yesterday" | "other"; on: string } {
  if (date === today) return { kind: "today", on: t.todayWord };
  if (date === addDays(today, -1)) return { kind: "yesterday", on: t.yesterdayWord };
  return { kind: "other", on: t.onDay(formatDay(date)) };
}

/** Whether the stored entry opens the details (they hold something). */
export function hasDetails(data: Partial<Form> | null | undefined): boolean {
  return !!data && ((data.acute_medications?.length ?? 0) > 0 || !!data.note || (data.headache_hours ?? null) !== null);
}

export function statusOf(entry: LocalEntry | null | undefined): "none" | "phone" | "synced" {
  return entry ? (entry.synced ? "synced" : "phone") : "none";
}

/** The outbox items of this day the server refused (they wait for Fix or Discard). */
export function refusedOf(outbox: OutboxItem[]): OutboxItem[] {
  return outbox.filter((i) => i.blocked && i.blocked !== "conflict");
}

/** A refused item's reasons in words: "Amount (mg): There is no planned dose …". */
export function refusalLines(item: OutboxItem): { field: string; text: string }[] {
  const errors = item.refusal?.errors ?? {};
  const lines = Object.entries(errors).map(([field, messages]) => ({ field, text: `${fieldWords(field)}: ${messages.join(" ")}` }));
  if (lines.length) return lines;
  const detail = item.refusal?.detail || (item.blocked !== "refused" ? item.blocked : "") || "";
  return [{ field: "", text: detail || t.refusedNoReason }];
}

export interface Question {
  mg: number;
  planned: number | null;
  suggestions: number[];
  answer: (mg: number | null) => void;
}

/** A migraine medicine counts as taken for a headache: the form does not ask. */
export const alwaysHeadache = (medClass: string) => (MIGRAINE_SPECIFIC_CLASSES as readonly string[]).includes(medClass);
