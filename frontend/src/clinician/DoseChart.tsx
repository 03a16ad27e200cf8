// One outcome against the dose (uPlot): daily dots and/or mean lines, the dose held as a
// grey step line on its own axis, the baseline as a shaded band; and its numbers as a
// weekly table (the chart's text alternative).
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
  lines: Line[];
  dose: Num[];
  range: [number, number];
  band: Band | null;
  baseline: Num;
}

const DAY = 86400;
const HEIGHT = 240;

function mean(values: Num[]): Num {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : null;
}

/** From the first day with any value (the series run a year back, mostly empty for newer patients). */
function trimmed(props: ChartProps): ChartProps {
  const length = Math.max(...props.lines.map((l) => l.values.length), props.dose.length);
  let from = 0;
  while (from < length - 1 && props.lines.every((l) => (l.values[from] ?? null) === null) && (props.dose[from] ?? null) === null) from++;
  if (!from) return props;
  return {
    ...props,
    start: addDays(props.start, from),
    lines: props.lines.map((l) => ({ ...l, values: l.values.slice(from) })),
    dose: props.dose.slice(from),
  };
}

export function DoseChart(all: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const props = trimmed(all);
  const { id, title, start, lines, dose, range, band } = props;
  const days = Math.max(...lines.map((l) => l.values.length), dose.length);
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
      if (!band) return;
      const top = u.valToPos(band.hi, "y", true);
      const bottom = u.valToPos(band.lo, "y", true);
      u.ctx.save();
      u.ctx.fillStyle = "rgba(128, 128, 160, 0.18)";
      u.ctx.fillRect(u.bbox.left, Math.min(top, bottom), u.bbox.width, Math.abs(bottom - top));
      u.ctx.strokeStyle = cssVar("--muted");
      u.ctx.setLineDash([4, 4]);
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
      scales: { x: { time: true }, y: { range }, mg: { range: [0, doseMax * 1.25] } },
      axes: [
        { stroke: fg, grid, ticks: grid },
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
  }, [all, scheme]);

  // The weekly table: means of daily values, the others as at the week's last day.
  const weeks: { start: string; cells: Num[]; dose: Num }[] = [];
  for (let i = 0; i < days; i += 7) {
    const last = Math.min(i + 6, days - 1);
    const cells = lines.map((l) => (l.dots ? mean(l.values.slice(i, last + 1)) : l.values[last] ?? null));
    if (cells.every((v) => v === null) && (dose[last] ?? null) === null) continue;
    weeks.push({ start: addDays(start, i), cells, dose: dose[last] ?? null });
  }
  const note = c.chartNote(band ? c.chartBandNote(band.value, band.threshold) : "");
  return (
    <figure class="chart card" data-testid={`chart-${id}`} aria-labelledby={`chart-${id}-title`}>
      <figcaption>
        <h3 id={`chart-${id}-title`}>{title}</h3>
      </figcaption>
      {hasData ? (
        <>
          <div ref={box} class="plot" role="img" aria-label={`${title}. ${note}`} />
          <p class="muted small">{note}</p>
        </>
      ) : (
        <p class="muted">{c.none}</p>
      )}
      {weeks.length ? (
        <details>
          <summary>{c.showNumbers}</summary>
          <ScrollTable
            id={`chart-${id}-table`}
            caption={c.chartTableCaption(title)}
            head={[c.colWeek, ...lines.map((l) => (l.dots ? `${l.label} (${c.weekMean})` : l.label)), c.colDoseHeld, props.baseline !== null ? c.colBaseline : null]}
          >
                {weeks.map((w) => (
                  <tr>
                    <th scope="row">{fmtDate(w.start)}</th>
                    {w.cells.map((v) => (
                      <td>{fmt(v)}</td>
                    ))}
                    <td>{fmtMg(w.dose)}</td>
                    {props.baseline !== null ? <td>{fmt(props.baseline)}</td> : null}
                  </tr>
                ))}
          </ScrollTable>
        </details>
      ) : null}
    </figure>
  );
}
