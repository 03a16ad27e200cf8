// My plan in plain words: "Today: 3.0 mg at bedtime; 4.5 mg from Monday" (the payload of
// GET /api/v1/me/plan, kept on the phone by the sync's pull).
import { addDays, formatDay, formatDayMonth, weekdayName } from "../dates";
import { t } from "../strings";
import type { Plan } from "../types";

export function mgText(mg: number | string): string {
  const n = Number(mg);
  return Number.isInteger(Math.round(n * 100) / 10) ? n.toFixed(1) : n.toFixed(2);
}

function dayName(iso: string, today: string): string {
  return iso <= addDays(today, 6) ? weekdayName(iso) : formatDay(iso);
}

export function planText(plan: Plan | null, today: string): string {
  const p = plan?.plan;
  if (!p) return t.planNone;
  if (p.stopped_on && p.stopped_on <= today) {
    return t.planStopped(formatDayMonth(p.stopped_on));
  }
  const planned = plan.today && plan.today.date === today ? plan.today : null;
  const steps = [...p.steps].sort((a, b) => (a.start_date < b.start_date ? -1 : 1));
  let current: { mg: number; time_of_day: string | null } | null = planned;
  if (!current) {
    const started = steps.filter((s) => s.start_date <= today);
    current = started.length ? started[started.length - 1] : null;
  }
  const parts = [current ? t.planToday(mgText(current.mg), t.timeOfDay[current.time_of_day ?? ""] ?? "") : t.planNoDoseToday];
  const next = steps.find((s) => s.start_date > today && (!current || Number(s.mg) !== Number(current.mg)));
  if (next && (!p.stopped_on || next.start_date < p.stopped_on)) parts.push(t.planNext(mgText(next.mg), dayName(next.start_date, today)));
  return parts.join("; ");
}

export function PlanLine({ plan, date }: { plan: Plan | null; date: string }) {
  return (
    <section class="card plan" aria-labelledby="plan-title">
      <h2 id="plan-title">{t.myPlan}</h2>
      <p data-testid="plan-text">{planText(plan, date)}</p>
    </section>
  );
}
