// A patient's questionnaires (CLINICAL.md §9, §12): what is due, a response entered on the
// patient's behalf (a phone follow-up), a reported baseline total after the first dose, and
// every response with its answers. The wording (MIDAS, PGIC, the clinic's licensed HIT-6)
// comes from the server; so does every rule: a 400 is shown next to the field it names.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { t } from "../strings";
import { c } from "../strings-clinician";
import { ErrorLine, fmtDate, label, LoadFailed, ScrollTable, send, Status, useLoad } from "./common";
import { DueList, instrumentName, loadQuestionnaires } from "./QuestionnaireDue";
import type { Instrument, PatientDetail, Problem, QuestionnaireForms, QuestionnaireResponse, Questionnaires as Data, SectionProps } from "./types";

type FieldErrors = Record<string, string[]>;

const name = instrumentName;

// --- field errors ---------------------------------------------------------------------------

/** The problem's per-field messages (RFC 9457 `errors`), or none when the reply has none. */
function fieldErrors(body: Problem): FieldErrors {
  return body.errors ?? {};
}

function useErrors(prefix: string) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const shown = new Set<string>();
  const id = (field: string) => `${prefix}-err-${field.replace(/\./g, "-")}`;
  return {
    errors,
    setErrors,
    /** The input's attributes for `field`: marked invalid and described by its message. */
    attrs(field: string) {
      shown.add(field);
      return errors[field] ? { "aria-invalid": true as const, "aria-describedby": id(field) } : {};
    },
    /** The message next to a field, in words. */
    message(field: string) {
      shown.add(field);
      return errors[field] ? (
        <span class="field-error" id={id(field)}>
          {errors[field].join(" ")}
        </span>
      ) : null;
    },
    /** Messages of fields the form does not show (or none of them): said at the end. */
    rest(): string {
      return Object.entries(errors)
        .filter(([field]) => !shown.has(field))
        .map(([, messages]) => messages.join(" "))
        .join(" ");
    },
  };
}

function newClientId(): string | undefined {
  return typeof crypto !== "undefined" && "randomUUID" in crypto ? crypto.randomUUID() : undefined;
}

/** "" → null (the server says what is missing), else the number typed (a decimal stays one: the server refuses it). */
function whole(value: string): number | null {
  return value.trim() === "" ? null : Number(value);
}

// --- entering a response ----------------------------------------------------------------------

function Radio(props: { name: string; value: string; checked: boolean; onChange: () => void; children: ComponentChildren }) {
  return (
    <label class="check">
      <input type="radio" name={props.name} value={props.value} checked={props.checked} onChange={props.onChange} />
      <span>{props.children}</span>
    </label>
  );
}

interface EntryState {
  instrument: Instrument;
  on: string;
  midas: string[];
  a: string;
  b: string;
  pgic: number | null;
  hit6Mode: "answers" | "total";
  hit6: (string | null)[];
  hit6Total: string;
}

function emptyEntry(data: Data): EntryState {
  const due = data.due.find((d) => d.kind === "followup") ?? data.due[0];
  return {
    instrument: due?.instrument ?? "pgic",
    on: data.completed_on_range.latest,
    midas: data.forms.midas.items.map(() => ""),
    a: "",
    b: "",
    pgic: null,
    hit6Mode: data.forms.hit6 ? "answers" : "total",
    hit6: (data.forms.hit6?.items ?? []).map(() => null),
    hit6Total: "",
  };
}

function body(s: EntryState, forms: QuestionnaireForms): Record<string, unknown> {
  const common = { instrument: s.instrument, completed_on: s.on };
  if (s.instrument === "midas") return { ...common, answers: { items: s.midas.map(whole), a: whole(s.a), b: whole(s.b) } };
  if (s.instrument === "pgic") return { ...common, answers: { answer: s.pgic } };
  if (s.hit6Mode === "answers" && forms.hit6) return { ...common, answers: { answers: s.hit6 } };
  return { ...common, total: whole(s.hit6Total) };
}

/** Answers the form can tell are missing before asking the server (radio buttons left unset). */
function unanswered(s: EntryState, forms: QuestionnaireForms): FieldErrors {
  const out: FieldErrors = {};
  if (s.instrument === "pgic" && s.pgic === null) out["answers.answer"] = [c.requiredAnswer];
  if (s.instrument === "hit6" && s.hit6Mode === "answers" && forms.hit6) {
    s.hit6.forEach((v, i) => {
      if (v === null) out[`answers.answers.${i}`] = [c.requiredAnswer];
    });
  }
  return out;
}

function EntryForm({ detail, data, onSaved }: { detail: PatientDetail; data: Data; onSaved: (message: string) => void }) {
  const who = detail.patient.display_name || detail.patient.email;
  const forms = data.forms;
  const [s, setS] = useState<EntryState>(() => emptyEntry(data));
  const [clientId] = useState(newClientId); // a second click sends the same response again, not another
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState("");
  const e = useErrors("qe");
  const set = (patch: Partial<EntryState>) => {
    setS({ ...s, ...patch });
    setSummary("");
  };
  const instrumentName = name(s.instrument);

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const missing = unanswered(s, forms);
    if (Object.keys(missing).length) {
      e.setErrors(missing);
      setSummary(c.fixFields);
      return;
    }
    setBusy(true);
    const reply = await send<QuestionnaireResponse>("POST", `/patients/${encodeURIComponent(detail.patient.id)}/questionnaires`, {
      ...body(s, forms),
      ...(clientId ? { client_id: clientId } : {}),
    });
    setBusy(false);
    if (reply.ok) {
      const r = reply.body; // the list reloads, and this form starts afresh (its key)
      onSaved(c.responseSaved(name(r.instrument), r.total, r.words, fmtDate(r.completed_on)));
    } else if (reply.status === 400 && Object.keys(fieldErrors(reply.body)).length) {
      e.setErrors(fieldErrors(reply.body));
      setSummary(c.fixFields);
    } else {
      e.setErrors({});
      setSummary(errorFor(reply));
    }
  };

  return (
    <form class="card stack" aria-labelledby="q-enter-title" onSubmit={submit} noValidate data-testid="questionnaire-entry">
      <div class="stack-tight">
        <h2 id="q-enter-title">{c.enterTitle(who)}</h2>
        <p class="muted small">{c.enterIntro}</p>
      </div>
      <fieldset {...e.attrs("instrument")}>
        <legend>{c.whichQuestionnaire}</legend>
        <div class="inline-choices">
          {(["midas", "pgic", "hit6"] as Instrument[]).map((i) => (
            <Radio name="q-instrument" value={i} checked={s.instrument === i} onChange={() => set({ instrument: i })}>
              {name(i)}
            </Radio>
          ))}
        </div>
        {e.message("instrument")}
      </fieldset>
      <label class="field narrow">
        <span>{c.completedOn}</span>
        <input
          type="date"
          value={s.on}
          min={data.completed_on_range.earliest}
          max={data.completed_on_range.latest}
          onInput={(ev) => set({ on: ev.currentTarget.value })}
          {...e.attrs("completed_on")}
        />
        <span class="hint small muted">{c.completedOnHint(fmtDate(data.completed_on_range.earliest))}</span>
        {e.message("completed_on")}
      </label>

      {s.instrument === "midas" ? (
        <div class="stack-tight" data-testid="midas-fields">
          {forms.midas.items.map((question, i) => (
            <label class="field question">
              <span>
                {i + 1}. {question}
              </span>
              <span class="withunit">
                <input
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={forms.midas.max_days}
                  step={1}
                  value={s.midas[i]}
                  onInput={(ev) => set({ midas: s.midas.map((v, k) => (k === i ? ev.currentTarget.value : v)) })}
                  {...e.attrs(`answers.items.${i}`)}
                />
                <span class="muted">{c.midasDays}</span>
              </span>
              {e.message(`answers.items.${i}`)}
            </label>
          ))}
          {e.message("answers.items")}
          <label class="field question">
            <span>
              A. {forms.midas.a} <span class="hint muted">{c.midasOptional}</span>
            </span>
            <span class="withunit">
              <input type="number" inputMode="numeric" min={0} max={forms.midas.max_days} step={1} value={s.a} onInput={(ev) => set({ a: ev.currentTarget.value })} {...e.attrs("answers.a")} />
              <span class="muted">{c.midasDays}</span>
            </span>
            {e.message("answers.a")}
          </label>
          <label class="field question">
            <span>
              B. {forms.midas.b} <span class="hint muted">{c.midasOptional}</span>
            </span>
            <input class="short" type="number" inputMode="numeric" min={0} max={forms.midas.max_pain} step={1} value={s.b} onInput={(ev) => set({ b: ev.currentTarget.value })} {...e.attrs("answers.b")} />
            {e.message("answers.b")}
          </label>
        </div>
      ) : null}

      {s.instrument === "pgic" ? (
        <fieldset data-testid="pgic-fields" {...e.attrs("answers.answer")}>
          <legend>{forms.pgic.question}</legend>
          {forms.pgic.answers.map((text, i) => (
            <Radio name="q-pgic" value={String(i + 1)} checked={s.pgic === i + 1} onChange={() => set({ pgic: i + 1 })}>
              {c.pgicChoice(i + 1, text)}
            </Radio>
          ))}
          {e.message("answers.answer")}
        </fieldset>
      ) : null}

      {s.instrument === "hit6" ? (
        <div class="stack-tight" data-testid="hit6-fields">
          {forms.hit6 ? (
            <fieldset>
              <legend>{c.hit6How}</legend>
              <div class="inline-choices">
                <Radio name="q-hit6-mode" value="answers" checked={s.hit6Mode === "answers"} onChange={() => set({ hit6Mode: "answers" })}>
                  {c.hit6Answers}
                </Radio>
                <Radio name="q-hit6-mode" value="total" checked={s.hit6Mode === "total"} onChange={() => set({ hit6Mode: "total" })}>
                  {c.hit6Total}
                </Radio>
              </div>
            </fieldset>
          ) : (
            <p class="banner warn small">
              {c.hit6NoWording} <a href="#/clinic">{c.hit6NoWordingAdmin}</a>
            </p>
          )}
          {forms.hit6 && s.hit6Mode === "answers" ? (
            forms.hit6.items.map((question, i) => (
              <fieldset class="hit6item" data-testid="hit6-item" {...e.attrs(`answers.answers.${i}`)}>
                <legend>{c.hit6Question(i + 1, question)}</legend>
                <div class="inline-choices">
                  {forms.hit6!.answers.map((a) => (
                    <Radio name={`q-hit6-${i}`} value={a.value} checked={s.hit6[i] === a.value} onChange={() => set({ hit6: s.hit6.map((v, k) => (k === i ? a.value : v)) })}>
                      {a.label}
                    </Radio>
                  ))}
                </div>
                {e.message(`answers.answers.${i}`)}
              </fieldset>
            ))
          ) : (
            <label class="field narrow">
              <span>{c.hit6TotalLabel}</span>
              <input type="number" inputMode="numeric" step={1} value={s.hit6Total} onInput={(ev) => set({ hit6Total: ev.currentTarget.value })} {...e.attrs("total")} />
              <span class="hint small muted">{c.hit6TotalHint}</span>
              {e.message("total")}
            </label>
          )}
          {e.message("answers.answers")}
        </div>
      ) : null}

      <ErrorLine text={[summary, summary === c.fixFields ? e.rest() : ""].filter(Boolean).join(" ")} testId="questionnaire-error" />
      <p class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {c.saveResponse(instrumentName)}
        </button>
      </p>
    </form>
  );
}

function errorFor(reply: { status: number; body: Problem }): string {
  if (reply.status >= 500) return t.serverProblem(reply.status);
  if (reply.body?.detail) return String(reply.body.detail);
  return reply.status ? t.requestFailed(reply.status) : c.loadFailed;
}

// --- a reported baseline total (§12.3) ---------------------------------------------------------

function ReportedForm({ detail, data, onSaved }: { detail: PatientDetail; data: Data; onSaved: (message: string) => void }) {
  const listed = data.instruments.baseline;
  const [instrument, setInstrument] = useState<Instrument>(listed[0] ?? "midas");
  const [total, setTotal] = useState("");
  const [busy, setBusy] = useState(false);
  const [summary, setSummary] = useState("");
  const e = useErrors("qr");
  if (!listed.length) return null;
  const submit = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    const reply = await send<QuestionnaireResponse>("POST", `/patients/${encodeURIComponent(detail.patient.id)}/questionnaires`, {
      instrument,
      total: whole(total),
      reported: true,
    });
    setBusy(false);
    if (reply.ok) {
      e.setErrors({});
      setSummary("");
      setTotal("");
      onSaved(c.reportedSaved(name(instrument), reply.body.total, fmtDate(reply.body.completed_on)));
    } else if (reply.status === 400 && Object.keys(fieldErrors(reply.body)).length) {
      e.setErrors(fieldErrors(reply.body));
      setSummary(c.fixFields);
    } else setSummary(errorFor(reply));
  };
  return (
    <section class="card stack" aria-labelledby="q-reported-title" data-testid="reported-baseline">
      <h2 id="q-reported-title">{c.reportedTitle}</h2>
      {data.baseline_closed ? (
        <form class="stack" aria-labelledby="q-reported-title" onSubmit={submit} noValidate>
          <p class="muted small">{c.reportedIntro(fmtDate(data.first_dose))}</p>
          <fieldset {...e.attrs("instrument")}>
            <legend>{c.whichQuestionnaire}</legend>
            <div class="inline-choices">
              {listed.map((i) => (
                <Radio name="q-reported" value={i} checked={instrument === i} onChange={() => setInstrument(i)}>
                  {name(i)}
                </Radio>
              ))}
            </div>
            {e.message("instrument")}
          </fieldset>
          {(() => {
            const own = data.counted.find((q) => q.instrument === instrument)?.baseline;
            return own && own.entered_by !== "reported" ? (
              <p class="banner warn small" data-testid="reported-would-not-count">
                {c.reportedExists(name(instrument), own.total, fmtDate(own.completed_on))}
              </p>
            ) : null;
          })()}
          <label class="field narrow">
            <span>{c.reportedTotal}</span>
            <input type="number" inputMode="numeric" step={1} value={total} onInput={(ev) => setTotal(ev.currentTarget.value)} {...e.attrs("total")} />
            {e.message("total")}
          </label>
          <ErrorLine text={[summary, summary === c.fixFields ? e.rest() : ""].filter(Boolean).join(" ")} />
          <p class="buttons">
            <button type="submit" class="primary" disabled={busy}>
              {c.saveReported}
            </button>
          </p>
        </form>
      ) : (
        <p>{c.reportedBefore}</p>
      )}
    </section>
  );
}

/** The baseline and follow-up responses that count today, per instrument. */
function CountingList({ data }: { data: Data }) {
  if (!data.counted.length) return <p data-testid="questionnaires-counted">{c.countingNone}</p>;
  return (
    <ul class="duelist" data-testid="questionnaires-counted">
      {data.counted.map((q) => {
        const parts = [];
        if (q.baseline) parts.push(c.countedPart("baseline", q.baseline.total, q.baseline.words, fmtDate(q.baseline.completed_on)));
        if (q.followup) parts.push(c.countedPart("follow-up", q.followup.total, q.followup.words, fmtDate(q.followup.completed_on)));
        return <li data-instrument={q.instrument}>{c.countedLine(name(q.instrument), parts, q.decides)}</li>;
      })}
    </ul>
  );
}

// --- every response ----------------------------------------------------------------------------

function Answers({ r, forms }: { r: QuestionnaireResponse; forms: QuestionnaireForms }) {
  const a = r.answers;
  let rows: [string, string][] = [];
  if (r.instrument === "midas" && a.items) {
    rows = a.items.map((days, i) => [`${i + 1}. ${forms.midas.items[i] ?? ""}`, c.midasAnswer(days)]);
    rows.push([`A. ${forms.midas.a}`, c.midasAnswer(a.a ?? null)], [`B. ${forms.midas.b}`, c.painAnswer(a.b ?? null)]);
  } else if (r.instrument === "pgic" && a.answer) {
    rows = [[forms.pgic.question, c.pgicChoice(a.answer, forms.pgic.answers[a.answer - 1] ?? "")]];
  } else if (r.instrument === "hit6" && a.answers) {
    rows = a.answers.map((v, i) => [c.hit6Question(i + 1, forms.hit6?.items[i] ?? c.hit6Unnamed(i + 1)), label(c.hit6AnswerLabels, v)]);
  }
  if (!rows.length) return <span class="muted">{c.noAnswers}</span>;
  return (
    <details>
      <summary>
        {c.colAnswers}
        <span class="visually-hidden"> {c.showAnswers(name(r.instrument), fmtDate(r.completed_on))}</span>
      </summary>
      <dl class="facts answers">
        {rows.map(([q, v]) => (
          <div>
            <dt>{q}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function enteredBy(r: QuestionnaireResponse): string {
  const on = fmtDate(r.created_at);
  if (r.entered_by === "clinician") return c.enteredByClinician(r.entered_by_name, on);
  if (r.entered_by === "reported") return c.enteredByReported(r.entered_by_name, on);
  return c.enteredByPatient;
}

function ResponsesTable({ data }: { data: Data }) {
  const latestFirst = [...data.responses].sort((x, y) => y.completed_on.localeCompare(x.completed_on) || y.created_at.localeCompare(x.created_at));
  return (
    <section class="card stack" aria-labelledby="q-list-title">
      <h2 id="q-list-title">{c.responsesTitle}</h2>
      {latestFirst.length ? (
        <ScrollTable id="questionnaire-responses" caption={c.responsesCaption} head={[c.colCompleted, c.colQuestionnaire, c.colTotal, c.colMeaning, c.colEnteredBy, c.colAnswers]}>
          {latestFirst.map((r) => (
            <tr data-instrument={r.instrument}>
              <th scope="row" class="nowrap">
                {fmtDate(r.completed_on)}
              </th>
              <td>{name(r.instrument)}</td>
              <td class="num">{r.total}</td>
              <td>{r.words || c.none}</td>
              <td>{enteredBy(r)}</td>
              <td>
                <Answers r={r} forms={data.forms} />
              </td>
            </tr>
          ))}
        </ScrollTable>
      ) : (
        <p>{c.noResponses}</p>
      )}
    </section>
  );
}

// --- the section -------------------------------------------------------------------------------

export function Questionnaires({ detail }: SectionProps) {
  const id = detail.patient.id;
  const [load, reload] = useLoad((signal) => loadQuestionnaires(id, signal), [id]);
  const [done, setDone] = useState("");
  if (load.state === "loading") return <p aria-busy="true">{t.loading}</p>;
  if (load.state === "error") return <LoadFailed status={load.status} retry={reload} />;
  const data = load.data;
  const saved = (message: string) => {
    setDone(message);
    reload();
  };
  const condition = label(c.conditions, detail.patient.primary_condition);
  const names = (list: string[]) => c.and(list.map(name));
  return (
    <div class="stack questionnaires">
      <Status text={done} />
      <div class="twocol">
        <div class="stack">
          <section class="card stack" aria-labelledby="q-due-title">
            <h2 id="q-due-title">{c.dueTitle}</h2>
            <DueList due={data.due} />
            <p class="muted small">{c.listedFor(condition, names(data.instruments.baseline), names(data.instruments.followup))}</p>
            <h3>{c.countingTitle}</h3>
            <CountingList data={data} />
          </section>
          <ReportedForm detail={detail} data={data} onSaved={saved} />
        </div>
        <EntryForm key={data.responses.length} detail={detail} data={data} onSaved={saved} />
      </div>
      <ResponsesTable data={data} />
    </div>
  );
}
