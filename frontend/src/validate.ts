// What the server would refuse, checked before a change is queued (so the outbox holds only
// changes the server takes): every limit comes from rules.gen.ts, which is generated from
// the server's own serializers and constants, never typed here. The words are the app's.
import { addDays } from "./dates";
import { BACKDATE_LIMIT_DAYS, DOSE, ENTRY, MAX_STEP_UP_MG, MEDICINE, SIDE_EFFECT, SIDE_EFFECT_NEEDS_TEXT, USUAL_MAX_MG } from "./rules.gen";
import { t } from "./strings";
import type { EntryData } from "./types";

export interface Problem {
  field: string; // the server's field path (pain_score, side_effects.0.other_text, mg, date)
  text: string;
}

interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  readonly integer?: boolean;
  readonly required: boolean;
  readonly nullable: boolean;
}

function decimalsOf(value: number): number {
  const text = String(value);
  return text.includes(".") ? text.split(".")[1].length : 0;
}

/** The problem with a number against its rule, in words (null: fine). */
function numberProblem(rule: NumberRule, value: number | null | undefined, label: string): string | null {
  if (value === null || value === undefined || Number.isNaN(value)) {
    return rule.required || !rule.nullable ? t.fieldNeeded(label) : null;
  }
  if (rule.integer && !Number.isInteger(value)) return t.fieldWhole(label);
  if (rule.decimals !== undefined && decimalsOf(value) > rule.decimals) return t.fieldDecimals(label, rule.decimals);
  if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
    return t.fieldRange(label, rule.min ?? 0, rule.max ?? 0);
  }
  return null;
}

/** A diary day as the server would take it on `date`, the latest day allowed being `max`. */
export function dayProblems(date: string, max: string, data: EntryData): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, text: string | null) => {
    if (text) problems.push({ field, text });
  };
  if (date > max) add("date", t.futureDate);
  else if (date < addDays(max, -BACKDATE_LIMIT_DAYS)) add("date", t.tooLongAgo(BACKDATE_LIMIT_DAYS));
  const numbers = ["pain_score", "headache", "sleep_quality", "headache_hours", "aura_minutes"] as const;
  for (const name of numbers) add(name, numberProblem(ENTRY[name], data[name], t.fieldNames[name]));
  if (data.note.length > ENTRY.note.maxLength) add("note", t.fieldTooLong(t.fieldNames.note, ENTRY.note.maxLength));
  data.side_effects.forEach((s, i) => {
    add(`side_effects.${i}.severity`, numberProblem(SIDE_EFFECT.severity, s.severity, t.fieldNames.severity));
    if (s.kind === SIDE_EFFECT_NEEDS_TEXT && !s.other_text.trim()) add(`side_effects.${i}.other_text`, t.otherNeedsText);
    if (s.other_text.length > SIDE_EFFECT.other_text.maxLength) {
      add(`side_effects.${i}.other_text`, t.fieldTooLong(t.otherSideEffect, SIDE_EFFECT.other_text.maxLength));
    }
  });
  data.acute_medications.forEach((m, i) => {
    if (!(MEDICINE.med_class.choices as readonly string[]).includes(m.med_class)) add(`acute_medications.${i}.med_class`, t.fieldNeeded(t.medicineClass));
    if (m.name.length > MEDICINE.name.maxLength) add(`acute_medications.${i}.name`, t.fieldTooLong(t.medicineName, MEDICINE.name.maxLength));
  });
  return problems;
}

/** "1,5" or " 1.5 " → 1.5; "" → null; anything else → NaN. */
export function parseAmount(text: string): number | null {
  const cleaned = text.trim().replace(",", ".");
  if (!cleaned) return null;
  return /^\d*\.?\d+$/.test(cleaned) ? Number(cleaned) : Number.NaN;
}

/** A dose taken (or a correction) as the server would take it. */
export function doseProblems(taken: boolean, mg: number | null, plannedMg: number | null): Problem[] {
  if (!taken) return [];
  if (mg === null) return plannedMg === null ? [{ field: "mg", text: t.doseNeedsAmount }] : [];
  const text = Number.isNaN(mg) ? t.doseNotANumber : numberProblem({ ...DOSE.mg, required: true }, mg, t.fieldNames.mg);
  return text ? [{ field: "mg", text }] : [];
}

/** The amounts to offer for "Did you mean …?": when `mg` is above the usual range, or
 * further from the planned step than a usual step; empty when it looks right. */
export function doseSuggestions(mg: number, plannedMg: number | null): number[] {
  const far = mg > USUAL_MAX_MG || (plannedMg !== null && Math.abs(mg - plannedMg) > MAX_STEP_UP_MG);
  if (!far) return [];
  // the commonest slip is a missed decimal point (15 for 1.5), else the plan's own step
  // (an offer itself far from the plan would only ask the same question again)
  const near = (v: number) => plannedMg === null || Math.abs(v - plannedMg) <= MAX_STEP_UP_MG;
  const candidates = [Math.round(mg * 10) / 100, plannedMg].filter(
    (v): v is number => v !== null && v >= DOSE.mg.min && v <= USUAL_MAX_MG && v !== mg && near(v),
  );
  return [...new Set(candidates)];
}

/** A server field path in the patient's words: "side_effects.0.other_text" → "Which side effect?". */
export function fieldWords(path: string): string {
  const last = path.split(".").pop() ?? path;
  return t.fieldNames[last] ?? t.fieldNames[path] ?? t.fieldNames.body;
}
