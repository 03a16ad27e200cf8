// Clinic outcomes, as a published LDN case series reports them: categories (table and bar
// chart with its table), the responder rate, how verdicts map to the categories and who is
// in each, verdicts listed apart, doses, side effects.
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { cssVar, useColorScheme } from "../scheme";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { fmt, fmtMg, getJson, label, LoadError, LoadFailed, type Num, useLoad, usePageTitle } from "./common";
import { patientHref, type Route } from "./routes";
import type { OutcomePatient as Member, OutcomePatientPage as MemberPage, Outcomes } from "./types";

function Bars({ categories }: { categories: Outcomes["categories"] }) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useColorScheme();
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const xs = categories.map((_, i) => i);
    const fg = cssVar("--fg");
    const grid = { stroke: cssVar("--line"), width: 0.5 };
    const plot = new uPlot(
      {
        width: Math.max(200, Math.min(640, el.clientWidth)),
        height: 220,
        legend: { show: false },
        cursor: { show: false },
        scales: { x: { time: false, range: [-0.6, categories.length - 0.4] }, y: { range: [0, 100] } },
        axes: [
          { stroke: fg, grid: { show: false }, ticks: grid, splits: () => xs, values: (_u, splits) => splits.map((i) => categories[i]?.label ?? "") },
          { stroke: fg, grid, ticks: grid, size: 56, values: (_u, splits) => splits.map((v) => `${v}%`) },
        ],
        series: [
          {},
          {
            label: c.colPct,
            fill: cssVar("--accent"),
            stroke: cssVar("--accent"),
            paths: uPlot.paths.bars!({ size: [0.6, 120] }),
            points: { show: false },
          },
        ],
      },
      [xs, categories.map((x) => x.pct ?? 0)],
      el,
    );
    return () => plot.destroy();
  }, [categories, scheme]);
  const text = categories.map((x) => `${x.label}: ${fmt(x.pct, 0)}%`).join("; ");
  return <div ref={box} class="plot" role="img" aria-label={`${c.outcomesChart}. ${text}`} />;
}

function CountTable({ id, caption, first, rows }: { id: string; caption: string; first: string; rows: [string, number, Num?][] }) {
  const withPct = rows.some((r) => r[2] !== undefined);
  return (
    <div class="tablewrap">
      <table data-testid={id}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{first}</th>
            <th scope="col">{c.colCount}</th>
            {withPct ? <th scope="col">{c.colPct}</th> : null}
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, count, pct]) => (
            <tr>
              <th scope="row">{name}</th>
              <td class="num">{count}</td>
              {withPct ? <td class="num">{pct === undefined || pct === null ? c.none : c.pct(fmt(pct, 0))}</td> : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const LIST_PAGE = 100;

/** A list of the page by name: the first patients came with the page; the rest are loaded a
 *  page at a time on request ("Show all"), in the same order. */
function Members({ id, title, count, members }: { id: string; title: string; count: number; members: Member[] }) {
  const [more, setMore] = useState<{ shown: Member[]; next: number | null } | null>(null);
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<number | null>(null);
  const shown = more ? more.shown : members;
  const left = count - shown.length;
  async function load() {
    const page = more?.next ?? 1;
    setBusy(true);
    setFailed(null);
    try {
      const reply = await getJson<MemberPage>(`/clinic/outcomes/patients?list=${id}&page_size=${LIST_PAGE}&page=${page}`);
      // The first page repeats the patients the page named: it replaces them.
      setMore({ shown: page === 1 ? reply.results : [...shown, ...reply.results], next: reply.next ? page + 1 : null });
    } catch (err) {
      setFailed(err instanceof LoadError ? err.status : 0);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div data-testid={`members-${id}`}>
      <h3>{title}</h3>
      {shown.length ? (
        <ul class="members">
          {shown.map((m) => (
            <li key={m.id}>
              <a href={patientHref(m.id)}>{m.display_name}</a>{" "}
              <span class="muted small">
                {m.verdict_label} · {m.condition_label}
              </span>
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">{c.noneInCategory}</p>
      )}
      {left > 0 && (!more || more.next !== null) ? (
        <p class="small">
          <span class="muted">{c.membersShown(shown.length, count)}</span>{" "}
          <button type="button" class="link" aria-busy={busy} disabled={busy} onClick={() => void load()}>
            {busy ? t.loading : more ? c.membersMore(Math.min(LIST_PAGE, left)) : c.membersAll(count)}
          </button>
        </p>
      ) : null}
      {failed !== null ? (
        <p role="alert" class="small">
          {c.membersFailed(failed)}
        </p>
      ) : null}
    </div>
  );
}

export function Outcomes(_: { route: Route }) {
  const heading = usePageTitle(c.outcomesTitle);
  const [load, reload] = useLoad(() => getJson<Outcomes>("/clinic/outcomes"), []);
  return (
    <section class="stack">
      <h1 ref={heading} tabIndex={-1}>
        {c.outcomesTitle}
      </h1>
      {load.state === "loading" ? <p aria-busy="true">{t.loading}</p> : null}
      {load.state === "error" ? <LoadFailed status={load.status} retry={reload} /> : null}
      {load.state === "ok" ? (
        <>
          <p>{c.outcomesIntro(load.data.counted)}</p>
          <div class="twocol">
            <section class="card stack" aria-labelledby="cat-title">
              <h2 id="cat-title">{c.outcomesCategoriesTitle}</h2>
              <CountTable
                id="outcome-categories"
                caption={c.outcomesCaption}
                first={c.colCategory}
                rows={load.data.categories.map((x) => [x.label, x.count, x.pct])}
              />
              <p data-testid="responder-rate">
                <strong>{c.responderRate(fmt(load.data.responder_rate_pct, 0))}</strong>
              </p>
              <h3>{c.apartTitle}</h3>
              <ul data-testid="outcomes-apart">
                <li>
                  {c.apartInsufficient}: {load.data.apart.insufficient_data}
                </li>
                <li>
                  {c.apartInProgress}: {load.data.apart.in_progress}
                </li>
                <li>
                  {c.apartNotAnalysed}: {load.data.apart.not_analysed}
                </li>
              </ul>
            </section>
            <figure class="card chart" aria-labelledby="bars-title">
              <figcaption>
                <h2 id="bars-title">{c.outcomesChart}</h2>
              </figcaption>
              {load.data.counted ? <Bars categories={load.data.categories} /> : <p>{c.noOutcomes}</p>}
              <p class="muted small">{c.outcomesChartTable}</p>
            </figure>
          </div>
          <section class="card stack" aria-labelledby="mapping-title" data-testid="outcomes-mapping">
            <h2 id="mapping-title">{c.mappingTitle}</h2>
            <p>{c.mappingIntro}</p>
            <dl class="facts">
              {load.data.categories.map((x) => (
                <div>
                  <dt>{x.label}</dt>
                  <dd>{x.definition}</dd>
                </div>
              ))}
            </dl>
            <p class="small muted">{c.mappingNote}</p>
            <div class="threecol">
              {load.data.categories.map((x) => (
                <Members id={x.key} title={c.patientsIn(x.label, x.count)} count={x.count} members={x.patients} />
              ))}
            </div>
            <div class="threecol">
              <Members
                id="in_progress"
                title={c.patientsIn(c.apartInProgress, load.data.apart.in_progress)}
                count={load.data.apart.in_progress}
                members={load.data.apart_patients.in_progress}
              />
              <Members
                id="insufficient_data"
                title={c.patientsIn(c.apartInsufficient, load.data.apart.insufficient_data)}
                count={load.data.apart.insufficient_data}
                members={load.data.apart_patients.insufficient_data}
              />
              <Members
                id="not_analysed"
                title={c.patientsIn(c.apartNotAnalysed, load.data.apart.not_analysed)}
                count={load.data.apart.not_analysed}
                members={load.data.apart_patients.not_analysed}
              />
            </div>
          </section>
          <div class="threecol">
            <section class="card">
              <CountTable id="starting-doses" caption={c.startingDoses} first={c.colMgDose} rows={load.data.starting_doses.map((x) => [fmtMg(x.mg), x.patients])} />
            </section>
            <section class="card">
              <CountTable id="stable-doses" caption={c.stableDoses} first={c.colMgDose} rows={load.data.stable_doses.map((x) => [fmtMg(x.mg), x.patients])} />
            </section>
            <section class="card">
              <CountTable
                id="side-effect-rates"
                caption={c.sideEffectRates}
                first={c.colSideEffect}
                rows={load.data.side_effect_rates.map((x) => [label(t.sideEffectNames, x.kind), x.patients, x.pct])}
              />
            </section>
          </div>
        </>
      ) : null}
    </section>
  );
}
