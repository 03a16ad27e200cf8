// A due questionnaire on Today (CLINICAL.md §12.9): one card, opening the due instruments'
// questions (PGIC one tap; MIDAS five day counts and the two unscored items; HIT-6 only
// with the clinic's licensed wording). Answers are checked against the rules the server
// sends with the forms, then queued in the outbox like a diary day (sync.ts), so they are
// kept offline, sent once (client_id), and a refused one waits here with Fix and Discard.
import { useRef, useState } from "preact/hooks";
import { formatDay } from "../dates";
import { RadioGroup } from "../radio";
import { t } from "../strings";
import { discardChange, newId, replay, saveQuestionnaire } from "../sync";
import type { OutboxItem, QuestionnaireData, Questionnaires } from "../types";
import { revealAboveBars } from "./TodayParts";

type Instrument = QuestionnaireData["instrument"];
type QItem = Extract<OutboxItem, { kind: "questionnaire" }>;

const ORDER: Instrument[] = ["pgic", "midas", "hit6"];

/** The instruments due now, less those answered or waiting in the outbox. */
export function dueNow(q: Questionnaires | null, queued: QItem[]): Instrument[] {
  if (!q) return [];
  const waiting = new Set(queued.filter((i) => !i.blocked).map((i) => i.data.instrument));
  const due = q.due.filter(
    (d) =>
      !waiting.has(d.instrument) &&
      (d.instrument !== "hit6" || q.forms.hit6 !== null) &&
      !q.responses.some((r) => r.instrument === d.instrument && r.completed_on >= d.since),
  );
  return ORDER.filter((i) => due.some((d) => d.instrument === i));
}

interface Answers {
  pgic: number | null;
  midas: string[]; // typed day counts
  midasA: string;
  midasB: number | null;
  hit6: (string | null)[];
}

function emptyAnswers(): Answers {
  return { pgic: null, midas: ["", "", "", "", ""], midasA: "", midasB: null, hit6: [null, null, null, null, null, null] };
}

function fromItems(items: QItem[]): Answers {
  const a = emptyAnswers();
  for (const { data } of items) {
    const x = data.answers;
    if (data.instrument === "pgic") a.pgic = typeof x.answer === "number" ? x.answer : null;
    if (data.instrument === "midas") {
      a.midas = (x.items ?? []).map((v) => (v === null || v === undefined ? "" : String(v)));
      a.midasA = x.a === null || x.a === undefined ? "" : String(x.a);
      a.midasB = typeof x.b === "number" ? x.b : null;
    }
    if (data.instrument === "hit6") a.hit6 = x.answers ?? a.hit6;
  }
  return a;
}

/** A whole number of days from 0 to `max`, from what was typed (null: not one). */
function wholeIn(text: string, max: number): number | null {
  const v = text.trim();
  if (!/^\d+$/.test(v)) return null;
  const n = Number(v);
  return n <= max ? n : null;
}

/** Field → problem, in the server's field names (answers.items.2 …), before anything is queued. */
function check(instruments: Instrument[], a: Answers, q: Questionnaires): Record<string, string> {
  const problems: Record<string, string> = {};
  if (instruments.includes("pgic") && a.pgic === null) problems["pgic.answers.answer"] = t.qChooseOne;
  if (instruments.includes("midas")) {
    const max = q.forms.midas.max_days;
    a.midas.forEach((v, i) => {
      if (wholeIn(v, max) === null) problems[`midas.answers.items.${i}`] = t.qDays(max);
    });
    if (a.midasA.trim() && wholeIn(a.midasA, max) === null) problems["midas.answers.a"] = t.qDays(max);
  }
  if (instruments.includes("hit6")) {
    a.hit6.forEach((v, i) => {
      if (v === null) problems[`hit6.answers.answers.${i}`] = t.qChooseOne;
    });
  }
  return problems;
}

function payload(instrument: Instrument, a: Answers, q: Questionnaires): Record<string, unknown> {
  if (instrument === "pgic") return { answer: a.pgic };
  if (instrument === "hit6") return { answers: a.hit6 };
  const max = q.forms.midas.max_days;
  return { items: a.midas.map((v) => wholeIn(v, max)), a: a.midasA.trim() ? wholeIn(a.midasA, max) : null, b: a.midasB };
}

/** The server's reasons for a refused response, in words (which question, what it said). */
function refusalWords(item: QItem): string[] {
  const errors = item.refusal?.errors ?? {};
  const lines = Object.entries(errors).map(([field, said]) => {
    const text = Array.isArray(said) ? said.join(" ") : String(said);
    const item = /^answers\.(?:items|answers)\.(\d+)$/.exec(field);
    const where = item ? t.qQuestionN(Number(item[1]) + 1) : (t.qFieldNames[field] ?? field);
    return `${where}: ${text}`;
  });
  if (!lines.length) lines.push(item.refusal?.detail || t.refusedNoReason);
  return lines;
}

export function QuestionnaireCard({ q, queued, today }: { q: Questionnaires | null; queued: QItem[]; today: string }) {
  const refused = queued.filter((i) => i.blocked);
  const due = dueNow(q, queued);
  const [open, setOpen] = useState<{ instruments: Instrument[]; fixing: QItem[] } | null>(null);
  const [answers, setAnswers] = useState<Answers>(emptyAnswers);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [done, setDone] = useState("");
  const form = useRef<HTMLFormElement>(null);
  const sendRow = useRef<HTMLDivElement>(null);
  if (!q || (!due.length && !refused.length && !open && !done)) return null;

  const start = (instruments: Instrument[], fixing: QItem[] = []) => {
    setAnswers(fixing.length ? fromItems(fixing) : emptyAnswers());
    setProblems({});
    setDone("");
    setOpen({ instruments, fixing });
    window.setTimeout(() => form.current?.querySelector<HTMLElement>("h2")?.focus(), 0);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!open) return;
    const found = check(open.instruments, answers, q);
    setProblems(found);
    const first = Object.keys(found)[0];
    if (first) {
      const box = form.current?.querySelector<HTMLElement>(`[data-field="${first}"]`);
      box?.querySelector<HTMLElement>('input, [role="radio"][tabindex="0"]')?.focus();
      return;
    }
    for (const instrument of open.instruments) {
      const again = open.fixing.find((i) => i.data.instrument === instrument);
      await saveQuestionnaire({
        instrument,
        answers: payload(instrument, answers, q),
        completed_on: again?.data.completed_on ?? today,
        client_id: again?.data.client_id ?? newId(),
      });
    }
    setOpen(null);
    setDone(navigator.onLine ? t.qThanks : t.qThanksOffline);
    void replay();
  };

  const problem = (field: string) =>
    problems[field] ? (
      <p class="field-error" id={`err-${field}`} role="alert">
        {problems[field]}
      </p>
    ) : null;
  const setA = (change: Partial<Answers>) => setAnswers((a) => ({ ...a, ...change }));

  return (
    <section class="card stack" aria-labelledby="q-title" data-testid="questionnaire">
      {refused.map((item) => (
        <div class="banner warn stack refused" role="alert" data-testid="questionnaire-refused">
          <p>
            <strong>{t.qRefusedTitle(t.qNames[item.data.instrument], formatDay(item.date))}</strong>
          </p>
          <ul>
            {refusalWords(item).map((line) => (
              <li>{line}</li>
            ))}
          </ul>
          <div class="buttons">
            <button type="button" class="primary" onClick={() => start([item.data.instrument], [item])}>
              {t.fix}
            </button>
            <button type="button" class="secondary" onClick={() => void discardChange(item.key)}>
              {t.discard}
            </button>
          </div>
        </div>
      ))}
      {done ? (
        <p class="banner ok" role="status" data-testid="questionnaire-done">
          {done}
        </p>
      ) : null}
      {!open && due.length ? (
        <>
          <h2 id="q-title">{t.qCardTitle}</h2>
          <p class="muted small">{t.qCardWhy}</p>
          <button type="button" class="primary" onClick={() => start(due)}>
            {t.qStart}
          </button>
        </>
      ) : null}
      {open ? (
        <form ref={form} class="stack" onSubmit={submit} noValidate>
          <h2 id="q-title" tabIndex={-1}>
            {t.qCardTitle}
          </h2>
          {open.instruments.includes("pgic") ? (
            <div data-field="pgic.answers.answer">
              <RadioGroup
                legend={q.forms.pgic.question}
                options={q.forms.pgic.answers.map((label, i) => ({ value: i + 1, label }))}
                value={answers.pgic}
                onPick={(n) => {
                  setA({ pgic: n });
                  // PGIC alone is one tap: bring "Send" clear of the day's Save bar
                  if (open.instruments.length === 1) window.setTimeout(() => revealAboveBars(sendRow.current), 0);
                }}
                layout="list"
                invalid={!!problems["pgic.answers.answer"]}
                describedBy={problems["pgic.answers.answer"] ? "err-pgic.answers.answer" : undefined}
              />
              {problem("pgic.answers.answer")}
            </div>
          ) : null}
          {open.instruments.includes("midas") ? (
            <fieldset class="stack qset">
              <legend>{t.qMidasIntro(q.forms.midas.max_days)}</legend>
              {q.forms.midas.items.map((question, i) => {
                const field = `midas.answers.items.${i}`;
                return (
                  <div data-field={field}>
                    <label class="field">
                      <span>{question}</span>
                      <input
                        inputMode="numeric"
                        pattern="[0-9]*"
                        class="days"
                        value={answers.midas[i]}
                        aria-invalid={problems[field] ? "true" : undefined}
                        aria-describedby={problems[field] ? `err-${field}` : undefined}
                        onInput={(e) => {
                          const midas = [...answers.midas];
                          midas[i] = e.currentTarget.value;
                          setA({ midas });
                        }}
                      />
                    </label>
                    {problem(field)}
                  </div>
                );
              })}
              <div data-field="midas.answers.a">
                <label class="field">
                  <span>
                    {q.forms.midas.a} <span class="muted">{t.optional}</span>
                  </span>
                  <input
                    inputMode="numeric"
                    pattern="[0-9]*"
                    class="days"
                    value={answers.midasA}
                    aria-invalid={problems["midas.answers.a"] ? "true" : undefined}
                    aria-describedby={problems["midas.answers.a"] ? "err-midas.answers.a" : undefined}
                    onInput={(e) => setA({ midasA: e.currentTarget.value })}
                  />
                </label>
                {problem("midas.answers.a")}
              </div>
              <RadioGroup
                legend={
                  <>
                    {q.forms.midas.b} <span class="muted">{t.optional}</span>
                  </>
                }
                options={Array.from({ length: q.forms.midas.max_pain + 1 }, (_, n) => ({ value: n, label: String(n) }))}
                value={answers.midasB}
                onPick={(n) => setA({ midasB: n })}
                layout="fit"
              />
            </fieldset>
          ) : null}
          {open.instruments.includes("hit6") && q.forms.hit6 ? (
            <fieldset class="stack qset">
              <legend>{t.qHit6Intro}</legend>
              {q.forms.hit6.items.map((question, i) => {
                const field = `hit6.answers.answers.${i}`;
                return (
                  <div data-field={field}>
                    <RadioGroup
                      legend={question}
                      options={q.forms.hit6!.answers.map((a) => ({ value: a.value, label: a.label }))}
                      value={answers.hit6[i]}
                      onPick={(v) => {
                        const hit6 = [...answers.hit6];
                        hit6[i] = v;
                        setA({ hit6 });
                      }}
                      layout="list"
                      invalid={!!problems[field]}
                      describedBy={problems[field] ? `err-${field}` : undefined}
                    />
                    {problem(field)}
                  </div>
                );
              })}
            </fieldset>
          ) : null}
          <div class="buttons" ref={sendRow}>
            <button type="submit" class="primary">
              {t.qSend}
            </button>
            <button type="button" class="secondary" onClick={() => setOpen(null)}>
              {t.qLater}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
