// The patient page's tables: per dose step, side effects by dose step and by dose time
// (columns in dose order), and the medication-overuse windows.
import { t } from "../strings";
import { c } from "../strings-clinician";
import { fmt, fmtDate, fmtMg, fmtPct, label, ScrollTable } from "./common";
import type { Incidence, OverusePanel as Panel, Segment, Span } from "./types";

function incidenceText(incidence: Record<string, number> | undefined): string {
  const items = Object.entries(incidence ?? {})
    .filter(([, share]) => share > 0)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (!items.length) return c.none;
  return items.map(([kind, share]) => `${label(t.sideEffectNames, kind)} ${fmtPct(share)}`).join(", ");
}

/** One row per part of a step: its first 7 days (settling) and the rest (steady state);
 *  a step of 7 days or fewer has only its settling days, shown once. */
export function SegmentTable({ segments }: { segments: Segment[] }) {
  if (!segments.length) return null;
  const rows: { seg: Segment; part: string; span: Span }[] = [];
  for (const seg of segments) {
    if (!seg.steady) rows.push({ seg, part: c.partSettlingOnly(seg.days), span: seg.all });
    else {
      if (seg.settling) rows.push({ seg, part: c.partSettling, span: seg.settling });
      rows.push({ seg, part: c.partSteady, span: seg.steady });
    }
  }
  return (
    <section class="card" aria-labelledby="segments-title">
      <h2 id="segments-title">{c.segmentsTitle}</h2>
      <ScrollTable
        id="segments"
        caption={c.segmentsCaption}
        head={[c.colSegment, c.colPart, c.colDays, c.colComplianceShort, c.colMeanPain, c.colHd28, c.colMd28, c.colMs28, c.colSleep, c.colAdherence, c.colSideEffects]}
      >
        {rows.map(({ seg, part, span }) => (
          <tr>
            <th scope="row">
              {c.mg(fmtMg(seg.mg))}
              <span class="muted small block">
                <span class="nowrap">{fmtDate(span.start)}</span> – <span class="nowrap">{fmtDate(span.end)}</span>
              </span>
            </th>
            <td>{part}</td>
            <td class="num">{span.days}</td>
            <td class="num">{fmt(span.compliance_pct, 0)}</td>
            <td class="num">
              {fmt(span.mean_pain)}
              {span.pain_ci95 ? ` (${fmt(span.pain_ci95[0])}–${fmt(span.pain_ci95[1])})` : ""}
            </td>
            <td class="num">{fmt(span.headache_days_per_28)}</td>
            <td class="num">{fmt(span.migraine_days_per_28)}</td>
            <td class="num">{fmt(span.moderate_severe_days_per_28)}</td>
            <td class="num">{fmt(span.mean_sleep)}</td>
            <td class="num">{fmt(span.adherence_pct, 0)}</td>
            <td>{incidenceText(span.side_effect_incidence)}</td>
          </tr>
        ))}
      </ScrollTable>
    </section>
  );
}

const DOSE_TIME_ORDER = ["morning", "bedtime", "other"];
const timeRank = (k: string) => (DOSE_TIME_ORDER.includes(k) ? DOSE_TIME_ORDER.indexOf(k) : DOSE_TIME_ORDER.length);

/** Side effects (rows) by group (columns: doses in increasing order, or dose times). */
export function IncidenceTable({ id, caption, groups, heading, byDose }: { id: string; caption: string; groups: Record<string, Incidence>; heading: (k: string) => string; byDose: boolean }) {
  const keys = Object.keys(groups).sort((a, b) => (byDose ? Number(a) - Number(b) : timeRank(a) - timeRank(b)));
  if (!keys.length) return null;
  const kinds = Array.from(new Set(keys.flatMap((k) => Object.keys(groups[k].incidence)))).sort((a, b) =>
    label(t.sideEffectNames, a).localeCompare(label(t.sideEffectNames, b)),
  );
  return (
    <ScrollTable id={id} caption={caption} head={[c.colSideEffect, ...keys.map(heading)]}>
      <tr>
        <th scope="row">{c.daysLogged}</th>
        {keys.map((k) => (
          <td class="num">{groups[k].days_logged}</td>
        ))}
      </tr>
      {kinds.map((kind) => (
        <tr>
          <th scope="row">{label(t.sideEffectNames, kind)}</th>
          {keys.map((k) => (
            <td class="num">{fmtPct(groups[k].incidence[kind] ?? 0)}</td>
          ))}
        </tr>
      ))}
    </ScrollTable>
  );
}

export function OverusePanel({ panel }: { panel: Panel }) {
  if (!panel.windows.length) return null;
  const classes = Object.keys(panel.thresholds).filter((k) => k !== "several_classes");
  const cell = (days: number, threshold: number | null) => {
    const over = threshold !== null && days >= threshold;
    return (
      <td class={over ? "num over" : "num"}>
        {days}
        {over ? <span class="visually-hidden"> ({c.atThreshold})</span> : null}
        {over ? " ▲" : ""}
      </td>
    );
  };
  return (
    <section class="card" aria-labelledby="overuse-title">
      <h2 id="overuse-title">{c.overuseTitle}</h2>
      <ScrollTable
        id="overuse"
        caption={c.overuseCaption}
        head={[c.colClass, c.colThreshold, ...panel.windows.map((w) => `${fmtDate(w.start)} – ${fmtDate(w.end)}`)]}
      >
        {classes.map((k) => (
          <tr>
            <th scope="row">{label(t.medicineClasses, k)}</th>
            <td class="num">{panel.thresholds[k]}</td>
            {panel.windows.map((w) => cell(w.days_per_class[k] ?? 0, panel.thresholds[k]))}
          </tr>
        ))}
        <tr>
          <th scope="row">{c.overuseSeveral}</th>
          <td class="num">{panel.thresholds.several_classes ?? c.none}</td>
          {panel.windows.map((w) =>
            w.ichd3_classes_present.length >= 2 ? cell(w.several_classes_union_days ?? 0, panel.thresholds.several_classes ?? null) : <td class="num">{c.none}</td>,
          )}
        </tr>
        <tr>
          <th scope="row">{c.overuseHeadache}</th>
          <td class="num">{c.none}</td>
          {panel.windows.map((w) => (
            <td class="num">{w.headache_days}</td>
          ))}
        </tr>
        <tr>
          <th scope="row">{c.overuseRisk}</th>
          <td class="num">{c.none}</td>
          {panel.windows.map((w) => (
            <td>{w.risk ? t.yes : t.no}</td>
          ))}
        </tr>
      </ScrollTable>
    </section>
  );
}
