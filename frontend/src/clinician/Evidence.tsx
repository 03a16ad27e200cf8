// The verdict and the flags of one patient, with their evidence as the server presents it
// (diary/evidence/: the clinician's words, rounded numbers, a fixed order): this file
// only lays those strings out.
import { c } from "../strings-clinician";
import { type FlagAction, FlagButtons, flagHeadline, fmtDate, label, ScrollTable, SeverityBadge } from "./common";
import type { Flag, Insights, Presented } from "./types";

/** Measures (a table), facts (a description list), occurrences, the rule and the notes. */
export function PresentedBlock({ id, p, rule = true }: { id: string; p: Presented; rule?: boolean }) {
  // the column says something only where a measure does not simply count
  const counts = p.measures.some((m) => m.counts && m.counts !== "yes");
  // the questionnaire table says what the instruments' facts say, in columns
  const tabled = new Set((p.questionnaires ?? []).map((q) => q.instrument));
  const facts = p.facts.filter((f) => !tabled.has(f.label));
  return (
    <div class="presented stack-tight">
      {p.measures.length ? (
        <ScrollTable id={`${id}-measures`} caption={c.measuresCaption} head={[c.colMeasure, c.colBaseline, c.colWindow, c.colReduction, counts ? c.colCounts : null]}>
          {p.measures.map((m) => (
            <tr>
              <th scope="row">{m.label}</th>
              <td class="num">{m.baseline}</td>
              <td class="num">{m.now}</td>
              <td class="num">{m.change}</td>
              {counts ? <td>{m.counts}</td> : null}
            </tr>
          ))}
        </ScrollTable>
      ) : null}
      {facts.length ? (
        <dl class="facts">
          {facts.map((f) => (
            <div>
              <dt>{f.label}</dt>
              <dd>{f.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
      {p.questionnaires?.length ? (
        <ScrollTable id={`${id}-questionnaires`} caption={c.verdictQuestionnaires} head={[c.colQuestionnaire, c.colBaseline, c.colFollowup, c.colCriterion]}>
          {p.questionnaires.map((q) => (
            <tr>
              <th scope="row">{q.instrument}</th>
              <td>{q.baseline}</td>
              <td>{q.followup}</td>
              <td>{q.criterion}</td>
            </tr>
          ))}
        </ScrollTable>
      ) : null}
      {p.occurrences.length ? (
        <ScrollTable id={`${id}-occurrences`} caption={c.occurrencesCaption} head={[c.colOccurrenceDate, c.colOccurrence, c.colRaised, c.colNow, c.colChanged]}>
          {p.occurrences.map((o) => (
            <tr class={o.changed ? "changed" : undefined}>
              <th scope="row">{o.when}</th>
              <td>{o.what}</td>
              <td>{o.raised}</td>
              <td>{o.now}</td>
              <td>{o.changed || c.none}</td>
            </tr>
          ))}
        </ScrollTable>
      ) : null}
      {rule && p.rule ? <p class="small rule">{p.rule}</p> : null}
      {p.notes.map((n) => (
        <p class="small muted">{n}</p>
      ))}
    </div>
  );
}

export function VerdictSection({ data }: { data: Insights }) {
  const v = data.verdict;
  const caveats = data.summary?.caveats ?? [];
  const name = v ? v.kind_label || label(c.verdicts, v.kind) : "";
  const headline = v?.presented?.headline ?? "";
  const attention = v?.presented?.attention ?? [];
  const notes = (v?.presented?.notes ?? []).filter((n) => !attention.includes(n));
  // "Responder: 40% fewer …" and "Responder by MIDAS 24 → 16; …" both say the name first
  const rest = headline.startsWith(name) ? headline.slice(name.length) : null;
  const detail = rest === null ? headline : rest.startsWith(": ") ? rest.slice(2) : rest.trim();
  const joiner = rest !== null && rest.startsWith(" ") ? " " : ": ";
  return (
    <section class="card stack" aria-labelledby="verdict-title" data-testid="verdict">
      <h2 id="verdict-title">{c.verdictTitle}</h2>
      {v ? (
        <>
          <p class="verdict">
            <strong data-testid="verdict-label">{name}</strong>
            {detail ? (
              <span data-testid="verdict-detail">
                {joiner}
                {detail}
              </span>
            ) : null}
          </p>
          {attention.map((a) => (
            <p class="banner warn" data-testid="verdict-attention">
              {a}
            </p>
          ))}
          <p class="muted small">
            {c.analysedOn(fmtDate(v.as_of))} {c.rulesVersion(v.rules_version)}
          </p>
          {v.presented ? <PresentedBlock id="verdict" p={{ ...v.presented, rule: "", notes: [] }} /> : null}
          {v.presented && (v.presented.rule || notes.length) ? (
            <details>
              <summary>{c.ruleAndNotes}</summary>
              <p class="small">{v.presented.rule}</p>
              {notes.map((n) => (
                <p class="small">{n}</p>
              ))}
            </details>
          ) : null}
        </>
      ) : (
        <p>{c.insightsPending}</p>
      )}
      {caveats.length ? (
        <div class="caveats" data-testid="caveats">
          <h3>{c.caveatsTitle}</h3>
          <ul>
            {caveats.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {data.verdict_history.length ? (
        <details>
          <summary>{c.verdictHistory}</summary>
          <ScrollTable id="verdict-history" caption={c.verdictHistory} head={[c.verdictAsOf, c.colVerdict, c.colRules]}>
            {data.verdict_history.map((h) => (
              <tr>
                <th scope="row">{fmtDate(h.as_of)}</th>
                <td>{h.kind_label || label(c.verdicts, h.kind)}</td>
                <td>{h.rules_version}</td>
              </tr>
            ))}
          </ScrollTable>
        </details>
      ) : null}
    </section>
  );
}

function FlagItem({ f, patientId, who, act }: { f: Flag; patientId: string; who: string; act: (a: FlagAction) => void }) {
  return (
    <li class={`flag status-${f.status}`} data-kind={f.kind} data-testid="patient-flag">
      <p>
        <SeverityBadge severity={f.severity} /> <strong>{flagHeadline(f)}</strong>
      </p>
      <p class="muted small">
        {label(c.flagStatus, f.status)}, {c.opened(fmtDate(f.opened_at))}
        {f.last_occurred_on ? ` · ${c.lastOccurred(fmtDate(f.last_occurred_on))}` : ""}
      </p>
      {f.presented?.changes.length ? (
        <div class="banner warn small" data-testid="flag-changes">
          <p>
            <strong>{c.valuesChanged}</strong>
          </p>
          <ul>
            {f.presented.changes.map((x) => (
              <li>{x}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {f.acknowledged_at || f.resolved_at ? (
        <ul class="history small">
          {f.acknowledged_at ? (
            <li>
              {c.acknowledgedBy(f.acknowledged_by ?? c.none, fmtDate(f.acknowledged_at))}
              {f.acknowledge_note ? `. ${c.noteSaid(f.acknowledge_note)}` : ""}
            </li>
          ) : null}
          {f.resolved_at ? (
            <li>
              {f.resolved_automatically ? c.resolvedAuto(fmtDate(f.resolved_at)) : c.resolvedBy(f.resolved_by ?? c.none, fmtDate(f.resolved_at))}
              {f.resolve_note ? `. ${c.noteSaid(f.resolve_note)}` : ""}
            </li>
          ) : null}
        </ul>
      ) : null}
      {f.presented ? (
        <details>
          <summary>{c.evidence}</summary>
          <PresentedBlock id={`flag-${f.id}`} p={f.presented} />
          <p class="muted small">{c.rulesVersion(f.rules_version)}</p>
        </details>
      ) : null}
      <FlagButtons flag={f} patientId={patientId} who={who} act={act} />
    </li>
  );
}

export function FlagsSection({ flags, patientId, who, act }: { flags: Flag[]; patientId: string; who: string; act: (a: FlagAction) => void }) {
  const open = flags.filter((f) => f.status !== "resolved");
  const resolved = flags.filter((f) => f.status === "resolved");
  return (
    <section class="card stack" aria-labelledby="flags-title">
      <h2 id="flags-title">{c.flagsTitle}</h2>
      {open.length ? (
        <ul class="flags" data-testid="patient-flags">
          {open.map((f) => (
            <FlagItem f={f} patientId={patientId} who={who} act={act} />
          ))}
        </ul>
      ) : (
        <p>{c.noFlags}</p>
      )}
      {resolved.length ? (
        <details>
          <summary>{c.resolvedFlags(resolved.length)}</summary>
          <ul class="flags">
            {resolved.map((f) => (
              <FlagItem f={f} patientId={patientId} who={who} act={act} />
            ))}
          </ul>
        </details>
      ) : null}
    </section>
  );
}
