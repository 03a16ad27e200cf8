// One outcome against the dose (uPlot): daily dots and/or mean lines, the dose held as a
// grey step line on its own axis, the baseline as a dashed line with the band down to the
// responder threshold; a legend for every line drawn, a caption that says what is drawn,
// and its numbers as a weekly table (the chart's text alternative). Every chart of a page
// is given the same days (`start`, `days`), so their date axes line up.
import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { addDays } from "../dates";
import { cssVar, useColorScheme } from "../scheme";
import { c } from "../strings-clinician";
import { fmt, fmtDate, fmtMg, type Num, ScrollTable } from "./common";

export interface Line {
  label: string;
  values: Num[];
  dots?: boolean; // daily values: dots, no line
  color: string; // a CSS variable name
  dash?: number[];
}

export interface Band {
  hi: number; // the baseline
  lo: number; // the responder threshold
  value: string;
  threshold: string;
}

export interface ChartProps {
  id: string;
  title: string;
  start: string; // the first day of every series
  days: number; // how many days the chart shows (the same for every chart of the page)
  lines: Line[];
  dose: Num[];
  range: [number, number];
  band: Band | null;
  baseline: Num;
  unit: string; // what the left axis measures, for the caption
}

const DAY = 86400;
const HEIGHT = 240;
const AXIS_DAY = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone: "UTC" });
const AXIS_MONTH = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });

/** Axis dates as a clinician reads them ("7 Nov", or "Nov 2026" for a long course), never 7/11. */
function dateTicks(_u: uPlot, splits: number[], _axis: number, _space: number, increment: number): string[] {
  const format = increment >= 28 * DAY ? AXIS_MONTH : AXIS_DAY;
  return splits.map((ts) => format.format(new Date(ts * 1000)));
}

function mean(values: Num[]): Num {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

/** The legend: a sample of each line as drawn, the dose, the baseline and its band. */
function Legend({ lines, band, baseline }: { lines: Line[]; band: Band | null; baseline: Num }) {
  return (
    <ul class="legend small" aria-hidden="true">
      {lines.map((l) => (
        <li>
          <span class={`swatch ${l.dots ? "swatch-dots" : l.dash ? "swatch-dash" : "swatch-line"}`} style={{ color: `var(${l.color})` }} />
          {l.label}
        </li>
      ))}
      <li>
        <span class="swatch swatch-line swatch-dose" />
        {c.seriesDose}
      </li>
      {baseline !== null ? (
        <li>
          <span class="swatch swatch-base" />
          {c.legendBaseline(fmt(baseline))}
        </li>
      ) : null}
      {band ? (
        <li>
          <span class="swatch swatch-band" />
          {c.legendBand(band.threshold)}
        </li>
      ) : null}
    </ul>
  );
}

/** What the chart draws, in words (its caption and its text alternative's name). */
export function chartCaption(props: Pick<ChartProps, "lines" | "band" | "baseline" | "unit" | "start" | "days">): string {
  const parts = props.lines.map((l) => (l.dots ? c.captionDots(l.label) : l.dash ? c.captionDashed(l.label) : c.captionLine(l.label)));
  parts.push(c.captionDose);
  if (props.baseline !== null) parts.push(c.captionBaseline(fmt(props.baseline)));
  if (props.band) parts.push(c.captionBand(props.band.value, props.band.threshold));
  return c.caption(props.unit, fmtDate(props.start), fmtDate(addDays(props.start, props.days - 1)), parts);
}

export function DoseChart(props: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const { id, title, start, days, lines, dose, range, band, baseline } = props;
  const hasData = lines.some((l) => l.values.some((v) => v !== null));
  const scheme = useColorScheme();

  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    const t0 = Date.parse(`${start}T00:00:00Z`) / 1000;
    const xs = Array.from({ length: days }, (_, i) => t0 + i * DAY);
    const pad = (values: Num[]) => Array.from({ length: days }, (_, i) => values[i] ?? null);
    const doseMax = Math.max(1, ...dose.map((v) => v ?? 0));
    const fg = cssVar("--fg");
    const grid = { stroke: cssVar("--line"), width: 0.5 };
    const drawBand = (u: uPlot) => {
      if (baseline === null) return;
      const top = u.valToPos(baseline, "y", true);
      u.ctx.save();
      if (band) {
        const bottom = u.valToPos(band.lo, "y", true);
        u.ctx.fillStyle = "rgba(128, 128, 160, 0.18)";
        u.ctx.fillRect(u.bbox.left, Math.min(top, bottom), u.bbox.width, Math.abs(bottom - top));
      }
      u.ctx.strokeStyle = cssVar("--fg");
      u.ctx.lineWidth = 1.5;
      u.ctx.setLineDash([2, 3]);
      u.ctx.beginPath();
      u.ctx.moveTo(u.bbox.left, top);
      u.ctx.lineTo(u.bbox.left + u.bbox.width, top);
      u.ctx.stroke();
      u.ctx.restore();
    };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true, range: [t0, t0 + (days - 1) * DAY] }, y: { range }, mg: { range: [0, doseMax * 1.25] } },
      axes: [
        { stroke: fg, grid, ticks: grid, values: dateTicks, space: 60 },
        { stroke: fg, grid, ticks: grid, size: 40 },
        { scale: "mg", side: 1, stroke: cssVar("--muted"), grid: { show: false }, size: 40 },
      ],
      hooks: { drawAxes: [drawBand] },
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: cssVar(l.color),
          width: l.dots ? 0 : 2,
          dash: l.dash,
          spanGaps: false,
          paths: l.dots ? () => null : undefined,
          points: l.dots ? { show: true, size: 4, fill: cssVar(l.color), stroke: cssVar(l.color) } : { show: false },
        })),
        { label: c.seriesDose, scale: "mg", stroke: cssVar("--muted"), width: 2, paths: uPlot.paths.stepped!({ align: 1 }), points: { show: false } },
      ],
    };
    const plot = new uPlot(opts, [xs, ...lines.map((l) => pad(l.values)), pad(dose)] as uPlot.AlignedData, el);
    const resize = () => plot.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT });
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [props, scheme]);

  // The weekly table: means of daily values, the others as at the week's last day.
  const weeks: { start: string; cells: Num[]; dose: Num }[] = [];
  for (let i = 0; i < days; i += 7) {
    const last = Math.min(i + 6, days - 1);
    const cells = lines.map((l) => (l.dots ? mean(l.values.slice(i, last + 1)) : (l.values[last] ?? null)));
    if (cells.every((v) => v === null) && (dose[last] ?? null) === null) continue;
    weeks.push({ start: addDays(start, i), cells, dose: dose[last] ?? null });
  }
  const caption = chartCaption(props);
  return (
    <figure class="chart card" data-testid={`chart-${id}`} aria-labelledby={`chart-${id}-title`}>
      <h3 id={`chart-${id}-title`}>{title}</h3>
      {hasData ? (
        <>
          <div ref={box} class="plot" role="img" aria-label={`${title}. ${caption}`} />
          <Legend lines={lines} band={band} baseline={baseline} />
        </>
      ) : (
        <p class="muted">{c.chartNoData}</p>
      )}
      <figcaption class="muted small" data-testid={`chart-${id}-caption`}>
        {caption}
      </figcaption>
      {weeks.length ? (
        <details>
          <summary>{c.showNumbers}</summary>
          <ScrollTable
            id={`chart-${id}-table`}
            caption={c.chartTableCaption(title)}
            head={[c.colWeek, ...lines.map((l) => (l.dots ? `${l.label} (${c.weekMean})` : l.label)), c.colDoseHeld, baseline !== null ? c.colBaseline : null]}
          >
            {weeks.map((w) => (
              <tr>
                <th scope="row">{fmtDate(w.start)}</th>
                {w.cells.map((v) => (
                  <td class="num">{fmt(v)}</td>
                ))}
                <td class="num">{fmtMg(w.dose)}</td>
                {baseline !== null ? <td class="num">{fmt(baseline)}</td> : null}
              </tr>
            ))}
          </ScrollTable>
        </details>
      ) : null}
    </figure>
  );
}
